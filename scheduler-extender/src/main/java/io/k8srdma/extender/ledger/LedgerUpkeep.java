package io.k8srdma.extender.ledger;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Looks after the ledger's in-flight decisions on a timer of its own: holds them while the pod
 * informer is not watching, checks with the API those about to lapse, and forgets the lapsed ones.
 * Its own timer, not the poll rounds', because a round over many unreachable agents can take longer
 * than {@code in-flight-timeout}, and a decision must be held before it lapses.
 */
public class LedgerUpkeep implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(LedgerUpkeep.class);

  /** The longest period, for a long {@code in-flight-timeout}. */
  static final Duration MAX_PERIOD = Duration.ofSeconds(5);

  private final PodLedgerSync sync;
  private final Ledger ledger;
  private final Duration period;
  private ScheduledExecutorService executor;

  /**
   * @param inFlightTimeout how long an in-flight decision lives: the upkeep runs four times within
   *     it (at most every {@link #MAX_PERIOD}), so a decision is seen at least twice before it
   *     lapses
   */
  public LedgerUpkeep(PodLedgerSync sync, Ledger ledger, Duration inFlightTimeout) {
    this.sync = sync;
    this.ledger = ledger;
    this.period = periodFor(inFlightTimeout);
  }

  static Duration periodFor(Duration inFlightTimeout) {
    Duration quarter = inFlightTimeout.dividedBy(4);
    return quarter.compareTo(MAX_PERIOD) < 0 ? quarter : MAX_PERIOD;
  }

  /**
   * One run: hold while not watching, confirm the decisions that would lapse before the run after
   * next (two periods, so that a late run misses none), forget the lapsed ones.
   */
  public void run() {
    sync.holdDecisionsWhileNotWatching();
    sync.confirmLapsingDecisions(period.multipliedBy(2));
    ledger.purgeExpired();
  }

  private void runLogged() {
    try {
      run();
    } catch (RuntimeException e) {
      // Thrown out of the timer, it would stop every later run.
      log.error("ledger upkeep failed, trying again in {} ms: {}", period.toMillis(), e.toString());
    }
  }

  @Override
  public synchronized void start() {
    executor =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("ledger-upkeep").daemon().factory());
    long millis = Math.max(1, period.toMillis());
    executor.scheduleWithFixedDelay(this::runLogged, millis, millis, TimeUnit.MILLISECONDS);
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
