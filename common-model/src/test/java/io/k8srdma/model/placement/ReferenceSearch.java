package io.k8srdma.model.placement;

import io.k8srdma.model.request.InterfaceRequest;
import io.k8srdma.model.request.PodRequest;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * {@code Search} as it was before it became a per-thread workspace (commit 1705163): a new object
 * and new arrays for every candidate node. Kept verbatim, apart from its name, as the reference
 * that {@link ReusedSearchPropertyTest} compares the reused search against, step for step; not used
 * by production code.
 *
 * <p>The original comment: backtracking over the interfaces, largest floor first, each to a PF;
 * identical interfaces in non-decreasing PF order, PFs alike right now tried once, dead states
 * remembered, admissible bounds once the search backtracks (see {@code Search}).
 */
final class ReferenceSearch {

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

  /** Each position's floor; non-increasing, as positions are in largest-floor-first order. */
  private final long[] floor;

  // What the bounds of mayComplete need is built on their first use: a search that does not
  // backtrack (most, on most nodes) never uses them, and this runs for every candidate node.

  /** {@code restFloor[k]}: the sum of the floors from position {@code k} on (saturated). */
  private long[] restFloor;

  /** For each position, one past the last position of its run of identical interfaces. */
  private int[] runEnd;

  /** {@code usefulFrom[k][p]}: some position from {@code k} on may use PF {@code p}. */
  private boolean[][] usefulFrom;

  /** The request's total floor is 0: the objective then counts VFs instead of bandwidth. */
  private final boolean byVfs;

  /** Subset sums are tracked up to this many units (64 words: 4096 bits per position). */
  private static final int SUM_BITS = 4096;

  /** The greatest common divisor of the positive floors, in Mb/s; 0 when there are none. */
  private long unit;

  /** How many units {@link #sums} tracks: enough for the largest room, at most SUM_BITS. */
  private int sumBits;

  /** Steps after which the bounds of {@link #mayComplete} are checked. */
  private static final int BOUNDS_AFTER_STEPS = 64;

  /**
   * {@code sums[k]}, bit {@code s}: some subset of the floors from position {@code k} on adds up to
   * {@code s x unit}. Built on first use (most searches end before needing it); null when not yet
   * built or when a floor is too fine-grained for it to help.
   */
  private long[][] sums;

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
  ReferenceSearch(List<PfState> pfs, PodRequest request, PlacementOptions options) {
    this(pfs.toArray(new PfState[0]), staticClasses(pfs), new PreparedRequest(request), options);
  }

