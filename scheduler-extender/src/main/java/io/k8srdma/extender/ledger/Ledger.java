package io.k8srdma.extender.ledger;

import io.k8srdma.model.assignment.Assignment;
import io.k8srdma.model.placement.Commitments;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which VFs and how much bandwidth the extender has given out, per node.
 *
 * <p>Two kinds of entries, both keyed by pod UID: <b>bound</b> ones mirror pods in the API that
 * carry {@code k8s-rdma.io/assignment} and have not terminated (the cluster is the source of truth,
 * so a restart rebuilds them from the pod informer), and <b>in-flight</b> ones are decisions {@code
 * bind} has taken but the informer has not shown yet. In-flight entries expire after {@code
 * inFlightTimeout} so a decision whose pod never appears frees its VFs.
 */
public class Ledger {

  private static final Logger log = LoggerFactory.getLogger(Ledger.class);

  private final Map<String, Map<String, Entry>> byNode = new ConcurrentHashMap<>();
  private final Map<String, String> nodeOfPod = new ConcurrentHashMap<>();
  private final Clock clock;
  private final Duration inFlightTimeout;

  public Ledger(Clock clock, Duration inFlightTimeout) {
    this.clock = clock;
    this.inFlightTimeout = inFlightTimeout;
  }

  /** What is committed on {@code node}, leaving out the entry of pod {@code exceptPodUid}. */
  public Commitments commitmentsOn(String node, String exceptPodUid) {
    Map<String, Entry> entries = byNode.get(node);
    if (entries == null || entries.isEmpty()) {
      return Commitments.none();
    }
    Instant now = clock.instant();
    List<Assignment> live =
        entries.entrySet().stream()
            .filter(e -> !e.getKey().equals(exceptPodUid))
            .map(Map.Entry::getValue)
            .filter(e -> e.isLive(now))
            .map(Entry::assignment)
            .toList();
    return live.isEmpty() ? Commitments.none() : Commitments.of(live);
  }

  /**
   * Atomically decides and reserves: {@code decide} sees the node's commitments (without this pod's
   * own entry) and returns the assignment to reserve, or empty to reserve nothing. No other
   * reservation on any node can interleave, so two binds never take the same VF.
   */
  public synchronized <T> T reserve(
      String podUid, String node, Function<Commitments, Decision<T>> decide) {
    Decision<T> decision = decide.apply(commitmentsOn(node, podUid));
    decision.assignment().ifPresent(a -> put(podUid, a, clock.instant().plus(inFlightTimeout)));
    return decision.result();
  }

  /** Drops a reservation that bind could not complete, unless the informer saw it bound. */
  public synchronized void releaseInFlight(String podUid) {
    removeIf(podUid, true);
  }

  /** A pod in the API no longer carries an assignment: drop its bound entry, not a reservation. */
  public synchronized void unbound(String podUid) {
    removeIf(podUid, false);
  }

  private void removeIf(String podUid, boolean inFlight) {
    String node = nodeOfPod.get(podUid);
    Map<String, Entry> entries = node == null ? null : byNode.get(node);
    Entry e = entries == null ? null : entries.get(podUid);
    if (e != null && (e.expiresAt() != null) == inFlight) {
      remove(podUid);
    }
  }

  /** A pod in the API carries this assignment and has not terminated. */
  public synchronized void bound(String podUid, Assignment assignment) {
    put(podUid, assignment, null);
  }

  /** A pod is gone or finished: its VFs are free at once. */
  public synchronized void released(String podUid) {
    if (remove(podUid)) {
      log.debug("ledger released pod {}", podUid);
    }
  }

  /** The entry of a pod, if any (for tests and /inventory). */
  public Optional<Assignment> assignmentOf(String podUid) {
    String node = nodeOfPod.get(podUid);
    Map<String, Entry> entries = node == null ? null : byNode.get(node);
    Entry e = entries == null ? null : entries.get(podUid);
    return e == null || !e.isLive(clock.instant()) ? Optional.empty() : Optional.of(e.assignment());
  }

  /** Number of pods with live entries. */
  public int size() {
    Instant now = clock.instant();
    return byNode.values().stream()
        .mapToInt(m -> (int) m.values().stream().filter(e -> e.isLive(now)).count())
        .sum();
  }

  /** Number of pods with live entries on one node. */
  public int sizeOn(String node) {
    Map<String, Entry> entries = byNode.get(node);
    Instant now = clock.instant();
    return entries == null ? 0 : (int) entries.values().stream().filter(e -> e.isLive(now)).count();
  }

  /** Forgets in-flight entries that expired; bounded by the number of entries. */
  public synchronized int purgeExpired() {
    Instant now = clock.instant();
    List<String> expired =
        byNode.values().stream()
            .flatMap(m -> m.entrySet().stream())
            .filter(e -> !e.getValue().isLive(now))
            .map(Map.Entry::getKey)
            .toList();
    expired.forEach(this::remove);
    expired.forEach(uid -> log.info("in-flight decision for pod {} expired", uid));
    return expired.size();
  }

  private void put(String podUid, Assignment assignment, Instant expiresAt) {
    remove(podUid);
    byNode
        .computeIfAbsent(assignment.node(), n -> new ConcurrentHashMap<>())
        .put(podUid, new Entry(assignment, expiresAt));
    nodeOfPod.put(podUid, assignment.node());
  }

  private boolean remove(String podUid) {
    String node = nodeOfPod.remove(podUid);
    if (node == null) {
      return false;
    }
    Map<String, Entry> entries = byNode.get(node);
    if (entries != null) {
      entries.remove(podUid);
      if (entries.isEmpty()) {
        byNode.remove(node, entries);
      }
    }
    return true;
  }

  /**
   * What {@link #reserve} decided.
   *
   * @param assignment the assignment to reserve, empty for none
   * @param result what to hand back to the caller
   */
  public record Decision<T>(Optional<Assignment> assignment, T result) {}

  private record Entry(Assignment assignment, Instant expiresAt) {
    boolean isLive(Instant now) {
      return expiresAt == null || now.isBefore(expiresAt);
    }
  }
}
