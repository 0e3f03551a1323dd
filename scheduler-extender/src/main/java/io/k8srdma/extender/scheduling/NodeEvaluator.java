package io.k8srdma.extender.scheduling;

import io.fabric8.kubernetes.api.model.Pod;
import io.k8srdma.extender.ledger.Ledger;
import io.k8srdma.extender.poller.InventoryCache;
import io.k8srdma.extender.poller.NodeState;
import io.k8srdma.model.inventory.NodeInventory;
import io.k8srdma.model.placement.Commitments;
import io.k8srdma.model.placement.FitResult;
import io.k8srdma.model.placement.Placement;
import io.k8srdma.model.placement.PlacementOptions;
import io.k8srdma.model.placement.PreparedRequest;
import io.k8srdma.model.request.InvalidRequestException;
import io.k8srdma.model.request.PodRequest;
import io.k8srdma.model.request.PodRequestCodec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Decides whether a pod's RDMA request fits a node, from memory only: the polled inventory, the
 * ledger's commitments and the placement algorithm. Shared by filter, prioritize and bind so the
 * three verbs can never disagree on a rule.
 *
 * <p>kube-scheduler calls prioritize right after filter with the same pod and nodes, so a pod's
 * verdicts are kept until its prioritize (of at most the last {@value #RECENT_PODS} pods, for pods
 * that never get one) and reused for a node as long as nothing they were computed from has changed:
 * the same pod UID and request, the very same {@link NodeInventory} instance (the poller replaces
 * it on every new inventory and keeps it on 304), and a ledger {@linkplain Ledger#unchangedSince
 * unchanged} on that node. Usability (inventory present and fresh) is checked on every call before
 * any reuse, and unusable verdicts are never kept, so staleness is always current; a call that
 * starts while no node's inventory has changed since the verdict was kept checks it from the
 * inventory's age then, without looking the node up.
 *
 * <p>Different pods share the pod-independent half of placement ({@link Placement#prepare}): each
 * node is prepared once with every ledger entry counted and reused under the same two conditions by
 * every pod that has no entry of its own there (for the others, leaving their entry out would
 * change the commitments, so they are placed from scratch). Once a second pod asks for the same
 * interfaces, as the workers of a job do, where that request fits on each prepared node is kept too
 * (for the last {@value #REMEMBERED_REQUESTS} requests), so the next workers reuse it on every node
 * that did not change since. It is kept per request, and only for requests that repeat: kept on the
 * nodes for every request, each pod wrote into hundreds of long-lived objects and left its fits
 * alive there, which doubled the young collections' pauses (docs/benchmarks-log.md, "A job's fits
 * kept per request").
 *
 * <p>Bind never reuses: it evaluates under the ledger lock with the commitments it reserves under.
 */
public class NodeEvaluator {

  /**
   * Pods whose verdicts are kept at most. Reuse only happens between one pod's filter and
   * prioritize, a few pods at a time with parallel schedulers, and prioritize drops them; this
   * bounds the pods that get no prioritize (a single feasible node, or no prioritize verb
   * configured). A pod keeps one verdict per candidate node (up to the whole cluster when the
   * scheduler sends every node), so this stays small.
   */
  static final int RECENT_PODS = 16;

  /**
   * Requests whose fits are kept for later pods with an equal request, at most: two, so that a
   * job's fits outlive one other pod scheduled between its workers, or two jobs scheduled in turn.
   */
  static final int REMEMBERED_REQUESTS = 2;

  private final InventoryCache cache;
  private final Ledger ledger;
  private final PlacementOptions options;
  private final Duration staleness;
  private final long stalenessNanos;
  private final Clock clock;

  /** Verdicts per pod and node, least recently used pod first; guarded by itself. */
  private final Map<PodKey, Map<String, Kept>> recent = leastRecentlyUsed(RECENT_PODS);

  /**
   * The last requests and, once they repeat, where they fit; least recently used first; guarded by
   * itself.
   */
  private final Map<PodRequest, RequestFits> requestFits = leastRecentlyUsed(REMEMBERED_REQUESTS);

  /** How often placement ran for filter and prioritize; for tests that check reuse. */
  private final LongAdder placementRuns = new LongAdder();

  /** How often a node was prepared for {@link #prepared}; for tests that check reuse. */
  private final LongAdder preparations = new LongAdder();

  public NodeEvaluator(
      InventoryCache cache,
      Ledger ledger,
      PlacementOptions options,
      Duration staleness,
      Clock clock) {
    this.cache = cache;
    this.ledger = ledger;
    this.options = options;
    this.staleness = staleness;
    this.stalenessNanos = staleness.toNanos();
    this.clock = clock;
  }

  /**
   * A map that keeps its {@code capacity} most recently used entries, in access order;
   * unsynchronized.
   */
  private static <K, V> Map<K, V> leastRecentlyUsed(int capacity) {
    return new LinkedHashMap<>(capacity * 2, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
        return size() > capacity;
      }
    };
  }

  /**
   * The pod's RDMA request; empty when it asks for none.
   *
   * @throws InvalidRequestException naming the annotation and field that is wrong
   */
  public Optional<PodRequest> requestOf(Pod pod) throws InvalidRequestException {
    return PodRequestCodec.read(pod);
  }

  /**
   * Evaluates one node with the ledger's current commitments (without the pod's own entry), reusing
   * the verdict of an earlier call for the same pod and request when nothing it depends on changed.
   */
  public Verdict evaluate(String node, String podUid, PodRequest request) {
    return forPod(podUid, request).evaluate(node);
  }

  /**
   * Evaluates nodes for one pod as of now; filter and prioritize take this once per call rather
   * than looking the pod's kept verdicts up, preparing its request and reading the clock once per
   * node.
   */
  public PodEvaluation forPod(String podUid, PodRequest request) {
    PodKey key = new PodKey(podUid, request);
    Map<String, Kept> kept;
    synchronized (recent) {
      // Sized for the few hundred candidates kube-scheduler sends, so the map never grows mid-call.
      kept = recent.computeIfAbsent(key, k -> new ConcurrentHashMap<>(512));
    }
    return new PodEvaluation(key, kept);
  }

  /**
   * Where {@code request} fit so far, to reuse and to add to; null while no other pod than {@code
   * podUid} asked for it.
   */
  private Map<String, NodeFit> fitsFor(String podUid, PodRequest request) {
    synchronized (requestFits) {
      RequestFits fits = requestFits.get(request);
      if (fits == null) {
        requestFits.put(request, new RequestFits(podUid));
        return null;
      }
      return fits.askedBy(podUid);
    }
  }

  /** How often placement ran for filter and prioritize (bind not counted; reused fits neither). */
  long placementRuns() {
    return placementRuns.sum();
  }

  /** How often a node was prepared to be shared between pods. */
  long preparations() {
    return preparations.sum();
  }

  /**
   * The node's PFs prepared for placement with every ledger entry counted, shared by all pods that
   * have no entry of their own on the node, and prepared again when anything changed. It is kept on
   * the node's cache entry, so it goes when the cache forgets the node.
   */
  private Shared sharedFor(
      String node, InventoryCache.CachedNode cached, NodeInventory inventory, Instant now) {
    if (cached.derived() instanceof Shared s
        && s.owner == this
        && s.inventory() == inventory
        && ledger.unchangedSince(s.stamp(), now)) {
      return s;
    }
    Ledger.Snapshot all = ledger.snapshot(node, null);
    preparations.increment();
    Shared s =
        new Shared(
            this, inventory, all.stamp(), Placement.prepare(inventory, all.commitments(), options));
    cached.derived(s);
    return s;
  }

  /** One pod's evaluations, backed by the verdicts kept for it. */
  public final class PodEvaluation {

    private final PodKey key;
    private final PreparedRequest prepared;

    /** Where the pod's request fit on each node, for any pod asking for it; null if none. */
    private final Map<String, NodeFit> fits;

    private final Map<String, Kept> kept;

    /**
     * The cache's inventory generation, read before any node of this call is looked up: a verdict
     * kept under the same generation was computed from inventories that are all still current.
     */
    private final long inventories;

    /** One instant for the whole call: one clock read, one view of staleness and expiries. */
    private final Instant now;

    /** {@link #now} in nanoseconds since the epoch. */
    private final long nowNanos;

    private PodEvaluation(PodKey key, Map<String, Kept> kept) {
      this.inventories = cache.inventoryGeneration();
      this.key = key;
      this.prepared = Placement.prepare(key.request());
      this.fits = fitsFor(key.podUid(), key.request());
      this.kept = kept;
      this.now = clock.instant();
      this.nowNanos = epochNanos(now);
    }

    /**
     * The verdict for {@code node}, as {@link NodeEvaluator#evaluate(String, String, PodRequest)}.
     */
    public Verdict evaluate(String node) {
      Kept previous = kept.get(node);
      if (previous != null && previous.holdsUnlookedUp(inventories, nowNanos, now, ledger)) {
        // Prioritize right after filter: no node's inventory changed since, this node is fresh by
        // the age it had then, and its ledger is unchanged, so the node is not even looked up
        // (that lookup missed the CPU caches for most candidates: ~10% of a cycle's CPU).
        return previous.verdict();
      }
      InventoryCache.CachedNode cached = cache.lookup(node);
      NodeState state = cached == null ? null : cached.state();
      Verdict unusable = unusable(state, now);
      if (unusable != null) {
        // The kept verdict would still be right once the node is fresh again (it depends on the
        // inventory, not on its age), but a staleness boundary is a cheap, rare point to drop it.
        kept.remove(node);
        return unusable;
      }
      NodeInventory inventory = state.inventory();
      if (previous != null && previous.stillHolds(inventory, ledger, now)) {
        return previous.verdict();
      }
      Shared shared = sharedFor(node, cached, inventory, now);
      FitResult fit;
      Ledger.Stamp stamp;
      String podUid = key.podUid();
      if (podUid == null || !shared.stamp().pods().contains(podUid)) {
        // Leaving out the pod's own entry leaves out nothing: the shared preparation is exact.
        fit = fitOn(node, shared);
        stamp = shared.stamp();
      } else {
        Ledger.Snapshot own = ledger.snapshot(node, podUid);
        fit = Placement.fit(inventory, own.commitments(), key.request(), options);
        placementRuns.increment();
        stamp = own.stamp();
      }
      Verdict verdict = new Verdict(fit, null);
      kept.put(
          node, new Kept(inventory, stamp, verdict, inventories, freshUntil(state.confirmedAt())));
      return verdict;
    }

    /** Where the pod's request fits on the shared preparation of {@code node}. */
    private FitResult fitOn(String node, Shared shared) {
      NodeFit known = fits == null ? null : fits.get(node);
      if (known != null && known.shared() == shared) {
        return known.fit();
      }
      FitResult fit = Placement.fit(shared.node, prepared);
      placementRuns.increment();
      if (fits != null) {
        fits.put(node, new NodeFit(shared, fit));
      }
      return fit;
    }

    /**
     * Drops the verdicts kept for this pod. Prioritize calls it when done: no verb reuses them
     * after it, and kept until {@value NodeEvaluator#RECENT_PODS} later pods push them out, they
     * would be most of what each young collection has to copy (a pod keeps several objects per
     * candidate node).
     */
    public void forget() {
      synchronized (recent) {
        if (recent.get(key) == kept) {
          recent.remove(key);
        }
      }
    }

    /**
     * Until when, in nanoseconds since the epoch, an inventory confirmed at {@code confirmedAt}
     * stays fresh: a number on the kept verdict itself, so prioritize checks it without following a
     * reference to an instant elsewhere in memory for every candidate.
     */
    private long freshUntil(Instant confirmedAt) {
      return confirmedAt == null ? Long.MIN_VALUE : epochNanos(confirmedAt) + stalenessNanos;
    }
  }

  /** A node prepared for placement, with what it was prepared from. */
  private static final class Shared {

    /** Prepared with this evaluator's options (tests run several over one cache). */
    private final NodeEvaluator owner;

    private final NodeInventory inventory;
    private final Ledger.Stamp stamp;
    private final Placement.PreparedNode node;

    Shared(
        NodeEvaluator owner,
        NodeInventory inventory,
        Ledger.Stamp stamp,
        Placement.PreparedNode node) {
      this.owner = owner;
      this.inventory = inventory;
      this.stamp = stamp;
      this.node = node;
    }

    NodeInventory inventory() {
      return inventory;
    }

    Ledger.Stamp stamp() {
      return stamp;
    }
  }

  /**
   * A request asked for lately, and where it fits on each node it was placed on since a second pod
   * asked for it, with the preparation it was placed on: exact while that preparation is the
   * node's, as placement is a pure function of the prepared node and the request.
   */
  private static final class RequestFits {

    /** The pod that asked first; its filter and prioritize alone do not make the request repeat. */
    private final String firstPod;

    /**
     * Null while only the first pod asked: most pods' requests are their own, and recording their
     * fits would cost a map entry per candidate for nothing. Set under the lock of the requests.
     */
    private Map<String, NodeFit> byNode;

    RequestFits(String firstPod) {
      this.firstPod = firstPod;
    }

    /** The fits to reuse and add to for {@code podUid}, recorded from the second pod on. */
    Map<String, NodeFit> askedBy(String podUid) {
      if (byNode == null && !Objects.equals(firstPod, podUid)) {
        // Sized for the few hundred candidates kube-scheduler sends; grows with the nodes it meets.
        byNode = new ConcurrentHashMap<>(512);
      }
      return byNode;
    }
  }

  /** A request's fit on a node, and the node's preparation it was placed on. */
  private record NodeFit(Shared shared, FitResult fit) {}

  /** The identity of a pod's evaluation: the ledger leaves out the pod's own entry. */
  private record PodKey(String podUid, PodRequest request) {}

  /**
   * A verdict and what it was computed from.
   *
   * @param inventory compared by identity: a new inventory is a new instance
   * @param stamp the ledger's stamp for the node when its commitments were read
   * @param inventories the cache's inventory generation read before {@code inventory} was
   * @param freshUntil when {@code inventory} turns stale unless its agent confirms it again, in
   *     nanoseconds since the epoch
   */
  private record Kept(
      NodeInventory inventory,
      Ledger.Stamp stamp,
      Verdict verdict,
      long inventories,
      long freshUntil) {

    boolean stillHolds(NodeInventory current, Ledger ledger, Instant now) {
      return inventory == current && ledger.unchangedSince(stamp, now);
    }

    /**
     * Whether the verdict still holds without looking the node up: {@code inventory} is still the
     * node's if no inventory changed since ({@code generation}), and it is fresh at {@code now} if
     * it was fresh until then when kept (a later confirmation only makes it fresher).
     */
    boolean holdsUnlookedUp(long generation, long nowNanos, Instant now, Ledger ledger) {
      return inventories == generation
          && nowNanos <= freshUntil
          && ledger.unchangedSince(stamp, now);
    }
  }

  /** Nanoseconds since the epoch; fits a long until the year 2262. */
  private static long epochNanos(Instant t) {
    return t.getEpochSecond() * 1_000_000_000L + t.getNano();
  }

  /** Evaluates one node against given commitments (bind passes the ones it reserves under). */
  public Verdict evaluate(String node, PodRequest request, Commitments commitments) {
    NodeState state = cache.get(node).orElse(null);
    Verdict unusable = unusable(state, clock.instant());
    if (unusable != null) {
      return unusable;
    }
    FitResult fit = Placement.fit(state.inventory(), commitments, request, options);
    return new Verdict(fit, null);
  }

  /**
   * Evaluates one node as {@link #evaluate(String, PodRequest, Commitments)} does, but may give the
   * pod only the VFs in {@code vfs}: bind checks with it that an assignment a pod carries still
   * fits its request and the node.
   */
  public Verdict evaluateOn(
      String node, PodRequest request, Commitments commitments, Set<String> vfs) {
    NodeState state = cache.get(node).orElse(null);
    Verdict unusable = unusable(state, clock.instant());
    if (unusable != null) {
      return unusable;
    }
    NodeInventory restricted = state.inventory().withFreeOnly(vfs);
    return new Verdict(Placement.fit(restricted, commitments, request, options), null);
  }

  /**
   * Why placement may not use the node's inventory (unknown node: null state, none yet, stale), or
   * null when it may. Null rather than a wrapper for the usable case: this runs for every candidate
   * node.
   */
  private Verdict unusable(NodeState state, Instant now) {
    if (state == null) {
      return Verdict.unusable("no k8s-rdma node agent is known for this node");
    }
    String reason = state.unusableReason(now, staleness);
    return reason == null ? null : Verdict.unusable(reason);
  }

  /**
   * The outcome for one node.
   *
   * @param fit the placement result; null when the node's inventory cannot be used
   * @param unusable why the node's inventory cannot be used (missing, stale), else null
   */
  public record Verdict(FitResult fit, String unusable) {

    static Verdict unusable(String reason) {
      return new Verdict(null, reason);
    }

    /** Whether the pod fits. */
    public boolean fits() {
      return fit != null && fit.fits();
    }

    /** Why the pod does not fit, for the user. */
    public String reason() {
      if (unusable != null) {
        return unusable;
      }
      return fit instanceof FitResult.NoFit noFit ? noFit.reason() : null;
    }

    /** The score 0..10, 0 when it does not fit. */
    public int score() {
      return fit instanceof FitResult.Fit f ? f.score() : 0;
    }
  }
}
