package io.k8srdma.agent.inventory;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Rescans the host on a fixed delay, starting as soon as the application starts, on one daemon
 * thread so a slow scan never overlaps the next.
 */
public class PeriodicScanner implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(PeriodicScanner.class);

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
        this::rescanLogged, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void rescanLogged() {
    try {
      inventory.rescan();
    } catch (RuntimeException e) {
      // Thrown out of the timer, it would stop every later scan while health still said UP.
      log.error("rescan failed, trying again in {} ms: {}", interval.toMillis(), e.toString());
    }
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
