package io.k8srdma.bench.extender;

import java.util.ArrayList;
import java.util.List;

/**
 * One Prometheus histogram series as {@code /actuator/prometheus} shows it: cumulative counts per
 * bucket upper bound ({@code le}, in seconds). Two snapshots give the histogram of what happened
 * between them, and from it an upper bound of a quantile: as precise as the buckets (Micrometer's
 * percentile histogram has a bucket every 0.3–0.7 ms between 1 and 10 ms).
 *
 * @param bounds bucket upper bounds in seconds, ascending; the last may be infinite
 * @param counts cumulative count of each bucket
 */
record PromHistogram(double[] bounds, long[] counts) {

  /**
   * The series of {@code metric}'s buckets whose labels contain {@code label}, empty when absent.
   */
  static PromHistogram parse(String exposition, String metric, String label) {
    List<double[]> rows = new ArrayList<>();
    String prefix = metric + "_bucket{";
    for (String line : exposition.split("\n")) {
      if (line.startsWith(prefix) && line.contains(label)) {
        int le = line.indexOf("le=\"");
        if (le < 0) {
          continue;
        }
        String bound = line.substring(le + 4, line.indexOf('"', le + 4));
        double count = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        rows.add(new double[] {parseBound(bound), count});
      }
    }
    rows.sort((a, b) -> Double.compare(a[0], b[0]));
    double[] bounds = new double[rows.size()];
    long[] counts = new long[rows.size()];
    for (int i = 0; i < rows.size(); i++) {
      bounds[i] = rows.get(i)[0];
      counts[i] = (long) rows.get(i)[1];
    }
    return new PromHistogram(bounds, counts);
  }

  private static double parseBound(String le) {
    return "+Inf".equals(le) ? Double.POSITIVE_INFINITY : Double.parseDouble(le);
  }

  /** What was observed since {@code before}, a snapshot of the same series. */
  PromHistogram minus(PromHistogram before) {
    long[] diff = counts.clone();
    for (int i = 0; i < diff.length && i < before.counts.length; i++) {
      diff[i] -= before.counts[i];
    }
    return new PromHistogram(bounds, diff);
  }

  /** Observations in all. */
  long total() {
    return counts.length == 0 ? 0 : counts[counts.length - 1];
  }

  /**
   * The upper bound in microseconds of the bucket holding quantile {@code q}: at least {@code q} of
   * the observations took no longer. NaN with no observations.
   */
  double quantileBoundMicros(double q) {
    long total = total();
    if (total == 0) {
      return Double.NaN;
    }
    long rank = (long) Math.ceil(q * total);
    for (int i = 0; i < counts.length; i++) {
      if (counts[i] >= rank) {
        return bounds[i] * 1e6;
      }
    }
    return Double.POSITIVE_INFINITY;
  }

  /**
   * The median and p99 of one verb inside the extender, as bucket upper bounds.
   *
   * @param p50Micros upper bound of the median's bucket
   * @param p99Micros upper bound of the p99's bucket
   */
  record Quantiles(double p50Micros, double p99Micros) {
    static Quantiles of(PromHistogram h) {
      return new Quantiles(h.quantileBoundMicros(0.5), h.quantileBoundMicros(0.99));
    }
  }
}
