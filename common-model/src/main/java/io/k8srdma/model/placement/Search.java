package io.k8srdma.model.placement;

import io.k8srdma.model.request.InterfaceRequest;
import io.k8srdma.model.request.PodRequest;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The mapping search: backtracking over the interfaces, largest floor first, each to a PF.
 *
 * <p>Only per-PF counts matter (VFs of one PF are interchangeable; concrete VFs are picked
 * afterwards), so the search never branches on VFs. Three reductions keep it small:
 *
 * <ul>
 *   <li>identical interfaces (same floor and constraints) are placed in non-decreasing PF order, so
 *       each multiset of PFs is visited once rather than once per permutation;
 *   <li>at each step, PFs that are indistinguishable right now (same link layer, NUMA node,
 *       capacity, VF count, remaining bandwidth and free VFs, both used or both unused) are tried
 *       once: the other choice leads to a mirror-image subtree;
 *   <li>states (position, remaining bandwidth and free VFs of every PF) proven to have no
 *       completion are remembered and not searched again.
 * </ul>
 *
 * Candidates are tried in the policy's preferred order (best fit for BINPACK, worst fit for SPREAD,
 * the NUMA node already in use first), so the first complete mapping is the greedy one and later
 * ones only replace it when they score higher. After {@code searchBudget} steps the best mapping so
 * far is kept; without any mapping the search goes on up to {@link #HARD_LIMIT_FACTOR} times the
 * budget before it gives up.
 */
final class Search {

  static final int HARD_LIMIT_FACTOR = 20;

  /** No PF used yet (-1 is a real answer from sysfs, so it cannot mark "none"). */
  private static final int NO_NUMA = Integer.MIN_VALUE;

  private final PfState[] pfs;
  private final PlacementOptions options;
  private final int n;

  /** Interfaces in search order. */
  private final InterfaceRequest[] req;

  /** For each search position, the position of that interface in the request. */
  private final int[] requestIndex;

  /** True when the interface at this position is identical to the one before it. */
  private final boolean[] sameAsPrevious;

  /** For each search position, the PFs that match its constraints. */
  private final int[][] eligible;

  /** PFs with equal class are alike in everything that does not change during the search. */
  private final int[] staticClass;

  /** Any PF pin breaks the symmetry between PFs (a pin names one of them). */
  private final boolean symmetry;

  private final long[] left;
  private final int[] freeVfs;
  private final int[] used;
  private final int[] assigned;

  /**
   * Each position's candidates, {@code pfs.length} slots per position: filled at every step, so one
   * buffer for the whole search instead of a new array per step.
   */
  private final int[] candidateSlots;

  /** States proven to have no completion; most searches find none, so it is made on demand. */
  private Set<Key> dead;

  private long steps;
  private boolean stopped;
  private int[] best;
  private Objective bestObjective;

  /** A search on an unprepared node and request; for tests. */
  Search(List<PfState> pfs, PodRequest request, PlacementOptions options) {
    this(pfs.toArray(new PfState[0]), staticClasses(pfs), new PreparedRequest(request), options);
  }

  /**
   * Sets a search up. This runs once per candidate node of every filter, so it works on primitive
   * arrays and the request's precomputed order and likeness instead of building keys and sorting
   * boxed indexes.
   */
  Search(PfState[] pfs, int[] staticClass, PreparedRequest request, PlacementOptions options) {
    this.pfs = pfs;
    this.options = options;
    this.n = request.size();
    InterfaceRequest[] in = request.interfaces;
    int[] like = request.likeId;
    int[][] eligibleByRequest = new int[n][];
    for (int i = 0; i < n; i++) {
      eligibleByRequest[i] = eligiblePfs(pfs, in[i]);
    }
    // Largest floor first (fails fast, packs well); then the most constrained; identical
    // interfaces end up adjacent, which the non-decreasing-PF rule needs. The request is already
    // by floor, so the insertion sort only moves interfaces whose eligible PFs differ.
    int[] order = request.largestFirst.clone();
    for (int i = 1; i < n; i++) {
      int x = order[i];
      int j = i - 1;
      while (j >= 0 && searchOrder(x, order[j], in, eligibleByRequest, like) < 0) {
        order[j + 1] = order[j];
        j--;
      }
      order[j + 1] = x;
    }
    this.req = new InterfaceRequest[n];
    this.requestIndex = order;
    this.eligible = new int[n][];
    this.sameAsPrevious = new boolean[n];
    for (int k = 0; k < n; k++) {
      req[k] = in[order[k]];
      eligible[k] = eligibleByRequest[order[k]];
      sameAsPrevious[k] = k > 0 && like[order[k]] == like[order[k - 1]];
    }
    this.symmetry = !request.pinned;
    this.staticClass = staticClass;
    this.left = new long[pfs.length];
    this.freeVfs = new int[pfs.length];
    for (PfState p : pfs) {
      left[p.index] = p.available;
      freeVfs[p.index] = p.freeCount;
    }
    this.used = new int[pfs.length];
    this.assigned = new int[n];
    this.candidateSlots = new int[n * pfs.length];
  }

  /** Negative when request position {@code a} is searched before {@code b}. */
  private static int searchOrder(
      int a, int b, InterfaceRequest[] in, int[][] eligible, int[] like) {
    int c = Long.compare(in[b].minTxRateMbps(), in[a].minTxRateMbps());
    if (c == 0) {
      c = Integer.compare(eligible[a].length, eligible[b].length);
    }
    if (c == 0) {
      c = Integer.compare(like[a], like[b]);
    }
    return c != 0 ? c : Integer.compare(a, b);
  }

  /** The PFs that match {@code r} and can take it as they are now, by index. */
  private static int[] eligiblePfs(PfState[] pfs, InterfaceRequest r) {
    int[] list = new int[pfs.length];
    int size = 0;
    for (PfState p : pfs) {
      if (p.matches(r) && p.canTake(r.minTxRateMbps())) {
        list[size++] = p.index;
      }
    }
    return size == list.length ? list : Arrays.copyOf(list, size);
  }

  /** Runs the search; afterwards {@link #best()} holds the chosen mapping, if any. */
  void run() {
    dfs(0, 0);
  }

  /** For each position in the request, the chosen PF index; null when nothing fits. */
  int[] best() {
    if (best == null) {
      return null;
    }
    int[] byRequest = new int[n];
    for (int k = 0; k < n; k++) {
      byRequest[requestIndex[k]] = best[k];
    }
    return byRequest;
  }

  Objective bestObjective() {
    return bestObjective;
  }

  /**
   * True when the search stopped on its budget, so the mapping may not be the best one; false when
   * it covered the space or found a mapping nothing can beat.
   */
  boolean stopped() {
    return stopped;
  }

  long steps() {
    return steps;
  }

  private boolean dfs(int k, int from) {
    steps++;
    if ((best != null && steps > options.searchBudget())
        || steps > (long) options.searchBudget() * HARD_LIMIT_FACTOR) {
      stopped = true;
      return false;
    }
    if (k == n) {
      record();
      return true;
    }
    // The last interface is cheaper to try than to look up, and most states are that deep.
    boolean memo = k < n - 1;
    if (memo && dead != null && dead.contains(key(k, from))) {
      return false;
    }
    boolean found = false;
    int base = k * pfs.length;
    int count = candidates(k, from, base);
    for (int i = base; i < base + count; i++) {
      int p = candidateSlots[i];
      if (symmetry && alikeTriedBefore(base, i)) {
        continue;
      }
      place(k, p);
      found |= dfs(k + 1, p);
      unplace(k, p);
      if (stopped || perfect()) {
        // Out of budget, or a perfect score that nothing can beat: either way, done.
        return found;
      }
    }
    if (!found && memo) {
      if (dead == null) {
        dead = new HashSet<>();
      }
      dead.add(key(k, from));
    }
    return found;
  }

  private Key key(int k, int from) {
    return new Key(k, sameAsPrevious[k] ? from : -1, left.clone(), freeVfs.clone());
  }

  /**
   * Whether an earlier candidate of this step is indistinguishable from candidate {@code i} right
   * now: then trying {@code i} would search a mirror image of a subtree already searched. The state
   * is restored after each try, so the earlier candidates look as they did when they were tried.
   */
  private boolean alikeTriedBefore(int base, int i) {
    int p = candidateSlots[i];
    for (int j = base; j < i; j++) {
      int q = candidateSlots[j];
      if (staticClass[q] == staticClass[p]
          && left[q] == left[p]
          && freeVfs[q] == freeVfs[p]
          && (used[q] > 0) == (used[p] > 0)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Writes the PFs that can take interface {@code k} now, in the policy's preferred order, to the
   * candidate slots from {@code base}, and returns how many there are.
   */
  private int candidates(int k, int from, int base) {
    long floor = req[k].minTxRateMbps();
    int[] list = candidateSlots;
    int end = base;
    for (int p : eligible[k]) {
      if ((!sameAsPrevious[k] || p >= from)
          && freeVfs[p] > 0
          && pfs[p].bandwidthFits(floor, left[p])) {
        list[end++] = p;
      }
    }
    int numa = usedNumaNode();
    // Insertion sort on primitives: lists are short and this runs at every step.
    for (int i = base + 1; i < end; i++) {
      int p = list[i];
      int j = i - 1;
      while (j >= base && prefer(p, list[j], numa) < 0) {
        list[j + 1] = list[j];
        j--;
      }
      list[j + 1] = p;
    }
    return end - base;
  }

  /**
   * Negative when PF {@code a} should be tried before {@code b}: the NUMA node in use first (when
   * alignment counts), then known capacity, then best fit (BINPACK) or worst fit (SPREAD), then
   * index.
   */
  private int prefer(int a, int b, int numa) {
    if (options.numaBonus() && numa != NO_NUMA) {
      int c = Boolean.compare(pfs[a].numaNode != numa, pfs[b].numaNode != numa);
      if (c != 0) {
        return c;
      }
    }
    int c = Boolean.compare(!pfs[a].capacityKnown, !pfs[b].capacityKnown);
    if (c != 0) {
      return c;
    }
    c = Long.compare(left[a], left[b]);
    if (c != 0) {
      return options.policy() == ScoringPolicy.SPREAD ? -c : c;
    }
    return Integer.compare(a, b);
  }

  private int usedNumaNode() {
    for (int p = 0; p < used.length; p++) {
      if (used[p] > 0) {
        return pfs[p].numaNode;
      }
    }
    return NO_NUMA;
  }

  private void place(int k, int p) {
    assigned[k] = p;
    used[p]++;
    freeVfs[p]--;
    if (pfs[p].capacityKnown) {
      left[p] -= req[k].minTxRateMbps();
    }
  }

  private void unplace(int k, int p) {
    used[p]--;
    freeVfs[p]++;
    if (pfs[p].capacityKnown) {
      left[p] += req[k].minTxRateMbps();
    }
  }

  private void record() {
    // Most complete mappings lose to the best so far: measured without building an Objective.
    boolean aligned = Objective.aligned(pfs, used);
    double raw = Objective.raw(pfs, left, freeVfs, used, options);
    if (bestObjective == null || bestObjective.beatenBy(aligned, raw)) {
      bestObjective = new Objective(aligned, raw, options.numaBonus());
      best = assigned.clone();
    }
  }

  private boolean perfect() {
    return bestObjective != null && bestObjective.isPerfect();
  }

  /** Per PF, an id shared by the PFs alike in everything the search does not change. */
  static int[] staticClasses(List<PfState> pfs) {
    // Pairwise rather than hashed: nodes have a handful of PFs, and this runs for every node
    // whose inventory or ledger entries changed.
    int[] classes = new int[pfs.size()];
    int next = 0;
    for (int i = 0; i < pfs.size(); i++) {
      classes[i] = -1;
      for (int j = 0; j < i && classes[i] < 0; j++) {
        if (staticallyAlike(pfs.get(i), pfs.get(j))) {
          classes[i] = classes[j];
        }
      }
      if (classes[i] < 0) {
        classes[i] = next++;
      }
    }
    return classes;
  }

  private static boolean staticallyAlike(PfState a, PfState b) {
    return a.pf.linkLayer() == b.pf.linkLayer()
        && a.numaNode == b.numaNode
        && a.capacityKnown == b.capacityKnown
        && a.effectiveCapacity == b.effectiveCapacity
        && a.vfTotal == b.vfTotal;
  }

  /** A search state; arrays compared by content. */
  private record Key(int position, int from, long[] left, int[] freeVfs) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Key k
          && position == k.position
          && from == k.from
          && Arrays.equals(left, k.left)
          && Arrays.equals(freeVfs, k.freeVfs);
    }

    @Override
    public int hashCode() {
      return Objects.hash(position, from, Arrays.hashCode(left), Arrays.hashCode(freeVfs));
    }

    @Override
    public String toString() {
      return "Key[" + position + "," + from + "]";
    }
  }
}
