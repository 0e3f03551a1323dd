package io.k8srdma.bench.extender;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * The driver's own stalls, found as a hiccup meter finds them: a thread parks for a short tick at a
 * time, and a wake-up later than a threshold past its due time marks a stretch when this process
 * could not run a thread on time (its own collection, or its core busy with its other threads). An
 * exchange the driver timed across such a stretch may have been timed longer than the extender and
 * the loopback took, so {@link TailAttribution} counts the tail's overlaps with them.
 */
final class StallMeter implements AutoCloseable {

  /** How long the meter parks at a time. */
  static final Duration TICK = Duration.ofMillis(1);

  /** How late a wake-up must be to count: above the usual timer slack, below a tail exchange. */
  static final Duration THRESHOLD = Duration.ofMillis(1);

  private final long tickNanos;
  private final long thresholdNanos;
  private final List<Span> stalls = new ArrayList<>();
  private final Thread thread;
  private volatile boolean running = true;

  private StallMeter(Duration tick, Duration threshold) {
    this.tickNanos = tick.toNanos();
    this.thresholdNanos = threshold.toNanos();
    this.thread = new Thread(this::run, "stall-meter");
    thread.setDaemon(true);
  }

  /** A meter running from now until {@link #close}. */
  static StallMeter start() {
    return start(TICK, THRESHOLD);
  }

  static StallMeter start(Duration tick, Duration threshold) {
    StallMeter meter = new StallMeter(tick, threshold);
    meter.thread.start();
    return meter;
  }

  private void run() {
    while (running) {
      long due = System.nanoTime() + tickNanos;
      LockSupport.parkNanos(tickNanos);
      long woke = System.nanoTime();
      if (woke - due > thresholdNanos) {
        // Only the late part is certain; the stall may have begun anywhere since the park.
        record(new Span(due, woke));
      }
    }
  }

  private synchronized void record(Span stall) {
    stalls.add(stall);
  }

  /** The stalls found so far, in order. */
  synchronized List<Span> stalls() {
    return List.copyOf(stalls);
  }

  /** Stops the meter and waits for its thread (at most one tick and a stall). */
  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.join(Duration.ofSeconds(5));
  }
}
