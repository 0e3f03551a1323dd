package io.k8srdma.model.placement;

/** How a node that fits is scored, and which of its fitting mappings is chosen. */
public enum ScoringPolicy {
  /**
   * Prefer the least leftover bandwidth (absolute Mb/s, summed) on the PFs used: fill PFs (and
   * nodes) before starting empty ones, keeping whole PFs free for large requests. The default. See
   * {@link Placement} for the score.
   */
  BINPACK,
  /**
   * Prefer the most leftover bandwidth (absolute Mb/s, summed) on the PFs used: spread load to keep
   * headroom per PF.
   */
  SPREAD
}
