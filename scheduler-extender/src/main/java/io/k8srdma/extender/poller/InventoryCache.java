package io.k8srdma.extender.poller;

import java.net.URI;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/** The extender's in-memory view of every node's inventory; the request path reads only this. */
public class InventoryCache {

  private final Map<String, NodeState> nodes = new ConcurrentHashMap<>();

  /** The state of {@code node}, if its agent is known. */
  public Optional<NodeState> get(String node) {
    return Optional.ofNullable(nodes.get(node));
  }

  /** Every known node. */
  public Collection<NodeState> all() {
    return nodes.values();
  }

  /** The node's state, created (or re-pointed when the agent's URL changed) as needed. */
  NodeState track(String node, URI agent) {
    return nodes.compute(
        node,
        (n, old) -> old == null || !old.agent().equals(agent) ? NodeState.unknown(n, agent) : old);
  }

  void update(String node, UnaryOperator<NodeState> change) {
    nodes.computeIfPresent(node, (n, old) -> change.apply(old));
  }

  /** Forgets nodes whose agents are no longer known (deleted nodes). */
  void retainOnly(Set<String> known) {
    nodes.keySet().retainAll(known);
  }
}
