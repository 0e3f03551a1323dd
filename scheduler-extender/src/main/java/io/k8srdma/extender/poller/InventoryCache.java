package io.k8srdma.extender.poller;

import java.net.URI;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;

/** The extender's in-memory view of every node's inventory; the request path reads only this. */
public class InventoryCache {

  private final Map<String, NodeState> nodes = new ConcurrentHashMap<>();

  /**
   * Counts the changes of any node's inventory instance and the nodes that come, go or change
   * agent; bumped after the change is in {@link #nodes}. Unchanged agents (304s) leave it alone.
   */
  private final AtomicLong inventories = new AtomicLong();

  /** The state of {@code node}, if its agent is known. */
  public Optional<NodeState> get(String node) {
    return Optional.ofNullable(nodes.get(node));
  }

  /**
   * A number that stays the same for as long as no node's inventory instance changed and no node
   * came, went or changed agent; read it before the states it is to vouch for.
   */
  public long inventoryGeneration() {
    return inventories.get();
  }

  /** Every known node. */
  public Collection<NodeState> all() {
    return nodes.values();
  }

  /** The node's state, created (or re-pointed when the agent's URL changed) as needed. */
  NodeState track(String node, URI agent) {
    return change(
        node,
        old -> old == null || !old.agent().equals(agent) ? NodeState.unknown(node, agent) : old);
  }

  void update(String node, UnaryOperator<NodeState> change) {
    change(node, old -> old == null ? null : change.apply(old));
  }

  /** Replaces the node's state (none: null) and counts it if the node's inventory changed. */
  private NodeState change(String node, UnaryOperator<NodeState> remap) {
    NodeState[] before = new NodeState[1];
    NodeState after =
        nodes.compute(
            node,
            (n, old) -> {
              before[0] = old;
              return remap.apply(old);
            });
    if (inventoryChanged(before[0], after)) {
      inventories.incrementAndGet();
    }
    return after;
  }

  /** Whether the node came, went, moved to another agent or has another inventory instance. */
  private static boolean inventoryChanged(NodeState before, NodeState after) {
    if (before == null || after == null) {
      return before != after;
    }
    return before.inventory() != after.inventory() || !before.agent().equals(after.agent());
  }

  /** Forgets nodes whose agents are no longer known (deleted nodes). */
  void retainOnly(Set<String> known) {
    if (nodes.keySet().retainAll(known)) {
      inventories.incrementAndGet();
    }
  }
}
