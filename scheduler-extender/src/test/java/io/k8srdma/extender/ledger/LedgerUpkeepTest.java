package io.k8srdma.extender.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.k8srdma.extender.Await;
import io.k8srdma.model.assignment.AssignedInterface;
import io.k8srdma.model.assignment.Assignment;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The ledger's upkeep on its own timer, without an API (the ledger holds this process's own). */
class LedgerUpkeepTest {

  @Test
  void runsFourTimesWithinTheInFlightTimeoutAndAtMostEveryFiveSeconds() {
    assertThat(LedgerUpkeep.periodFor(Duration.ofSeconds(30))).isEqualTo(Duration.ofSeconds(5));
    assertThat(LedgerUpkeep.periodFor(Duration.ofSeconds(8))).isEqualTo(Duration.ofSeconds(2));
    assertThat(LedgerUpkeep.periodFor(Duration.ofMillis(400))).isEqualTo(Duration.ofMillis(100));
  }

  @Test
  void forgetsLapsedDecisionsOnItsOwnTimerUntilStopped() {
    Duration timeout = Duration.ofMillis(200);
    Ledger ledger = new Ledger(Clock.systemUTC(), timeout);
    LedgerUpkeep upkeep =
        new LedgerUpkeep(new PodLedgerSync(null, ledger), ledger, timeout, node -> true);
    reserve(ledger, "a");
    assertThat(ledger.holds("uid-a")).isTrue();

    upkeep.start();
    try {
      assertThat(upkeep.isRunning()).isTrue();
      Await.until(
          "the lapsed decision purged", Duration.ofSeconds(10), () -> !ledger.holds("uid-a"));
    } finally {
      upkeep.stop();
    }
    assertThat(upkeep.isRunning()).isFalse();
  }

  @Test
  void aSecondStartRunsNoSecondTimer() {
    Duration timeout = Duration.ofSeconds(30);
    Ledger ledger = new Ledger(Clock.systemUTC(), timeout);
    LedgerUpkeep upkeep =
        new LedgerUpkeep(new PodLedgerSync(null, ledger), ledger, timeout, node -> true);
    Set<Thread> before = upkeepThreads();

    upkeep.start();
    upkeep.start();
    List<Thread> started;
    try {
      // By identity: a thread of another test's application may end meanwhile.
      started = upkeepThreads().stream().filter(t -> !before.contains(t)).toList();
      assertThat(started).hasSize(1);
    } finally {
      upkeep.stop();
    }
    Await.until(
        "the timer's thread ended", Duration.ofSeconds(10), () -> !started.get(0).isAlive());
  }

  /** Live timer threads of upkeeps, this test's and those of applications other tests keep. */
  private static Set<Thread> upkeepThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().equals("ledger-upkeep"))
        .collect(Collectors.toSet());
  }

  @Test
  void forgetsTheVersionsOfNodesThatAreGone() {
    Duration timeout = Duration.ofSeconds(30);
    Ledger ledger = new Ledger(Clock.systemUTC(), timeout);
    // An autoscaled node group: every node that came had a snapshot, one of them is still there.
    for (int i = 0; i < 100; i++) {
      ledger.snapshot("pool-a-" + i, null);
    }
    LedgerUpkeep upkeep =
        new LedgerUpkeep(
            new PodLedgerSync(null, ledger), ledger, timeout, node -> node.equals("pool-a-7"));

    upkeep.run();

    assertThat(ledger.versionCells()).isEqualTo(1);
  }

  private static void reserve(Ledger ledger, String name) {
    Assignment a =
        new Assignment(
            "worker-1",
            List.of(new AssignedInterface("net1", "0000:1a:00.0", "0000:1a:00.2", 0, 0)));
    ledger.reserve(
        new Ledger.PodName("team-a", name),
        "uid-" + name,
        "worker-1",
        c -> new Ledger.Decision<>(Optional.of(a), null));
    ledger.written("uid-" + name, a);
  }
}
