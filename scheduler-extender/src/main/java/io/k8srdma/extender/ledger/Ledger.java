package io.k8srdma.extender.ledger;

import io.k8srdma.model.assignment.Assignment;
import io.k8srdma.model.placement.Commitments;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which VFs and how much bandwidth the extender has given out, per node.
 *
 * <p>Two kinds of entries, both keyed by pod UID: <b>bound</b> ones mirror pods in the API that
 * carry {@code k8s-rdma.io/assignment} and have not terminated (the cluster is the source of truth,
 * so a restart rebuilds them from the pod informer), and <b>in-flight</b> ones are decisions {@code
 * bind} has taken but the informer has not shown yet. In-flight entries expire {@code
 * inFlightTimeout} after bind has {@linkplain #written written} them, so a decision whose pod never
 * appears frees its VFs; {@link #lapsingWithin} and {@link #renew} let {@link PodLedgerSync} ask
 * the API first whether the pod did appear.
 *
 * <p>Each node also has a {@linkplain #snapshot version}, so callers can tell cheaply that what is
 * committed on it has not changed since they last looked (see {@link Stamp}).
 */
public class Ledger {

  private static final Logger log = LoggerFactory.getLogger(Ledger.class);

  /**
   * The version of a dropped cell: below every real one, and no stamp that holds it holds any more,
   * whatever version it read.
   */
  private static final long RETIRED = -1;

  private final Map<String, Map<String, Entry>> byNode = new ConcurrentHashMap<>();

  /**
   * The same entries by pod: a reader of one pod's entry ({@link #assignmentOf}, {@link #holds})
   * takes no lock, and finds it here in one step even while {@link #put} moves it between nodes.
   */
  private final Map<String, Entry> entryOfPod = new ConcurrentHashMap<>();

  /**
   * Per node, the value of {@link #changes} at its last put or remove (0 when it had none since its
   * cell was made). Drawn from one counter, so a node's version only ever grows. A cell is made by
   * the node's first snapshot or change, and dropped by {@link #forgetVersionsOfGoneNodes} once the
   * node is gone: an autoscaler's generated node names have no end. A stamp holds its node's cell,
   * and later changes bump the cell made after it, so a dropped cell is {@linkplain #RETIRED
   * retired} first.
   */
  private final Map<String, Version> versionOf = new ConcurrentHashMap<>();

  private final AtomicLong changes = new AtomicLong();
  private final Clock clock;
  private final Duration inFlightTimeout;

  public Ledger(Clock clock, Duration inFlightTimeout) {
    this.clock = clock;
    this.inFlightTimeout = inFlightTimeout;
  }

  /** What is committed on {@code node}, leaving out the entry of pod {@code exceptPodUid}. */
  public Commitments commitmentsOn(String node, String exceptPodUid) {
    return commitmentsOn(byNode.get(node), exceptPodUid, clock.instant());
  }

  /**
   * {@link #commitmentsOn} together with a {@link Stamp} that tells, later, whether they still
   * hold. Both are taken at the same instant; the version is read before the entries, and writers
   * bump it after changing them, so a change racing with this call always leaves the stamp outdated
   * rather than current with stale commitments.
   */
  public Snapshot snapshot(String node, String exceptPodUid) {
    Version cell = versionOf.computeIfAbsent(node, n -> new Version());
    long version = cell.value;
    Instant now = clock.instant();
    return snapshotOf(cell, version, byNode.get(node), exceptPodUid, now);
  }

  /**
   * True when what {@code stamp} was taken of is still what is committed on its node: no entry was
   * put or removed since, and no in-flight entry has expired (or, with a clock set back, come back
   * to life).
   */
  public boolean unchangedSince(Stamp stamp) {
    return unchangedSince(stamp, clock.instant());
  }

  /**
   * {@link #unchangedSince(Stamp)} as of {@code now}: a caller checking hundreds of nodes for one
   * request reads the clock once, and gets one consistent view of expiries. It does not look the
   * node up: the stamp holds the node's version cell.
   */
  public boolean unchangedSince(Stamp stamp, Instant now) {
    // A stamp that read RETIRED would otherwise match its dropped cell for ever.
    return stamp.version() != RETIRED && stamp.cell.value == stamp.version() && stamp.covers(now);
  }

  /**
   * Drops the version cells of the nodes that {@code known} no longer names (deleted nodes), and
   * retires each: its stamps never hold again, so a change on the node, which bumps a new cell, can
   * never leave one of them current. A node dropped while still in use (known again meanwhile) only
   * costs its callers one new snapshot. Entries are left alone: the pods of a deleted node go as
   * the pod informer sees them go.
   *
   * @return how many cells it dropped
   */
  public int forgetVersionsOfGoneNodes(Predicate<String> known) {
    List<String> gone = versionOf.keySet().stream().filter(known.negate()).toList();
    if (gone.isEmpty()) {
      return 0;
    }
    int dropped = 0;
    synchronized (this) {
      // Under the lock of the writers: one between looking its cell up and bumping it would bring a
      // retired cell back to a version that its stamps could match.
      for (String node : gone) {
        Version cell = versionOf.remove(node);
        if (cell != null) {
          cell.value = RETIRED;
          dropped++;
        }
      }
    }
    log.debug("ledger forgot the versions of {} nodes that are gone", dropped);
    return dropped;
  }

  /** How many nodes have a version cell, for tests. */
  int versionCells() {
    return versionOf.size();
  }

  private static Commitments commitmentsOn(
      Map<String, Entry> entries, String exceptPodUid, Instant now) {
    if (entries == null || entries.isEmpty()) {
      return Commitments.none();
    }
    List<Assignment> live = new ArrayList<>(entries.size());
    for (Map.Entry<String, Entry> e : entries.entrySet()) {
      if (!e.getKey().equals(exceptPodUid) && e.getValue().isLive(now)) {
        live.add(e.getValue().assignment());
      }
    }
    return live.isEmpty() ? Commitments.none() : Commitments.of(live);
  }

  /**
   * The commitments and the stamp of the entries at {@code now}, from one pass over them: writers
   * change the map meanwhile, and two passes could disagree on which pods are there (a stamp whose
   * pods leave out one whose VFs the commitments count would make the caller count a pod's own
   * entry against it). The live set stays the same from the latest expiry already passed
   * (inclusive) until the earliest one still ahead (exclusive).
   */
  private static Snapshot snapshotOf(
      Version cell, long version, Map<String, Entry> entries, String exceptPodUid, Instant now) {
    if (entries == null || entries.isEmpty()) {
      return new Snapshot(Commitments.none(), new Stamp(cell, version, null, null, Set.of()));
    }
    List<Assignment> live = new ArrayList<>(entries.size());
    List<String> pods = new ArrayList<>(entries.size());
    Instant from = null;
    Instant until = null;
    for (Map.Entry<String, Entry> me : entries.entrySet()) {
      String podUid = me.getKey();
      Entry e = me.getValue();
      pods.add(podUid);
      boolean isLive = e.isLive(now);
      if (isLive && !podUid.equals(exceptPodUid)) {
        live.add(e.assignment());
      }
      // Only entries that can expire bound the window: bound ones, and decisions bind still
      // writes, are live whatever the time.
      if (e.counting()) {
        Instant at = e.expiresAt();
        if (isLive) {
          until = until == null || at.isBefore(until) ? at : until;
        } else {
          from = from == null || at.isAfter(from) ? at : from;
        }
      }
    }
    Commitments commitments = live.isEmpty() ? Commitments.none() : Commitments.of(live);
    return new Snapshot(commitments, new Stamp(cell, version, from, until, Set.copyOf(pods)));
  }

  /**
   * Atomically decides and reserves: {@code decide} sees the node's commitments (without this pod's
   * own entry) and returns the assignment to reserve, or empty to reserve nothing. No other
   * reservation on any node can interleave, so two binds never take the same VF.
   *
   * @param pod the pod's name, kept with the reservation to ask the API about it later
   */
  public synchronized <T> T reserve(
      PodName pod, String podUid, String node, Function<Commitments, Decision<T>> decide) {
    Decision<T> decision = decide.apply(commitmentsOn(node, podUid));
    Entry current = entryOf(podUid);
    decision
        .assignment()
        // A pod already bound with this very assignment keeps its bound entry.
        .filter(a -> current == null || !current.bound() || !current.assignment().equals(a))
        .ifPresent(
            a ->
                put(
                    podUid,
                    new Entry(
                        a,
                        clock.instant().plus(inFlightTimeout),
                        pod,
                        true,
                        carriedBeneath(current))));
    return decision.result();
  }

  /**
   * The bound entry that a new decision stands in front of: the assignment the pod carries in the
   * API (on whatever node) until bind writes the decision. Kept so that a decision that goes
   * without being written gives it back, instead of freeing VFs the pod still carries.
   */
  private static Entry carriedBeneath(Entry current) {
    if (current == null) {
      return null;
    }
    return current.bound() ? current : current.beneath();
  }

  /**
   * Bind has finished writing the decision {@code reserve} made: from now on it expires after an
   * in-flight timeout unless the informer shows it. Until this call it cannot expire, so a write
   * slower than the timeout (an API server under load, fabric8's retries) never frees VFs its pod
   * may be about to hold. Nothing when the pod's entry is gone or is another decision now.
   */
  public synchronized void written(String podUid, Assignment assignment) {
    Entry e = entryOf(podUid);
    if (e != null && e.writing() && e.assignment().equals(assignment)) {
      put(
          podUid,
          new Entry(
              assignment, clock.instant().plus(inFlightTimeout), e.pod(), false, e.beneath()));
    }
  }

  /** Whether the pod has an entry, bound or in flight, on any node. */
  public boolean holds(String podUid) {
    return entryOfPod.containsKey(podUid);
  }

  /**
   * Drops the reservation of {@code assignment} that bind could not complete, unless the informer
   * saw it bound or the pod has another decision now. An assignment the pod carried before the
   * decision (a bind elsewhere that could not tell whether its Binding landed left it) counts
   * again, as the pod still carries it.
   */
  public synchronized void releaseInFlight(String podUid, Assignment assignment) {
    Entry e = entryOf(podUid);
    if (e != null && !e.bound() && e.assignment().equals(assignment)) {
      dropDecision(podUid, e);
    }
  }

  /** Removes an in-flight decision, giving back the bound entry it stood in front of. */
  private void dropDecision(String podUid, Entry decision) {
    if (decision.beneath() != null) {
      put(podUid, decision.beneath());
    } else {
      remove(podUid);
    }
  }

  /**
   * A pod in the API no longer carries an assignment: drop its bound entry, not a reservation (but
   * the reservation no longer stands in front of one).
   */
  public synchronized void unbound(String podUid) {
    Entry e = entryOf(podUid);
    if (e == null) {
      return;
    }
    if (e.bound()) {
      remove(podUid);
    } else if (e.beneath() != null) {
      put(podUid, e.withBeneath(null));
    }
  }

  private Entry entryOf(String podUid) {
    return entryOfPod.get(podUid);
  }

  /**
   * A pod in the API carries this assignment and has not terminated. The decision's own assignment
   * makes it bound. Another one, while a decision for the pod stands, is what the pod carried
   * before bind wrote the decision (only bind writes it, one bind per pod at a time; the informer
   * may show it late, and the ledger may not have seen it when the decision was made): replaced by
   * it, the decision's VFs would be free while bind writes them or the informer catches up. The
   * decision stands in front of it instead, and gives it back if it goes unwritten. Without a
   * decision, it replaces the pod's entry.
   */
  public synchronized void bound(String podUid, Assignment assignment) {
    Entry e = entryOf(podUid);
    Entry shown = new Entry(assignment, null, null, false, null);
    if (e != null && !e.bound() && !e.assignment().equals(assignment)) {
      if (e.beneath() == null || !e.beneath().assignment().equals(assignment)) {
        put(podUid, e.withBeneath(shown));
      }
      return;
    }
    put(podUid, shown);
  }

  /** A pod is gone or finished: its VFs are free at once. */
  public synchronized void released(String podUid) {
    if (remove(podUid)) {
      log.debug("ledger released pod {}", podUid);
    }
  }

  /** The entry of a pod, if any (for tests and /inventory). */
  public Optional<Assignment> assignmentOf(String podUid) {
    Entry e = entryOf(podUid);
    return e == null || !e.isLive(clock.instant()) ? Optional.empty() : Optional.of(e.assignment());
  }

  /** Number of pods with live entries. */
  public int size() {
    Instant now = clock.instant();
    return (int) entryOfPod.values().stream().filter(e -> e.isLive(now)).count();
  }

  /** Number of pods with live entries on one node. */
  public int sizeOn(String node) {
    Map<String, Entry> entries = byNode.get(node);
    Instant now = clock.instant();
    return entries == null ? 0 : (int) entries.values().stream().filter(e -> e.isLive(now)).count();
  }

  /**
   * Moves the expiry of every live in-flight entry to an in-flight timeout from now, for while the
   * pod informer cannot confirm decisions: one that lapsed unconfirmed would let its VFs be given
   * out again although its pod may hold them. Each held entry counts as a change of its node.
   *
   * @return how many entries it held
   */
  public synchronized int holdInFlight() {
    Instant now = clock.instant();
    Instant until = now.plus(inFlightTimeout);
    List<Map.Entry<String, Entry>> held =
        byNode.values().stream()
            .flatMap(m -> m.entrySet().stream())
            .filter(e -> e.getValue().counting() && e.getValue().isLive(now))
            .filter(e -> e.getValue().expiresAt().isBefore(until))
            .toList();
    held.forEach(e -> put(e.getKey(), e.getValue().heldUntil(until)));
    return held.size();
  }

  /**
   * The in-flight entries that expire within {@code horizon} from now, or have expired and are not
   * yet {@linkplain #purgeExpired purged}: those a purge within {@code horizon} would drop, unless
   * someone {@linkplain #renew renews} them first.
   */
  public List<InFlight> lapsingWithin(Duration horizon) {
    Instant until = clock.instant().plus(horizon);
    List<InFlight> lapsing = new ArrayList<>();
    // By pod, not by node: a pod moving between nodes is on both for a moment.
    for (Map.Entry<String, Entry> e : entryOfPod.entrySet()) {
      Entry entry = e.getValue();
      if (entry.counting() && entry.expiresAt().isBefore(until)) {
        lapsing.add(new InFlight(e.getKey(), entry.pod(), entry.assignment()));
      }
    }
    return lapsing;
  }

  /**
   * Moves the expiry of one in-flight entry to an in-flight timeout from now, if the pod still has
   * that entry: not released, not confirmed by the informer, not replaced by another decision.
   *
   * @return whether it did
   */
  public synchronized boolean renew(InFlight decision) {
    Entry e = entryOf(decision.podUid());
    if (e == null || e.bound() || !e.assignment().equals(decision.assignment())) {
      return false;
    }
    put(decision.podUid(), e.heldUntil(clock.instant().plus(inFlightTimeout)));
    return true;
  }

  /** Forgets in-flight entries that expired; bounded by the number of entries. */
  public synchronized int purgeExpired() {
    Instant now = clock.instant();
    List<Map.Entry<String, Entry>> expired =
        byNode.values().stream()
            .flatMap(m -> m.entrySet().stream())
            .filter(e -> !e.getValue().isLive(now))
            .toList();
    expired.forEach(e -> dropDecision(e.getKey(), e.getValue()));
    expired.forEach(e -> log.info("in-flight decision for pod {} expired", e.getKey()));
    return expired.size();
  }

  /**
   * Puts the pod's entry in place of the one it has. Readers ({@link #assignmentOf}, {@link
   * #holds}, filter's {@link #snapshot}) do not take the lock, so an entry is replaced in one step,
   * never removed and added back: a reader in between would see the pod's VFs free. A move to
   * another node adds the entry there before it leaves the old one.
   */
  private void put(String podUid, Entry entry) {
    String node = entry.assignment().node();
    byNode.computeIfAbsent(node, n -> new ConcurrentHashMap<>()).put(podUid, entry);
    Entry previous = entryOfPod.put(podUid, entry);
    String left = previous == null ? null : previous.assignment().node();
    if (left != null && !left.equals(node)) {
      removeFrom(left, podUid);
      changed(left);
    }
    changed(node);
  }

  /** Called after every change to a node's entries (never before: see {@link #snapshot}). */
  private void changed(String node) {
    versionOf.computeIfAbsent(node, n -> new Version()).value = changes.incrementAndGet();
  }

  private boolean remove(String podUid) {
    Entry gone = entryOfPod.remove(podUid);
    if (gone == null) {
      return false;
    }
    String node = gone.assignment().node();
    removeFrom(node, podUid);
    changed(node);
    return true;
  }

  private void removeFrom(String node, String podUid) {
    Map<String, Entry> entries = byNode.get(node);
    if (entries != null) {
      entries.remove(podUid);
      if (entries.isEmpty()) {
        byNode.remove(node, entries);
      }
    }
  }

  /**
   * What {@link #reserve} decided.
   *
   * @param assignment the assignment to reserve, empty for none
   * @param result what to hand back to the caller
   */
  public record Decision<T>(Optional<Assignment> assignment, T result) {}

  /**
   * {@link #commitmentsOn} and the {@link Stamp} they were taken under.
   *
   * @param commitments what was committed on the node, without the given pod's entry
   * @param stamp to ask {@link #unchangedSince} whether they still hold
   */
  public record Snapshot(Commitments commitments, Stamp stamp) {}

  /**
   * Identifies what was committed on a node at one moment. The commitments depend only on the
   * node's entries and on which in-flight ones are live; entries change only through put and
   * remove, which bump {@code version}, and the live set only changes when the clock crosses an
   * expiry time, which stays inside {@code [liveFrom, liveUntil)} for as long as it is the same.
   *
   * @param cell the node's version cell, to read its current version without a lookup by name
   * @param version the node's version when taken
   * @param liveFrom the latest expiry already passed then, null for none
   * @param liveUntil the earliest expiry still ahead then, null for none
   * @param pods the UIDs of the pods with an entry on the node then, live or not: while the stamp
   *     holds, commitments taken without leaving any pod out are those of every other pod too
   */
  public record Stamp(
      Version cell, long version, Instant liveFrom, Instant liveUntil, Set<String> pods) {

    /** Whether the live set at {@code now} is the one this stamp was taken of. */
    boolean covers(Instant now) {
      return (liveFrom == null || !now.isBefore(liveFrom))
          && (liveUntil == null || now.isBefore(liveUntil));
    }
  }

  /**
   * A node's current version. Written only under the ledger's lock, after the entries changed or
   * when the cell is dropped; read without it.
   */
  public static final class Version {
    private volatile long value;

    private Version() {}
  }

  /**
   * A pod's name, which an in-flight entry keeps so that the API can be asked about its pod (the
   * ledger is keyed by UID, which the API cannot look up).
   */
  public record PodName(String namespace, String name) {
    @Override
    public String toString() {
      return namespace + "/" + name;
    }
  }

  /**
   * An in-flight entry as {@link #lapsingWithin} hands it out.
   *
   * @param podUid the pod it was decided for
   * @param pod that pod's name
   * @param assignment what it reserves
   */
  public record InFlight(String podUid, PodName pod, Assignment assignment) {}

  /**
   * @param expiresAt null for a bound entry
   * @param pod the pod's name, for an in-flight entry (null for a bound one)
   * @param writing bind is still writing this decision: it does not expire until {@link #written}
   * @param beneath for an in-flight entry, the bound entry of the assignment the pod carried when
   *     the decision was made, or that the informer showed since, if any: it counts again when the
   *     decision goes unwritten
   */
  private record Entry(
      Assignment assignment, Instant expiresAt, PodName pod, boolean writing, Entry beneath) {
    boolean isLive(Instant now) {
      return !counting() || now.isBefore(expiresAt);
    }

    /** Mirrors a pod in the API: no expiry. */
    boolean bound() {
      return expiresAt == null;
    }

    /** In flight with its write done, so its expiry counts. */
    boolean counting() {
      return !bound() && !writing;
    }

    Entry heldUntil(Instant until) {
      return new Entry(assignment, until, pod, writing, beneath);
    }

    Entry withBeneath(Entry carried) {
      return new Entry(assignment, expiresAt, pod, writing, carried);
    }
  }
}
