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

  private final Map<String, CachedNode> nodes = new ConcurrentHashMap<>();

  /**
   * Counts the changes of any node's inventory instance and the nodes that come, go or change
   * agent; bumped after the change is in {@link #nodes}. Unchanged agents (304s) leave it alone.
   */
  private final AtomicLong inventories = new AtomicLong();

  /** The state of {@code node}, if its agent is known. */
  public Optional<NodeState> get(String node) {
    CachedNode cached = nodes.get(node);
    return cached == null ? Optional.empty() : Optional.of(cached.state());
  }

  /**
   * The entry of {@code node}, null when its agent is not known: for the request path, which looks
   * up every candidate node and keeps what it derives from the state on the entry.
   */
  public CachedNode lookup(String node) {
    return nodes.get(node);
  }

  /**
   * A number that stays the same for as long as no node's inventory instance changed and no node
   * came, went or changed agent; read it before the states it is to vouch for.
   */
  public long inventoryGeneration() {
    return inventories.get();
  }

  /** Whether {@code node}'s agent is known. */
  public boolean knows(String node) {
    return nodes.containsKey(node);
  }

  /** Every known node. */
  public Collection<NodeState> all() {
    return nodes.values().stream().map(CachedNode::state).toList();
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

  /**
   * Applies what the agent at {@code agent} answered, unless the node points to another agent by
   * now (its Node's address changed while the poll was in flight): that answer is not the node's.
   */
  void updateFrom(String node, URI agent, UnaryOperator<NodeState> change) {
    update(node, old -> old.agent().equals(agent) ? change.apply(old) : old);
  }

  /**
   * Replaces the node's state (none: null) and counts it if the node's inventory changed. A node
   * keeps its entry while it is known, so what the request path derived stays with it.
   */
  private NodeState change(String node, UnaryOperator<NodeState> remap) {
    NodeState[] states = new NodeState[2];
    nodes.compute(
        node,
        (n, cached) -> {
          states[0] = cached == null ? null : cached.state();
          states[1] = remap.apply(states[0]);
          if (states[1] == null) {
            return null;
          }
          if (cached == null) {
            return new CachedNode(states[1]);
          }
          cached.state = states[1];
          return cached;
        });
    if (inventoryChanged(states[0], states[1])) {
      inventories.incrementAndGet();
    }
    return states[1];
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

  /**
   * One node in the cache: its current state, and one thing the request path derived from it. The
   * evaluator keeps its node prepared for placement here, so a candidate node costs one lookup by
   * name rather than one per map (each missed the CPU caches for most candidates). Whoever derives
   * checks that it still matches the state.
   */
  public static final class CachedNode {

    private volatile NodeState state;
    private volatile Object derived;

    private CachedNode(NodeState state) {
      this.state = state;
    }

    /** The node's current state. */
    public NodeState state() {
      return state;
    }

    /** What was last derived from a state of this node, null if nothing yet. */
    public Object derived() {
      return derived;
    }

    /** Keeps {@code value} as derived from a state of this node, replacing what was. */
    public void derived(Object value) {
      this.derived = value;
    }
  }
}
