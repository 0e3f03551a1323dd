package io.k8srdma.extender;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Bounded waiting for asynchronous effects (informer events, poll rounds) in tests. */
public final class Await {

  private Await() {}

  /** Waits until {@code condition} holds, polling every 20 ms; fails after {@code limit}. */
  public static void until(String what, Duration limit, BooleanSupplier condition) {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + limit.toSeconds() + "s waiting for: " + what);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for: " + what, e);
      }
    }
  }
}
