package io.k8srdma.model.placement;

import java.util.Objects;

/**
 * Tunables of {@link Placement#fit}.
 *
 * @param policy how fits are scored; {@link ScoringPolicy#BINPACK} by default
 * @param oversubscription factor applied to every PF's capacity (1.0 = commit at most the line
 *     rate; below 1.0 keeps headroom); must be positive and finite
 * @param numaBonus whether mappings with all interfaces on one NUMA node are preferred and score
 *     higher (see {@link Placement})
 * @param searchBudget search steps after which the best mapping found so far is taken instead of
 *     proving it optimal; requests small enough to be searched within it get the exact optimum
 */
public record PlacementOptions(
    ScoringPolicy policy, double oversubscription, boolean numaBonus, int searchBudget) {

  /**
   * The default {@link #searchBudget}: exhaustive for requests of a few interfaces on any node; for
   * 16 interfaces on 32 distinct PFs, a few ms per node.
   */
  public static final int DEFAULT_SEARCH_BUDGET = 2_000;

  /** Validates the values, so a bad configuration fails where it is built. */
  public PlacementOptions {
    Objects.requireNonNull(policy, "policy");
    if (!(oversubscription > 0) || Double.isInfinite(oversubscription)) {
      throw new IllegalArgumentException(
          "oversubscription must be a positive finite number, got " + oversubscription);
    }
    if (searchBudget < 1) {
      throw new IllegalArgumentException("searchBudget must be >= 1, got " + searchBudget);
    }
  }

  /** BINPACK, no oversubscription, NUMA bonus on, the default budget. */
  public static PlacementOptions defaults() {
    return new PlacementOptions(ScoringPolicy.BINPACK, 1.0, true, DEFAULT_SEARCH_BUDGET);
  }

  /** These options with another policy. */
  public PlacementOptions withPolicy(ScoringPolicy newPolicy) {
    return new PlacementOptions(newPolicy, oversubscription, numaBonus, searchBudget);
  }

  /** These options with another oversubscription factor. */
  public PlacementOptions withOversubscription(double factor) {
    return new PlacementOptions(policy, factor, numaBonus, searchBudget);
  }

  /** These options with the NUMA bonus on or off. */
  public PlacementOptions withNumaBonus(boolean on) {
    return new PlacementOptions(policy, oversubscription, on, searchBudget);
  }

  /** These options with another search budget. */
  public PlacementOptions withSearchBudget(int steps) {
    return new PlacementOptions(policy, oversubscription, numaBonus, steps);
  }
}
