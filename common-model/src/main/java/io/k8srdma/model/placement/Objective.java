package io.k8srdma.model.placement;

/**
 * How good a complete mapping is: NUMA alignment, then the policy's fill ratio.
 *
 * @param aligned all interfaces on PFs reporting the same NUMA node
 * @param raw in 0..1: for BINPACK the share of the used PFs' capacity committed after placement,
 *     for SPREAD the share left
 * @param numaBonus whether alignment counts
 */
record Objective(boolean aligned, double raw, boolean numaBonus) {

  private static final double EPSILON = 1e-12;

  /**
   * Evaluates the state after placement. The fill ratio is capacity-weighted over the used PFs with
   * a known capacity; when none has one, it falls back to the share of their VFs taken, so that
   * zero-floor requests on such PFs are still packed or spread.
   */
  static Objective of(
      PfState[] pfs, long[] left, int[] freeVfs, int[] used, PlacementOptions options) {
    return new Objective(
        aligned(pfs, used), raw(pfs, left, freeVfs, used, options), options.numaBonus());
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

  /** The policy's fill ratio in 0..1 (see {@link #of}). */
  static double raw(
      PfState[] pfs, long[] left, int[] freeVfs, int[] used, PlacementOptions options) {
    // Runs for every complete mapping the search finds: fields cached on PfState, no boxing.
    long capacity = 0;
    long taken = 0;
    long vfs = 0;
    long vfsTaken = 0;
    for (PfState p : pfs) {
      if (used[p.index] == 0) {
        continue;
      }
      if (p.capacityKnown && p.effectiveCapacity > 0) {
        capacity += p.effectiveCapacity;
        taken += p.effectiveCapacity - Math.max(0, left[p.index]);
      }
      vfs += p.vfTotal;
      vfsTaken += p.vfTotal - freeVfs[p.index];
    }
    double fill = capacity > 0 ? (double) taken / capacity : vfs > 0 ? (double) vfsTaken / vfs : 0;
    double raw = options.policy() == ScoringPolicy.SPREAD ? 1 - fill : fill;
    return Math.max(0, Math.min(1, raw));
  }

  /** Whether a mapping with this alignment and fill ratio is better than this one. */
  boolean beatenBy(boolean otherAligned, double otherRaw) {
    if (numaBonus && otherAligned != aligned) {
      return otherAligned;
    }
    return otherRaw > raw + EPSILON;
  }

  boolean isPerfect() {
    return raw >= 1 - EPSILON && (aligned || !numaBonus);
  }

  /**
   * 0..10. With the NUMA bonus, aligned mappings score 5..10 and others 0..5, so alignment comes
   * first across nodes as it does within one; without it, the fill ratio alone spans 0..10.
   */
  int score() {
    if (numaBonus) {
      return (aligned ? 5 : 0) + (int) Math.round(raw * 5);
    }
    return (int) Math.round(raw * 10);
  }
}
