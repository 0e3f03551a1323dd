package io.k8srdma.model.placement;

import io.k8srdma.model.request.InterfaceRequest;
import io.k8srdma.model.request.PodRequest;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
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
 *       completion are remembered and not searched again;
 *   <li>at each state, admissible bounds (see {@link #mayComplete}) on VF counts, bandwidth and the
 *       sums the remaining floors can make cut off branches that cannot complete: bin packing with
 *       little slack and hopeless nodes are settled in a fraction of the steps.
 * </ul>
 *
 * Candidates are tried in the policy's preferred order (the NUMA node already in use first, then
 * where the objective's leftover grows least for BINPACK or most for SPREAD), so the first complete
 * mapping is the objective's greedy one and later ones only replace it when they score higher.
 * After {@code searchBudget} steps the best mapping so far is kept; without any mapping the search
 * goes on up to {@link #HARD_LIMIT_FACTOR} times the budget before it gives up.
 *
 * <p>Placement runs a search for every candidate node of every filter, so each thread reuses one
 * ({@link #acquire}, {@link #start}, {@link #release}): its arrays grow to the largest request and
 * node seen on the thread and are filled again for each node, instead of a new object and a dozen
 * arrays per node. A search's answers are copied out ({@link #best()} is a new array) before its
 * release, so nothing that outlives a fit refers to them.
 */
final class Search {

  static final int HARD_LIMIT_FACTOR = 20;

  /** No PF used yet (-1 is a real answer from sysfs, so it cannot mark "none"). */
  private static final int NO_NUMA = Integer.MIN_VALUE;

  /** Subset sums are tracked up to this many units (64 words: 4096 bits per position). */
  private static final int SUM_BITS = 4096;

  /** Steps after which the bounds of {@link #mayComplete} are checked. */
  private static final int BOUNDS_AFTER_STEPS = 64;

  /**
   * Each thread's search, set up again for every candidate node (see {@link #acquire}). A search
   * runs once per candidate of every filter, and its object and a dozen arrays per node were half
   * of filter's allocation; the request threads are pooled platform threads, so each keeps one.
   */
  private static final ThreadLocal<Search> PER_THREAD = ThreadLocal.withInitial(Search::new);

  /** Set from {@link #acquire} to {@link #release}: a search never starts another on its thread. */
  private boolean inUse;

  // What one search is about; set by start, cleared by release (so that a thread's search does
  // not keep a node's objects alive after its fit).

  private PfState[] pfs;
  private PlacementOptions options;

  /** PFs with equal class are alike in everything that does not change during the search. */
  private int[] staticClass;

  /** The interfaces and the PFs; the arrays below may be longer, from an earlier search. */
  private int n;

  private int pfCount;

  /** Any PF pin breaks the symmetry between PFs (a pin names one of them). */
  private boolean symmetry;

  /** The request's total floor is 0: the objective then counts VFs instead of bandwidth. */
  private boolean byVfs;

  // The workspace: arrays grown to the largest request and node seen on this thread and filled
  // again by every search, read only up to n, pfCount (and their products).

  /** For each search position, the position of that interface in the request. */
  private int[] requestIndex = new int[0];

  /** True when the interface at this position is identical to the one before it. */
  private boolean[] sameAsPrevious = new boolean[0];

  /**
   * The PFs that match each request position's constraints and can take it: request position {@code
   * i}'s are {@code eligibleCount[i]} slots from {@code i x pfCount}.
   */
  private int[] eligibleSlots = new int[0];

  private int[] eligibleCount = new int[0];

  /** For each search position, where its eligible PFs start and end in {@link #eligibleSlots}. */
  private int[] eligibleFrom = new int[0];

  private int[] eligibleTo = new int[0];

  /** Each position's floor; non-increasing, as positions are in largest-floor-first order. */
  private long[] floor = new long[0];

  // What the bounds of mayComplete need is built on their first use: a search that does not
  // backtrack (most, on most nodes) never uses them, and this runs for every candidate node.

  /** Whether restFloor, runEnd, usefulFrom, unit and sumBits are built for this search. */
  private boolean boundsReady;

  /** {@code restFloor[k]}: the sum of the floors from position {@code k} on (saturated). */
  private long[] restFloor = new long[0];

  /** For each position, one past the last position of its run of identical interfaces. */
  private int[] runEnd = new int[0];

  /** {@code usefulFrom[k x pfCount + p]}: some position from {@code k} on may use PF {@code p}. */
  private boolean[] usefulFrom = new boolean[0];

  /** The greatest common divisor of the positive floors, in Mb/s; 0 when there are none. */
  private long unit;

  /** How many units {@link #sums} tracks: enough for the largest room, at most SUM_BITS. */
  private int sumBits;

  /** Whether {@link #sums} is built for this search (on first use: most end before needing it). */
  private boolean sumsReady;

  /**
   * {@code sumBits / 64} words per position from {@code k x words}, bit {@code s}: some subset of
   * the floors from position {@code k} on adds up to {@code s x unit}. Only used when a floor is
   * coarse enough for it to help (see {@link #reachable}).
   */
  private long[] sums = new long[0];

  private long[] left = new long[0];
  private int[] freeVfs = new int[0];
  private int[] used = new int[0];
  private int[] assigned = new int[0];

  /**
   * Each position's candidates, {@code pfCount} slots per position: filled at every step, so one
   * buffer for the whole search instead of a new array per step.
   */
  private int[] candidateSlots = new int[0];

  /**
   * States proven to have no completion; most searches find none, so it is made on demand, and per
   * search (one that backtracks far may fill it with thousands of states).
   */
  private Set<Key> dead;

  private long steps;
  private boolean stopped;

  /**
   * The best mapping so far (by search position) and its measure, in primitives: a search may
   * improve on its best many times, and only the last one is kept.
   */
  private boolean hasBest;

  private int[] best = new int[0];
  private boolean bestAligned;
  private double bestRaw;
  private boolean bestPerfect;

  private Search() {}

  /** A search on an unprepared node and request, in an object of its own; for tests. */
  Search(List<PfState> pfs, PodRequest request, PlacementOptions options) {
    start(pfs.toArray(new PfState[0]), staticClasses(pfs), new PreparedRequest(request), options);
  }

  /**
   * The calling thread's search, to be {@link #start started} and then {@link #release released} in
   * a {@code finally}. Nothing a search runs calls back into placement, so a thread never needs two
   * at once; a second acquire before the release is a bug, and fails rather than let two fits share
   * arrays.
   */
  static Search acquire() {
    Search search = PER_THREAD.get();
    if (search.inUse) {
      throw new IllegalStateException("a placement search is already running on this thread");
    }
    search.inUse = true;
    return search;
  }

  /** Ends the use that {@link #acquire} began; the results must have been read already. */
  void release() {
    inUse = false;
    pfs = null;
    staticClass = null;
    options = null;
    dead = null;
  }

  /**
   * Sets a search up. This runs once per candidate node of every filter, so it works on primitive
   * arrays and the request's precomputed order and likeness instead of building keys and sorting
   * boxed indexes, and it fills this thread's arrays instead of new ones.
   */
  void start(PfState[] pfs, int[] staticClass, PreparedRequest request, PlacementOptions options) {
    this.pfs = pfs;
    this.staticClass = staticClass;
    this.options = options;
    int n = request.size();
    int pfCount = pfs.length;
    this.n = n;
    this.pfCount = pfCount;
    ensureCapacity(n, pfCount);
    InterfaceRequest[] in = request.interfaces;
    int[] like = request.likeId;
    for (int i = 0; i < n; i++) {
      eligibleCount[i] = eligiblePfs(pfs, in[i], eligibleSlots, i * pfCount);
    }
    // Largest floor first (fails fast, packs well); then the most constrained; identical
    // interfaces end up adjacent, which the non-decreasing-PF rule needs. The request is already
    // by floor, so the insertion sort only moves interfaces whose eligible PFs differ.
    int[] order = requestIndex;
    System.arraycopy(request.largestFirst, 0, order, 0, n);
    for (int i = 1; i < n; i++) {
      int x = order[i];
      int j = i - 1;
      while (j >= 0 && searchOrder(x, order[j], in, eligibleCount, like) < 0) {
        order[j + 1] = order[j];
        j--;
      }
      order[j + 1] = x;
    }
    boolean anyFloor = false;
    for (int k = 0; k < n; k++) {
      int i = order[k];
      eligibleFrom[k] = i * pfCount;
      eligibleTo[k] = i * pfCount + eligibleCount[i];
      sameAsPrevious[k] = k > 0 && like[i] == like[order[k - 1]];
      floor[k] = in[i].minTxRateMbps();
      anyFloor |= floor[k] > 0;
    }
    this.byVfs = !anyFloor;
    this.symmetry = !request.pinned;
    for (PfState p : pfs) {
      left[p.index] = p.available;
      freeVfs[p.index] = p.freeCount;
      used[p.index] = 0;
    }
    boundsReady = false;
    sumsReady = false;
    unit = 0;
    sumBits = 0;
    dead = null;
    steps = 0;
    stopped = false;
    hasBest = false;
    bestAligned = false;
    bestRaw = 0;
    bestPerfect = false;
  }

  /** Grows the arrays that every search fills to {@code n} interfaces on {@code pfCount} PFs. */
  private void ensureCapacity(int n, int pfCount) {
    if (requestIndex.length < n) {
      requestIndex = new int[n];
      sameAsPrevious = new boolean[n];
      eligibleCount = new int[n];
      eligibleFrom = new int[n];
      eligibleTo = new int[n];
      floor = new long[n];
      runEnd = new int[n];
      assigned = new int[n];
      best = new int[n];
      restFloor = new long[n + 1];
    }
    if (left.length < pfCount) {
      left = new long[pfCount];
      freeVfs = new int[pfCount];
      used = new int[pfCount];
    }
    if (candidateSlots.length < n * pfCount) {
      candidateSlots = new int[n * pfCount];
      eligibleSlots = new int[n * pfCount];
    }
  }

  /** Negative when request position {@code a} is searched before {@code b}. */
  private static int searchOrder(
      int a, int b, InterfaceRequest[] in, int[] eligibleCount, int[] like) {
    int c = Long.compare(in[b].minTxRateMbps(), in[a].minTxRateMbps());
    if (c == 0) {
      c = Integer.compare(eligibleCount[a], eligibleCount[b]);
    }
    if (c == 0) {
      c = Integer.compare(like[a], like[b]);
    }
    return c != 0 ? c : Integer.compare(a, b);
  }

  /**
   * Writes the PFs that match {@code r} and can take it as they are now, by index, to {@code slots}
   * from {@code base}; returns how many.
   */
  private static int eligiblePfs(PfState[] pfs, InterfaceRequest r, int[] slots, int base) {
    int size = 0;
    for (PfState p : pfs) {
      if (p.matches(r) && p.canTake(r.minTxRateMbps())) {
        slots[base + size++] = p.index;
      }
    }
    return size;
  }

  /** Runs the search; afterwards {@link #best()} holds the chosen mapping, if any. */
  void run() {
    dfs(0, 0);
  }

  /** For each position in the request, the chosen PF index; null when nothing fits. */
  int[] best() {
    if (!hasBest) {
      return null;
    }
    int[] byRequest = new int[n];
    for (int k = 0; k < n; k++) {
      byRequest[requestIndex[k]] = best[k];
    }
    return byRequest;
  }

  /** The best mapping's measure; null when nothing fits. */
  Objective bestObjective() {
    return hasBest ? Objective.of(bestAligned, bestRaw, options) : null;
  }

  /** {@code bestObjective().score()} without the record; only when {@link #best()} is not null. */
  int bestScore() {
    return Objective.score(
        bestAligned, bestRaw, options.policy() == ScoringPolicy.SPREAD, options.numaBonus());
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
    if ((hasBest && steps > options.searchBudget())
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
    if (memo && !hasBest && steps > BOUNDS_AFTER_STEPS && !mayComplete(k, from)) {
      return false;
    }
    if (memo && dead != null && dead.contains(key(k, from))) {
      return false;
    }
    boolean found = false;
    int base = k * pfCount;
    int count = candidates(k, from, base);
    for (int i = base; i < base + count; i++) {
      int p = candidateSlots[i];
      if (symmetry && alikeTriedBefore(base, i)) {
        continue;
      }
      place(k, p);
      found |= dfs(k + 1, p);
      unplace(k, p);
      if (stopped || bestPerfect) {
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
    if (!boundsReady) {
      prepareBounds();
    }
    int rest = n - k;
    long bandwidth = 0;
    int slots = 0;
    int useful = k * pfCount;
    for (int p = 0; p < pfCount; p++) {
      int free = freeVfs[p];
      if (free == 0 || !usefulFrom[useful + p]) {
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
    if (!sumsReady) {
      subsetSums();
      sumsReady = true;
    }
    int row = k * (sumBits / 64);
    int r = (int) (room / unit);
    int w = r >>> 6;
    long word = sums[row + w] & (-1L >>> (63 - (r & 63)));
    while (word == 0) {
      word = sums[row + --w]; // bit 0 (the empty sum) is always set
    }
    return ((long) (w << 6) + 63 - Long.numberOfLeadingZeros(word)) * unit;
  }

  /**
   * Builds {@link #sums}: each position's bits are the next position's, plus those shifted by its
   * floor; past the last position only the empty sum.
   */
  private void subsetSums() {
    int words = sumBits / 64;
    if (sums.length < (n + 1) * words) {
      sums = new long[(n + 1) * words];
    }
    long[] out = sums;
    Arrays.fill(out, n * words, (n + 1) * words, 0);
    out[n * words] = 1;
    for (int k = n - 1; k >= 0; k--) {
      int src = (k + 1) * words;
      int dst = k * words;
      long shift = floor[k] / unit;
      int ws = (int) Math.min(words, shift >>> 6);
      int bs = (int) (shift & 63);
      for (int i = 0; i < words; i++) {
        long moved = 0;
        int from = i - ws;
        if (shift < sumBits && from >= 0) {
          moved = out[src + from] << bs;
          if (bs != 0 && from > 0) {
            moved |= out[src + from - 1] >>> (64 - bs);
          }
        }
        out[dst + i] = out[src + i] | moved;
      }
    }
  }

  /** Builds what {@link #mayComplete} reads of the request and the node. */
  private void prepareBounds() {
    long[] rest = restFloor;
    if (usefulFrom.length < (n + 1) * pfCount) {
      usefulFrom = new boolean[(n + 1) * pfCount];
    }
    rest[n] = 0;
    Arrays.fill(usefulFrom, n * pfCount, (n + 1) * pfCount, false);
    long g = 0;
    for (int k = n - 1; k >= 0; k--) {
      rest[k] = saturatedAdd(rest[k + 1], floor[k]);
      runEnd[k] = k + 1 < n && sameAsPrevious[k + 1] ? runEnd[k + 1] : k + 1;
      System.arraycopy(usefulFrom, (k + 1) * pfCount, usefulFrom, k * pfCount, pfCount);
      for (int j = eligibleFrom[k]; j < eligibleTo[k]; j++) {
        usefulFrom[k * pfCount + eligibleSlots[j]] = true;
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
    boundsReady = true;
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
      for (int e = eligibleFrom[j]; e < eligibleTo[j]; e++) {
        int p = eligibleSlots[e];
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
    return new Key(
        k,
        sameAsPrevious[k] ? from : -1,
        Arrays.copyOf(left, pfCount),
        Arrays.copyOf(freeVfs, pfCount));
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
    for (int e = eligibleFrom[k]; e < eligibleTo[k]; e++) {
      int p = eligibleSlots[e];
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
    for (int p = 0; p < pfCount; p++) {
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
      left[p] -= floor[k];
    }
  }

  private void unplace(int k, int p) {
    used[p]--;
    freeVfs[p]++;
    if (pfs[p].capacityKnown) {
      left[p] += floor[k];
    }
  }

  private void record() {
    // Most complete mappings lose to the best so far: measured without building an Objective.
    boolean aligned = Objective.aligned(pfs, used);
    double raw = Objective.raw(pfs, left, freeVfs, used, options);
    boolean bonus = options.numaBonus();
    if (!hasBest || Objective.beatenBy(bestAligned, bestRaw, bonus, aligned, raw)) {
      hasBest = true;
      bestAligned = aligned;
      bestRaw = raw;
      // Read after every step: a perfect score that nothing can beat ends the search.
      bestPerfect = Objective.isPerfect(aligned, raw, bonus);
      System.arraycopy(assigned, 0, best, 0, n);
    }
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
      // Objects.hash's value, without boxing four ints into an array on every memo lookup.
      int h = 31 + position;
      h = 31 * h + from;
      h = 31 * h + Arrays.hashCode(left);
      return 31 * h + Arrays.hashCode(freeVfs);
    }

    @Override
    public String toString() {
      return "Key[" + position + "," + from + "]";
    }
  }
}
