package io.k8srdma.bench.extender;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PromHistogramTest {

  private static final String METRIC = "k8s_rdma_extender_verb_seconds";

  private static String exposition(long at1ms, long at2ms, long at4ms, long all) {
    return """
        # HELP k8s_rdma_extender_verb_seconds time per verb
        # TYPE k8s_rdma_extender_verb_seconds histogram
        k8s_rdma_extender_verb_seconds_bucket{verb="bind",le="0.001"} 99
        k8s_rdma_extender_verb_seconds_bucket{verb="filter",le="0.002"} %d
        k8s_rdma_extender_verb_seconds_bucket{verb="filter",le="0.001"} %d
        k8s_rdma_extender_verb_seconds_bucket{verb="filter",le="0.004"} %d
        k8s_rdma_extender_verb_seconds_bucket{verb="filter",le="+Inf"} %d
        k8s_rdma_extender_verb_seconds_count{verb="filter"} %d
        """
        .formatted(at2ms, at1ms, at4ms, all, all);
  }

  @Test
  void readsOneSeriesInBoundOrderAndSubtractsAnEarlierSnapshot() {
    PromHistogram before =
        PromHistogram.parse(exposition(10, 10, 10, 10), METRIC, "verb=\"filter\"");
    PromHistogram after =
        PromHistogram.parse(exposition(60, 108, 109, 110), METRIC, "verb=\"filter\"");

    PromHistogram run = after.minus(before);

    assertThat(run.bounds()).containsExactly(0.001, 0.002, 0.004, Double.POSITIVE_INFINITY);
    assertThat(run.counts()).containsExactly(50, 98, 99, 100);
    assertThat(run.total()).isEqualTo(100);
    assertThat(run.quantileBoundMicros(0.5)).isEqualTo(1_000);
    assertThat(run.quantileBoundMicros(0.51)).isEqualTo(2_000);
    assertThat(run.quantileBoundMicros(0.99)).isEqualTo(4_000);
    assertThat(run.quantileBoundMicros(1.0)).isInfinite();
    assertThat(PromHistogram.Quantiles.of(run))
        .isEqualTo(new PromHistogram.Quantiles(1_000, 4_000));
  }

  @Test
  void aSeriesThatIsNotThereHasNoQuantiles() {
    PromHistogram none = PromHistogram.parse(exposition(1, 2, 3, 4), METRIC, "verb=\"nope\"");
    assertThat(none.total()).isZero();
    assertThat(none.quantileBoundMicros(0.99)).isNaN();
  }
}
