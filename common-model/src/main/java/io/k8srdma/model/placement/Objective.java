package io.k8srdma.model.placement;

/**
 * How good a complete mapping is: NUMA alignment, then the leftover on the used PFs.
 *
 * <p>The leftover {@code L} is the bandwidth (Mb/s, absolute) that the PFs the mapping uses have
 * left after it, summed over them; PFs the mapping does not use do not count. BINPACK wants it
 * small, SPREAD large. The search compares mappings by {@code raw}, the pod's share {@code F / (F +
 * L)} of what its PFs had ({@code F} the pod's total floor, the same for every mapping of the pod),
 * for BINPACK, and {@code 1 - share} for SPREAD: cheap, and ordered as {@code L} is.
 *
 * <p>The score counts {@code L} in doublings of {@code F}: {@code slack = min(1, log2(1 + L / F) /
 * 8)}, {@code fill = 1 - slack} for BINPACK and {@code slack} for SPREAD. As {@code F} is the
 * pod's, both within a node and across nodes of any size a higher score means less (BINPACK) or
 * more (SPREAD) absolute leftover; a fixed scale or one relative to each node's PF sizes would not
 * (a 40G leftover on a 400G PF would then beat a 20G one on a 100G PF). The logarithm keeps nodes
 * apart whose leftover is many times the pod: with the NUMA bonus a 25G pod that leaves 0, 25G,
 * 75G, 175G, 375G, 775G, 1.5T scores 10, 9, 9, 8, 8, 7, 6 ({@code F / (F + L)} would give every
 * node with more than ~9 times the pod left the same score).
 *
 * <p>A pod with no floor at all ({@code F = 0}) commits no bandwidth, so the same is done in VFs:
 * the pod's VFs against the free VFs left on the PFs it uses.
 *
 * @param aligned all interfaces on PFs reporting the same NUMA node
 * @param raw in 0..1, higher is better for the policy (see above)
 * @param spread the policy is SPREAD
 * @param numaBonus whether alignment counts
 */
record Objective(boolean aligned, double raw, boolean spread, boolean numaBonus) {

  private static final double EPSILON = 1e-12;

  /** Leftover counted in doublings of what the pod takes: this many make the whole scale. */
  private static final double DOUBLINGS = 8;

  /** Evaluates the state after placement (see the class comment). */
  static Objective of(
      PfState[] pfs, long[] left, int[] freeVfs, int[] used, PlacementOptions options) {
    return of(aligned(pfs, used), raw(pfs, left, freeVfs, used, options), options);
  }

  static Objective of(boolean aligned, double raw, PlacementOptions options) {
    return new Objective(
        aligned, raw, options.policy() == ScoringPolicy.SPREAD, options.numaBonus());
  }

  /** Whether all used PFs report the same NUMA node. */
  static boolean aligned(PfState[] pfs, int[] used) {
    boolean anyUsed = false;
    int numa = 0;
    for (PfState p : pfs) {
      if (used[p.index] == 0) {
        continue;
      }
      if (anyUsed && numa != p.numaNode) {
        return false;
      }
      anyUsed = true;
      numa = p.numaNode;
    }
    return true;
  }

  /**
   * The policy's measure in 0..1 (see the class comment). {@code left} is each PF's bandwidth left
   * after placement, so what the pod takes on a used PF with a known capacity is {@code available -
   * left}. Sums saturate at {@code Long.MAX_VALUE} rather than wrap.
   */
  static double raw(
      PfState[] pfs, long[] left, int[] freeVfs, int[] used, PlacementOptions options) {
    // Runs for every complete mapping the search finds: fields cached on PfState, no boxing.
    long taken = 0;
    long leftover = 0;
    long vfsTaken = 0;
    long vfsLeft = 0;
    for (PfState p : pfs) {
      int i = p.index;
      if (used[i] == 0) {
        continue;
      }
      if (p.capacityKnown) {
        long after = Math.max(0, left[i]);
        taken = Search.saturatedAdd(taken, Math.max(0, Math.max(0, p.available) - after));
        leftover = Search.saturatedAdd(leftover, after);
      }
      vfsTaken += used[i];
      vfsLeft += freeVfs[i];
    }
    double share =
        taken > 0
            ? taken / ((double) taken + leftover)
            : vfsTaken > 0 ? vfsTaken / ((double) vfsTaken + vfsLeft) : 0;
    return options.policy() == ScoringPolicy.SPREAD ? 1 - share : share;
  }

  /** Whether a mapping with this alignment and fill ratio is better than this one. */
  boolean beatenBy(boolean otherAligned, double otherRaw) {
    return beatenBy(aligned, raw, numaBonus, otherAligned, otherRaw);
  }

  /**
   * {@link #beatenBy(boolean, double)} on the fields as arguments: the search keeps its best
   * mapping's measure in primitives instead of a record per improvement.
   */
  static boolean beatenBy(
      boolean aligned, double raw, boolean numaBonus, boolean otherAligned, double otherRaw) {
    if (numaBonus && otherAligned != aligned) {
      return otherAligned;
    }
    return otherRaw > raw + EPSILON;
  }

  boolean isPerfect() {
    return isPerfect(aligned, raw, numaBonus);
  }

  /** {@link #isPerfect()} on the fields as arguments. */
  static boolean isPerfect(boolean aligned, double raw, boolean numaBonus) {
    return raw >= 1 - EPSILON && (aligned || !numaBonus);
  }

  /**
   * 0..10 (kube-scheduler's MaxExtenderPriority). With the NUMA bonus, aligned mappings score 5 +
   * round(5 x fill) and others round(5 x fill), so alignment comes first across nodes as it does
   * within one; without it, round(10 x fill).
   */
  int score() {
    return score(aligned, raw, spread, numaBonus);
  }

  /** {@link #score()} on the fields as arguments. */
  static int score(boolean aligned, double raw, boolean spread, boolean numaBonus) {
    double fill = fill(raw, spread);
    if (numaBonus) {
      return (aligned ? 5 : 0) + (int) Math.round(fill * 5);
    }
    return (int) Math.round(fill * 10);
  }

  /**
   * The policy's measure on the score's scale (see the class comment). With {@code share = F / (F +
   * L)}, {@code 1 + L / F} is {@code 1 / share}; computed once per node, not per mapping.
   */
  private static double fill(double raw, boolean spread) {
    double share = spread ? 1 - raw : raw;
    double slack = share <= 0 ? 1 : Math.min(1, -Math.log(share) / Math.log(2) / DOUBLINGS);
    return spread ? slack : 1 - slack;
  }
}
