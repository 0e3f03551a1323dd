package io.k8srdma.agent.inventory;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.springframework.context.SmartLifecycle;

/**
 * Rescans the host on a fixed delay, starting as soon as the application starts, on one daemon
 * thread so a slow scan never overlaps the next.
 */
public class PeriodicScanner implements SmartLifecycle {

  private final InventoryService inventory;
  private final Duration interval;
  private ScheduledExecutorService executor;

  public PeriodicScanner(InventoryService inventory, Duration interval) {
    this.inventory = inventory;
    this.interval = interval;
  }

  @Override
  public synchronized void start() {
    executor =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("inventory-scan").daemon().factory());
    executor.scheduleWithFixedDelay(
        inventory::rescan, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public synchronized void stop() {
    if (executor != null) {
      executor.shutdownNow();
      executor = null;
    }
  }

  @Override
  public synchronized boolean isRunning() {
    return executor != null;
  }
}
