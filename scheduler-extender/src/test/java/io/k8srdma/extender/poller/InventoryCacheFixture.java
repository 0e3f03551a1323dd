package io.k8srdma.extender.poller;

import io.k8srdma.model.inventory.NodeInventory;
import java.net.URI;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

/** Puts poll outcomes into an {@link InventoryCache} for tests outside the poller package. */
public final class InventoryCacheFixture {

  private InventoryCacheFixture() {}

  /** The agent of {@code node} answered 200 with {@code inventory} at {@code at}. */
  public static void received(
      InventoryCache cache, String node, NodeInventory inventory, Instant at) {
    cache.track(node, URI.create("http://" + node + ":9090"));
    cache.update(node, s -> s.fetched(inventory, "\"" + at + "\"", at));
  }

  /** The agent of {@code node} answered 304 at {@code at}: the same inventory instance stays. */
  public static void notModified(InventoryCache cache, String node, Instant at) {
    cache.update(node, s -> s.notModified(at));
  }

  /** The node directory no longer knows {@code node} (the Node was deleted). */
  public static void forgotten(InventoryCache cache, String node) {
    Set<String> known = new HashSet<>();
    cache.all().forEach(s -> known.add(s.node()));
    known.remove(node);
    cache.retainOnly(known);
  }

  /** The agent of {@code node} is now at another address (the node's InternalIP changed). */
  public static void agentMoved(InventoryCache cache, String node, URI agent) {
    cache.track(node, agent);
  }
}
