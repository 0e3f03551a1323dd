package io.k8srdma.bench.extender;

/**
 * A stretch of time in {@link System#nanoTime()} units. On Linux every JVM on the machine reads the
 * same monotonic clock there, so spans from the driver, the fake agents and the extender's own log
 * (its {@code timenanos} decorator) can be compared.
 *
 * @param startNanos when it began
 * @param endNanos when it ended, not before {@code startNanos}
 */
record Span(long startNanos, long endNanos) {

  Span {
    if (endNanos < startNanos) {
      throw new IllegalArgumentException(
          "span ends before it starts: " + startNanos + ".." + endNanos);
    }
  }

  /** A span of {@code nanos} that ended at {@code endNanos}. */
  static Span endingAt(long endNanos, long nanos) {
    return new Span(endNanos - nanos, endNanos);
  }

  long nanos() {
    return endNanos - startNanos;
  }

  boolean overlaps(Span other) {
    return startNanos < other.endNanos && other.startNanos < endNanos;
  }
}
