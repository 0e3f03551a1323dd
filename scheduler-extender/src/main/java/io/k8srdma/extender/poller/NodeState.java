package io.k8srdma.extender.poller;

import io.k8srdma.model.inventory.NodeInventory;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;

/**
 * What the extender knows of one node's agent.
 *
 * @param node the node name
 * @param agent the agent's base URL
 * @param inventory the last inventory received, null when none yet
 * @param etag the ETag of {@code inventory}, sent back as {@code If-None-Match}
 * @param confirmedAt when the agent last answered 200 or 304 (the inventory was current then)
 * @param lastAttempt when the agent was last polled
 * @param lastError why the last poll failed, null when it succeeded
 */
public record NodeState(
    String node,
    URI agent,
    NodeInventory inventory,
    String etag,
    Instant confirmedAt,
    Instant lastAttempt,
    String lastError) {

  static NodeState unknown(String node, URI agent) {
    return new NodeState(node, agent, null, null, null, null, null);
  }

  NodeState fetched(NodeInventory inv, String newEtag, Instant at) {
    return new NodeState(node, agent, inv, newEtag, at, at, null);
  }

  NodeState notModified(Instant at) {
    return new NodeState(node, agent, inventory, etag, at, at, null);
  }

  NodeState failed(String error, Instant at) {
    return new NodeState(node, agent, inventory, etag, confirmedAt, at, error);
  }

  /** How old the inventory is at {@code now}; null when there is none. */
  public Duration age(Instant now) {
    return confirmedAt == null ? null : Duration.ofNanos(ageNanos(now));
  }

  /**
   * {@link #age} in nanoseconds, without a {@code Duration}: staleness is checked for every
   * candidate node of a filter. Only when {@link #confirmedAt} is set.
   */
  private long ageNanos(Instant now) {
    return (now.getEpochSecond() - confirmedAt.getEpochSecond()) * 1_000_000_000L
        + (now.getNano() - confirmedAt.getNano());
  }

  /** Why this node's inventory cannot be used for placement at {@code now}, or null when it can. */
  public String unusableReason(Instant now, Duration staleness) {
    if (inventory == null) {
      return "no RDMA inventory from the node agent at "
          + agent
          + " yet"
          + (lastError == null ? "" : ": " + lastError);
    }
    long ageNanos = ageNanos(now);
    if (ageNanos > staleness.toNanos()) {
      return "RDMA inventory is stale: last confirmed "
          + ageNanos / 1_000_000_000L
          + "s ago (limit "
          + staleness.toSeconds()
          + "s)"
          + (lastError == null ? "" : "; agent at " + agent + ": " + lastError);
    }
    return null;
  }
}
