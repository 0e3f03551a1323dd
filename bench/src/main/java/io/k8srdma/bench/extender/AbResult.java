package io.k8srdma.bench.extender;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * What an {@link ExtenderComparison} measured, and the arithmetic on it.
 *
 * @param nodes simulated cluster size
 * @param candidates nodes per filter call
 * @param a the baseline
 * @param b the variant compared with it; ratios are B / A
 * @param idleCoresA extender A's CPU per wall second while idle (polling)
 * @param idleCoresB the same for B
 * @param slices every slice, in the order run
 * @param unexpected requests the fake APIs did not expect
 */
record AbResult(
    int nodes,
    int candidates,
    ExtenderComparison.Variant a,
    ExtenderComparison.Variant b,
    double idleCoresA,
    double idleCoresB,
    List<Slice> slices,
    long unexpected) {

  /**
   * One variant's turn in one round.
   *
   * @param label the variant's label
   * @param round 0-based round
   * @param cycles scheduling cycles completed
   * @param seconds wall-clock time of the slice
   * @param cpuSeconds the extender's CPU time during the slice (polling included)
   * @param fpP50Micros filter + prioritize median latency
   * @param fpP99Micros filter + prioritize 99th percentile
   * @param bindErrors binds that answered an error
   * @param allocatedBytes the extender's {@code jvm_gc_memory_allocated_bytes_total} increase: it
   *     moves at young collections, so a slice's value is off by up to one young generation, but
   *     the sum over a variant's slices is not
   * @param jitSeconds CPU time of the extender's JIT compiler threads during the slice
   */
  record Slice(
      String label,
      int round,
      long cycles,
      double seconds,
      double cpuSeconds,
      double fpP50Micros,
      double fpP99Micros,
      long bindErrors,
      double allocatedBytes,
      double jitSeconds) {

    double cyclesPerSecond() {
      return cycles / seconds;
    }

    /** CPU per cycle in ms, less what polling costs over the slice. */
    double cpuMillisPerCycle(double idleCores) {
      return Sums.of(List.of(this), idleCores).cpuMillisPerCycle();
    }
  }

  /**
   * One variant over all its slices.
   *
   * @param cyclesPerSecond all cycles over all its slices' wall time
   * @param cpuMillisPerCycle all its CPU, net of polling, over all cycles
   * @param medianP50Micros median over slices of the f+p p50
   * @param medianP99Micros median over slices of the f+p p99
   * @param allocatedKibPerCycle all its allocation over all cycles, polling's included (about 20
   *     MB/s here: Micrometer's count moves only at young collections, too seldom while idle to
   *     measure polling's share apart)
   * @param jitMillisPerCycle its JIT compiler threads' CPU over all cycles (part of the CPU)
   */
  record Totals(
      long cycles,
      double cyclesPerSecond,
      double cpuMillisPerCycle,
      double medianP50Micros,
      double medianP99Micros,
      long bindErrors,
      double allocatedKibPerCycle,
      double jitMillisPerCycle) {}

  /**
   * A paired statistic: the median of the per-block ratios B / A and their range. A block is two
   * consecutive rounds, one with A first and one with B first: the slice that follows the other
   * variant's ran up to 40% faster than the one that follows its own, and a block holds one of each
   * for both variants, which cancels that.
   */
  record Ratio(double median, double min, double max, int bBetter, int blocks) {}

  /** Cycles, wall time and CPU net of polling, summed over some slices of one variant. */
  private record Sums(long cycles, double seconds, double netCpuSeconds) {

    static Sums of(List<Slice> slices, double idleCores) {
      long cycles = slices.stream().mapToLong(Slice::cycles).sum();
      double seconds = slices.stream().mapToDouble(Slice::seconds).sum();
      double cpu = slices.stream().mapToDouble(Slice::cpuSeconds).sum();
      return new Sums(cycles, seconds, cpu - idleCores * seconds);
    }

    double cyclesPerSecond() {
      return cycles / seconds;
    }

    double cpuMillisPerCycle() {
      return netCpuSeconds / cycles * 1000;
    }
  }

  Totals totals(ExtenderComparison.Variant v) {
    List<Slice> mine = of(v);
    Sums sums = Sums.of(mine, v == a ? idleCoresA : idleCoresB);
    long cycles = sums.cycles();
    double allocated = mine.stream().mapToDouble(Slice::allocatedBytes).sum();
    return new Totals(
        cycles,
        sums.cyclesPerSecond(),
        sums.cpuMillisPerCycle(),
        median(mine.stream().map(Slice::fpP50Micros).toList()),
        median(mine.stream().map(Slice::fpP99Micros).toList()),
        mine.stream().mapToLong(Slice::bindErrors).sum(),
        allocated / cycles / 1024,
        mine.stream().mapToDouble(Slice::jitSeconds).sum() / cycles * 1000);
  }

  /** B's cycles/s over A's, per block; B is better when the ratio is above 1. */
  Ratio throughputRatio() {
    return ratio(Sums::cyclesPerSecond, true);
  }

  /** B's CPU per cycle over A's, per block; B is better when the ratio is below 1. */
  Ratio cpuRatio() {
    return ratio(Sums::cpuMillisPerCycle, false);
  }

  private Ratio ratio(ToDoubleFunction<Sums> metric, boolean higherIsBetter) {
    List<Slice> as = of(a);
    List<Slice> bs = of(b);
    List<Double> ratios = new ArrayList<>();
    int better = 0;
    for (int i = 0; i + 1 < Math.min(as.size(), bs.size()); i += 2) {
      double r =
          metric.applyAsDouble(Sums.of(bs.subList(i, i + 2), idleCoresB))
              / metric.applyAsDouble(Sums.of(as.subList(i, i + 2), idleCoresA));
      ratios.add(r);
      better += (higherIsBetter ? r > 1 : r < 1) ? 1 : 0;
    }
    if (ratios.isEmpty()) {
      return new Ratio(Double.NaN, Double.NaN, Double.NaN, 0, 0);
    }
    List<Double> sorted = ratios.stream().sorted().toList();
    return new Ratio(
        median(ratios), sorted.get(0), sorted.get(sorted.size() - 1), better, ratios.size());
  }

  /** The variant's slices in round order. */
  List<Slice> of(ExtenderComparison.Variant v) {
    return slices.stream()
        .filter(s -> s.label().equals(v.label()))
        .sorted(Comparator.comparingInt(Slice::round))
        .toList();
  }

  static double median(List<Double> values) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    List<Double> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }
}