  /**
   * Sets a search up. This runs once per candidate node of every filter, so it works on primitive
   * arrays and the request's precomputed order and likeness instead of building keys and sorting
   * boxed indexes.
   */
  ReferenceSearch(
      PfState[] pfs, int[] staticClass, PreparedRequest request, PlacementOptions options) {
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
    this.floor = new long[n];
    boolean anyFloor = false;
    for (int k = 0; k < n; k++) {
      floor[k] = req[k].minTxRateMbps();
      anyFloor |= floor[k] > 0;
    }
    this.byVfs = !anyFloor;
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
    // The bounds cost more than they save while the search is short (most nodes that do not fit
    // are refuted in a few dozen steps), and once a mapping is found the search only looks for
    // better ones, which the bounds rarely cut.
    if (memo && best == null && steps > BOUNDS_AFTER_STEPS && !mayComplete(k, from)) {
      return false;
    }
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

  /**
   * False when the interfaces from position {@code k} on provably cannot all be placed in the
   * current state. Every test is a relaxation of the placement rules, so it never cuts off a
   * completion (it is admissible); it only spares the search subtrees without one. Only the PFs
   * with a free VF that some of these interfaces may use count, and a PF's room is its remaining
   * bandwidth when its capacity is known (0 otherwise: it takes zero floors only).
   *
   * <ul>
   *   <li>Count: a PF takes at most as many of them as it has free VFs, and at most as many as the
   *       smallest of their floors that fit its room together.
   *   <li>Bandwidth: a PF absorbs at most its room, and at most the sum of the largest floors that
   *       each fit its room, one per free VF; together that must cover their floors. This is what
   *       cuts bin packing short: room too small for any floor still needed is lost, so a branch
   *       that wastes more than the slack fails at once instead of after trying every order.
   *   <li>Runs of identical interfaces: a run needs as many slots as it has interfaces on the PFs
   *       its constraints allow (from the PF the previous one took, as the search places a run in
   *       non-decreasing PF order), counting a PF's slots as min(free VFs, room / floor).
   * </ul>
   */
  private boolean mayComplete(int k, int from) {
    if (restFloor == null) {
      prepareBounds();
    }
    int rest = n - k;
    long bandwidth = 0;
    int slots = 0;
    boolean[] useful = usefulFrom[k];
    for (int p = 0; p < pfs.length; p++) {
      int free = freeVfs[p];
      if (free == 0 || !useful[p]) {
        continue;
      }
      long room = room(p);
      int most = Math.min(free, rest);
      slots += mostThatFit(most, room);
      if (room > 0) {
        int j = firstFitting(k, room);
        int end = Math.min(n, j + most);
        long largest =
            restFloor[j] == Long.MAX_VALUE ? Long.MAX_VALUE : restFloor[j] - restFloor[end];
        bandwidth = saturatedAdd(bandwidth, Math.min(reachable(k, room), largest));
      }
    }
    return slots >= rest && bandwidth >= restFloor[k] && runsFit(k, from);
  }

  /**
   * The largest sum of floors from position {@code k} on that is at most {@code room}: the most a
   * PF with that room can take of them, whatever the VF counts. Room that no combination fills is
   * lost, which is what decides tight packings. Just {@code room} when the floors' common divisor
   * is too small for the room to be tracked in {@link #sumBits} units.
   */
  private long reachable(int k, long room) {
    if (unit == 0 || room / unit >= sumBits) {
      return room;
    }
    if (sums == null) {
      sums = subsetSums();
    }
    long[] bits = sums[k];
    int r = (int) (room / unit);
    int w = r >>> 6;
    long word = bits[w] & (-1L >>> (63 - (r & 63)));
    while (word == 0) {
      word = bits[--w]; // bit 0 (the empty sum) is always set
    }
    return ((long) (w << 6) + 63 - Long.numberOfLeadingZeros(word)) * unit;
  }

  /**
   * {@link #sums}: each position's bits are the next position's, plus those shifted by its floor.
   */
  private long[][] subsetSums() {
    int words = sumBits / 64;
    long[][] out = new long[n + 1][words];
    out[n][0] = 1;
    for (int k = n - 1; k >= 0; k--) {
      long[] src = out[k + 1];
      long[] dst = out[k];
      long shift = floor[k] / unit;
      int ws = (int) Math.min(words, shift >>> 6);
      int bs = (int) (shift & 63);
      for (int i = 0; i < words; i++) {
        long moved = 0;
        int from = i - ws;
        if (shift < sumBits && from >= 0) {
          moved = src[from] << bs;
          if (bs != 0 && from > 0) {
            moved |= src[from - 1] >>> (64 - bs);
          }
        }
        dst[i] = src[i] | moved;
      }
    }
    return out;
  }

  /** Builds what {@link #mayComplete} reads of the request and the node. */
  private void prepareBounds() {
    long[] rest = new long[n + 1];
    runEnd = new int[n];
    usefulFrom = new boolean[n + 1][pfs.length];
    long g = 0;
    for (int k = n - 1; k >= 0; k--) {
      rest[k] = saturatedAdd(rest[k + 1], floor[k]);
      runEnd[k] = k + 1 < n && sameAsPrevious[k + 1] ? runEnd[k + 1] : k + 1;
      System.arraycopy(usefulFrom[k + 1], 0, usefulFrom[k], 0, pfs.length);
      for (int p : eligible[k]) {
        usefulFrom[k][p] = true;
      }
      g = gcd(g, floor[k]);
    }
    unit = g;
    // Sums only up to the largest room any PF can have: most nodes need a few words, not 64.
    long maxRoom = 0;
    for (PfState p : pfs) {
      maxRoom = Math.max(maxRoom, p.capacityKnown ? Math.max(0, p.available) : 0);
    }
    sumBits = g == 0 ? 0 : (int) Math.min(SUM_BITS, ((maxRoom / g) / 64 + 1) * 64);
    restFloor = rest;
  }

  private static long gcd(long a, long b) {
    while (b != 0) {
      long t = a % b;
      a = b;
      b = t;
    }
    return a;
  }

  /** The bandwidth PF {@code p} can still take: 0 when its capacity is unknown or exceeded. */
  private long room(int p) {
    return pfs[p].capacityKnown ? Math.max(0, left[p]) : 0;
  }

  /**
   * How many of the remaining interfaces, at most {@code most}, fit in {@code room} together: the
   * smallest floors are the last positions, so the {@code t} smallest sum to {@code restFloor[n -
   * t]}, which grows with {@code t}.
   */
  private int mostThatFit(int most, long room) {
    int lo = 0;
    int hi = most;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (restFloor[n - mid] <= room) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
  }

  /** The first position from {@code k} on whose floor fits in {@code room}; n when none does. */
  private int firstFitting(int k, long room) {
    int lo = k;
    int hi = n;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (floor[mid] <= room) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }

  /** The run bound of {@link #mayComplete}, for each run of identical interfaces from k on. */
  private boolean runsFit(int k, int from) {
    for (int j = k; j < n; j = runEnd[j]) {
      int size = runEnd[j] - j;
      int lowest = j == k && sameAsPrevious[k] ? from : 0;
      long f = floor[j];
      int slots = 0;
      for (int p : eligible[j]) {
        if (p < lowest || freeVfs[p] == 0) {
          continue;
        }
        long fit = f == 0 ? size : room(p) / f;
        slots += (int) Math.min(freeVfs[p], fit);
        if (slots >= size) {
          break;
        }
      }
      if (slots < size) {
        return false;
      }
    }
    return true;
  }

  /** a + b for non-negative values, Long.MAX_VALUE when that overflows. */
  static long saturatedAdd(long a, long b) {
    long sum = a + b;
    return sum < 0 ? Long.MAX_VALUE : sum;
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
    long f = floor[k];
    int[] list = candidateSlots;
    int end = base;
    for (int p : eligible[k]) {
      if ((!sameAsPrevious[k] || p >= from) && freeVfs[p] > 0 && pfs[p].bandwidthFits(f, left[p])) {
        list[end++] = p;
      }
    }
    int numa = usedNumaNode();
    // Insertion sort on primitives: lists are short and this runs at every step.
    for (int i = base + 1; i < end; i++) {
      int p = list[i];
      int j = i - 1;
      while (j >= base && prefer(p, list[j], numa, f) < 0) {
        list[j + 1] = list[j];
        j--;
      }
      list[j + 1] = p;
    }
    return end - base;
  }

  /**
   * Negative when PF {@code a} should be tried before {@code b} for an interface of {@code f} Mb/s:
   * the NUMA node in use first (when alignment counts), then the PF where the objective's leftover
   * grows least (BINPACK) or most (SPREAD), then the one with less (BINPACK) or more (SPREAD)
   * bandwidth left, then index. So each step's first candidate is the one that is best for the
   * objective on its own, and the first complete mapping is the objective's greedy choice.
   */
  private int prefer(int a, int b, int numa, long f) {
    if (options.numaBonus() && numa != NO_NUMA) {
      int c = Boolean.compare(pfs[a].numaNode != numa, pfs[b].numaNode != numa);
      if (c != 0) {
        return c;
      }
    }
    boolean spread = options.policy() == ScoringPolicy.SPREAD;
    int c = Long.compare(growth(a, f), growth(b, f));
    if (c == 0) {
      c = Long.compare(left[a], left[b]);
    }
    if (c != 0) {
      return spread ? -c : c;
    }
    return Integer.compare(a, b);
  }

  /**
   * How much the leftover that {@link Objective} measures grows when an interface of {@code f} Mb/s
   * goes to PF {@code p}: an unused PF adds what it has left after taking it, a used one loses
   * {@code f}. In VFs instead when the request has no floor at all, as the objective then is.
   */
  private long growth(int p, long f) {
    if (byVfs) {
      return used[p] > 0 ? -1 : freeVfs[p] - 1;
    }
    if (!pfs[p].capacityKnown) {
      return 0;
    }
    long before = used[p] > 0 ? Math.max(0, left[p]) : 0;
    return Math.max(0, left[p] - f) - before;
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
      bestObjective = Objective.of(aligned, raw, options);
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
