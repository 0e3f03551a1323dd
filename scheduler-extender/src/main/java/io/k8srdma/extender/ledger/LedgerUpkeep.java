package io.k8srdma.extender.ledger;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Looks after the ledger's in-flight decisions on a timer of its own: holds them while the pod
 * informer is not watching, checks with the API those about to lapse, and forgets the lapsed ones;
 * and forgets the versions of nodes that are gone. Its own timer, not the poll rounds', because a
 * round over many unreachable agents can take longer than {@code in-flight-timeout}, and a decision
 * must be held before it lapses.
 */
public class LedgerUpkeep implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(LedgerUpkeep.class);

  /** The longest period, for a long {@code in-flight-timeout}. */
  static final Duration MAX_PERIOD = Duration.ofSeconds(5);

  private final PodLedgerSync sync;
  private final Ledger ledger;
  private final Duration period;
  private final Predicate<String> nodeKnown;
  private ScheduledExecutorService executor;

  /**
   * @param inFlightTimeout how long an in-flight decision lives: the upkeep runs four times within
   *     it (at most every {@link #MAX_PERIOD}), so a decision is seen at least twice before it
   *     lapses
   * @param nodeKnown whether a node is still there (the inventory cache knows its agent): the
   *     ledger keeps a version only for those
   */
  public LedgerUpkeep(
      PodLedgerSync sync, Ledger ledger, Duration inFlightTimeout, Predicate<String> nodeKnown) {
    this.sync = sync;
    this.ledger = ledger;
    this.period = periodFor(inFlightTimeout);
    this.nodeKnown = nodeKnown;
  }

  static Duration periodFor(Duration inFlightTimeout) {
    Duration quarter = inFlightTimeout.dividedBy(4);
    return quarter.compareTo(MAX_PERIOD) < 0 ? quarter : MAX_PERIOD;
  }

  /**
   * One run: hold while not watching, confirm the decisions that would lapse before the run after
   * next (two periods, so that a late run misses none), forget the lapsed ones, then the versions
   * of the nodes that are gone.
   */
  public void run() {
    sync.holdDecisionsWhileNotWatching();
    sync.confirmLapsingDecisions(period.multipliedBy(2));
    ledger.purgeExpired();
    ledger.forgetVersionsOfGoneNodes(nodeKnown);
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
    if (executor != null) {
      // Already running: a second timer would leave the first one's thread behind for good.
      return;
    }
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
