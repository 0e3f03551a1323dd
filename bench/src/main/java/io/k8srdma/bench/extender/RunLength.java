package io.k8srdma.bench.extender;

import java.time.Duration;

/**
 * How long one client schedules pods: at least {@code cycles} pods and, after those, on until the
 * run has lasted {@code atLeast}, but never more than {@code maxCycles} pods.
 *
 * <p>The time floor exists for the one-client run, whose p99 is the target: a window of a
 * fixed number of pods can be shorter than the poll interval, and then its p99 depends on whether a
 * poll round happened to fall into it (docs/benchmarks-log.md, "The one-client window decides the
 * p99"). A window of several poll intervals holds the rounds at their real rate.
 *
 * @param cycles pods to schedule whatever the time
 * @param atLeast how long the run lasts at least ({@link Duration#ZERO}: just the pods)
 * @param maxCycles the bound on the pods a time floor may add (at least {@code cycles})
 */
record RunLength(int cycles, Duration atLeast, int maxCycles) {

  /** Bounds a run that a long time floor meets a fast extender in (~10 minutes at 350/s). */
  static final int MAX_CYCLES = 200_000;

  RunLength {
    if (cycles < 1) {
      throw new IllegalArgumentException("a run needs at least 1 cycle, got " + cycles);
    }
    if (atLeast.isNegative()) {
      throw new IllegalArgumentException("a run cannot last less than nothing: " + atLeast);
    }
    if (maxCycles < cycles) {
      throw new IllegalArgumentException(
          "at most " + maxCycles + " cycles cannot hold the " + cycles + " asked for");
    }
  }

  /** Exactly {@code cycles} pods. */
  static RunLength of(int cycles) {
    return new RunLength(cycles, Duration.ZERO, cycles);
  }

  /** At least {@code cycles} pods, and on until {@code atLeast} has passed. */
  static RunLength atLeast(int cycles, Duration atLeast) {
    return new RunLength(cycles, atLeast, Math.max(cycles, MAX_CYCLES));
  }

  /**
   * Whether to schedule another pod after {@code done} of them in {@code elapsedNanos}; in
   * nanoseconds, as the client asks before every pod.
   */
  boolean more(int done, long elapsedNanos) {
    if (done < cycles) {
      return true;
    }
    return done < maxCycles && elapsedNanos < atLeast.toNanos();
  }
}
