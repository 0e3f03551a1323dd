package io.k8srdma.extender.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.k8srdma.extender.MutableClock;
import io.k8srdma.extender.TestInventories;
import io.k8srdma.model.assignment.AssignedInterface;
import io.k8srdma.model.assignment.Assignment;
import io.k8srdma.model.inventory.NodeInventory;
import io.k8srdma.model.placement.Commitments;
import io.k8srdma.model.placement.FitResult;
import io.k8srdma.model.placement.Placement;
import io.k8srdma.model.request.InterfaceRequest;
import io.k8srdma.model.request.PodRequest;
import io.k8srdma.model.testing.Races;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class LedgerTest {

  private static final Duration IN_FLIGHT = Duration.ofSeconds(30);
  private static final String NODE = "worker-1";
  private static final Ledger.PodName POD_A = new Ledger.PodName("team-a", "a");

  /** Changes of one pod's entry while the race tests read the ledger. */
  private static final int WRITES = 20_000;

  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final Ledger ledger = new Ledger(clock, IN_FLIGHT);

  @Test
  void reserveRecordsTheDecisionAndReturnsItsResult() {
    Assignment a = assignment(NODE, "0000:1a:00.2");
    AtomicReference<Commitments> seen = new AtomicReference<>();

    String result =
        ledger.reserve(
            POD_A,
            "pod-a",
            NODE,
            c -> {
              seen.set(c);
              return new Ledger.Decision<>(Optional.of(a), "took it");
            });

    assertThat(result).isEqualTo("took it");
    assertThat(seen.get()).isEqualTo(Commitments.none());
    assertThat(ledger.assignmentOf("pod-a")).contains(a);
    assertThat(ledger.commitmentsOn(NODE, "other").isTaken("0000:1a:00.2")).isTrue();
    assertThat(ledger.sizeOn(NODE)).isEqualTo(1);
  }

  @Test
  void reserveWithoutAnAssignmentRecordsNothing() {
    String result =
        ledger.reserve(
            POD_A, "pod-a", NODE, c -> new Ledger.Decision<>(Optional.empty(), "no fit"));

    assertThat(result).isEqualTo("no fit");
    assertThat(ledger.assignmentOf("pod-a")).isEmpty();
    assertThat(ledger.size()).isZero();
  }

  @Test
  void reserveDoesNotCountThePodsOwnEntry() {
    ledger.bound("pod-a", assignment(NODE, "0000:1a:00.2"));
    ledger.bound("pod-b", assignment(NODE, "0000:1a:00.3"));
    AtomicReference<Commitments> seen = new AtomicReference<>();

    ledger.reserve(
        POD_A,
        "pod-a",
        NODE,
        c -> {
          seen.set(c);
          return new Ledger.Decision<>(Optional.empty(), null);
        });

    // A retried bind of pod-a must not be blocked by its own earlier decision.
    assertThat(seen.get().takenVfs()).containsExactly("0000:1a:00.3");
  }

  @Test
  void commitmentsOnExcludesTheGivenPod() {
    ledger.bound("pod-a", assignment(NODE, "0000:1a:00.2", 10_000));
    ledger.bound("pod-b", assignment(NODE, "0000:1a:00.3", 5_000));
    ledger.bound("pod-c", assignment("worker-2", "0000:3b:00.2", 7_000));

    Commitments withoutA = ledger.commitmentsOn(NODE, "pod-a");

    assertThat(withoutA.takenVfs()).containsExactly("0000:1a:00.3");
    assertThat(withoutA.committedMbps("0000:1a:00.0")).isEqualTo(5_000);
    assertThat(ledger.commitmentsOn(NODE, null).committedMbps("0000:1a:00.0")).isEqualTo(15_000);
    assertThat(ledger.commitmentsOn("worker-3", null)).isEqualTo(Commitments.none());
  }

  @Test
  void inFlightEntriesExpire() {
    reserve("pod-a", assignment(NODE, "0000:1a:00.2"));

    clock.advance(IN_FLIGHT.minusSeconds(1));
    assertThat(ledger.assignmentOf("pod-a")).isPresent();
    assertThat(ledger.purgeExpired()).isZero();

    clock.advance(Duration.ofSeconds(1));
    // Expired entries stop counting at once, before any purge.
    assertThat(ledger.assignmentOf("pod-a")).isEmpty();
    assertThat(ledger.commitmentsOn(NODE, null)).isEqualTo(Commitments.none());
    assertThat(ledger.size()).isZero();

    assertThat(ledger.purgeExpired()).isEqualTo(1);
    assertThat(ledger.purgeExpired()).isZero();
  }

  @Test
  void holdingMovesLiveInFlightEntriesToATimeoutFromNow() {
    reserve("pod-a", assignment(NODE, "0000:1a:00.2"));
    reserve("pod-gone", assignment(NODE, "0000:1a:00.4"));
    ledger.bound("pod-b", assignment(NODE, "0000:1a:00.3"));
    clock.advance(Duration.ofSeconds(10));
    ledger.releaseInFlight("pod-gone", assignment(NODE, "0000:1a:00.4"));
    Ledger.Stamp before = ledger.snapshot(NODE, null).stamp();

    assertThat(ledger.holdInFlight()).isEqualTo(1);

    assertThat(ledger.unchangedSince(before)).as("a hold is a change").isFalse();
    clock.advance(IN_FLIGHT.minusSeconds(1));
    assertThat(ledger.assignmentOf("pod-a")).as("30 s after the hold, not the bind").isPresent();
    assertThat(ledger.assignmentOf("pod-b")).isPresent();
    clock.advance(Duration.ofSeconds(1));
    assertThat(ledger.assignmentOf("pod-a")).isEmpty();
    assertThat(ledger.holdInFlight()).as("an expired entry stays expired").isZero();
  }

  @Test
  void boundEntriesNeverExpire() {
    ledger.bound("pod-a", assignment(NODE, "0000:1a:00.2"));

    clock.advance(IN_FLIGHT.multipliedBy(10));

    assertThat(ledger.purgeExpired()).isZero();
    assertThat(ledger.assignmentOf("pod-a")).isPresent();
  }

  @Test
  void boundEntryReplacesTheInFlightOneOfTheSamePod() {
    reserve("pod-a", assignment(NODE, "0000:1a:00.2"));
    Assignment seenByInformer = assignment(NODE, "0000:1a:00.2");

    ledger.bound("pod-a", seenByInformer);
    clock.advance(IN_FLIGHT.plusSeconds(1));

    // Now bound, the entry outlives the in-flight timeout and is no longer a reservation.
    assertThat(ledger.assignmentOf("pod-a")).contains(seenByInformer);
    assertThat(ledger.purgeExpired()).isZero();
    ledger.releaseInFlight("pod-a", seenByInformer);
    assertThat(ledger.assignmentOf("pod-a")).isPresent();
    assertThat(ledger.size()).isEqualTo(1);
  }

  @Test
  void boundEntryMovesWhenTheAssignmentNamesAnotherNode() {
    ledger.bound("pod-a", assignment(NODE, "0000:1a:00.2"));

    ledger.bound("pod-a", assignment("worker-2", "0000:3b:00.2"));

    assertThat(ledger.sizeOn(NODE)).isZero();
    assertThat(ledger.sizeOn("worker-2")).isEqualTo(1);
  }

  @Test
  void unboundRemovesOnlyBoundEntries() {
    reserve("in-flight", assignment(NODE, "0000:1a:00.2"));
    ledger.bound("bound", assignment(NODE, "0000:1a:00.3"));

    ledger.unbound("in-flight");
    ledger.unbound("bound");
    ledger.unbound("unknown");

    // A pod without the annotation yet is exactly what a fresh reservation looks like.
    assertThat(ledger.assignmentOf("in-flight")).isPresent();
    assertThat(ledger.assignmentOf("bound")).isEmpty();
  }

  @Test
  void lapsingListsInFlightEntriesThatExpireWithinTheHorizonOrHaveExpired() {
    Assignment early = assignment(NODE, "0000:1a:00.2");
    reserve("early", early);
    clock.advance(Duration.ofSeconds(10));
    reserve("late", assignment(NODE, "0000:1a:00.3"));
    ledger.bound("bound", assignment(NODE, "0000:1a:00.4"));

    // early expires 20 s from now, late 30 s from now.
    assertThat(ledger.lapsingWithin(Duration.ofSeconds(20))).isEmpty();
    assertThat(ledger.lapsingWithin(Duration.ofSeconds(21)))
        .containsExactly(
            new Ledger.InFlight("early", new Ledger.PodName("team-a", "early"), early));

    clock.advance(Duration.ofSeconds(25));
    assertThat(ledger.lapsingWithin(Duration.ZERO))
        .as("expired, not purged yet")
        .extracting(Ledger.InFlight::podUid)
        .containsExactly("early");
  }

  @Test
  void renewGivesAnInFlightEntryAnotherTimeoutAndCountsAsAChange() {
    Assignment a = assignment(NODE, "0000:1a:00.2");
    reserve("pod-a", a);
    clock.advance(IN_FLIGHT.minusSeconds(1));
    Ledger.InFlight lapsing = ledger.lapsingWithin(Duration.ofSeconds(5)).get(0);
    Ledger.Stamp before = ledger.snapshot(NODE, null).stamp();

    assertThat(ledger.renew(lapsing)).isTrue();

    assertThat(ledger.unchangedSince(before)).isFalse();
    clock.advance(IN_FLIGHT.minusSeconds(1));
    assertThat(ledger.assignmentOf("pod-a")).contains(a);
    assertThat(ledger.purgeExpired()).isZero();
    clock.advance(Duration.ofSeconds(1));
    assertThat(ledger.assignmentOf("pod-a")).isEmpty();
  }

  @Test
  void renewLeavesAnEntryThatChangedSinceItWasListed() {
    Assignment a = assignment(NODE, "0000:1a:00.2");
    reserve("confirmed", a);
    reserve("released", assignment(NODE, "0000:1a:00.3"));
    reserve("replaced", assignment(NODE, "0000:1a:00.4"));
    clock.advance(IN_FLIGHT.minusSeconds(1));
    List<Ledger.InFlight> lapsing = ledger.lapsingWithin(Duration.ofSeconds(5));
    assertThat(lapsing).hasSize(3);

    ledger.bound("confirmed", a);
    ledger.released("released");
    reserve("replaced", assignment(NODE, "0000:1a:00.5"));

    assertThat(lapsing).noneMatch(ledger::renew);
    clock.advance(Duration.ofSeconds(1));
    assertThat(ledger.assignmentOf("confirmed")).as("bound, never expires").contains(a);
    assertThat(ledger.assignmentOf("released")).isEmpty();
    assertThat(ledger.assignmentOf("replaced"))
        .as("the new decision keeps its own expiry")
        .contains(assignment(NODE, "0000:1a:00.5"));
  }

  @Test
  void releaseInFlightRemovesOnlyInFlightEntries() {
    reserve("in-flight", assignment(NODE, "0000:1a:00.2"));
    ledger.bound("bound", assignment(NODE, "0000:1a:00.3"));

    ledger.releaseInFlight("in-flight", assignment(NODE, "0000:1a:00.2"));
    ledger.releaseInFlight("bound", assignment(NODE, "0000:1a:00.3"));
    ledger.releaseInFlight("unknown", assignment(NODE, "0000:1a:00.4"));

    assertThat(ledger.assignmentOf("in-flight")).isEmpty();
    assertThat(ledger.assignmentOf("bound")).isPresent();
  }

  @Test
  void aDecisionDoesNotExpireWhileBindStillWritesIt() {
    Assignment a = assignment(NODE, "0000:1a:00.2");
    ledger.reserve(
        new Ledger.PodName("team-a", "slow"),
        "slow",
        NODE,
        c -> new Ledger.Decision<>(Optional.of(a), null));
    clock.advance(IN_FLIGHT.multipliedBy(3));

    assertThat(ledger.assignmentOf("slow")).as("its write is still running").contains(a);
    assertThat(ledger.purgeExpired()).isZero();
    assertThat(ledger.lapsingWithin(IN_FLIGHT)).isEmpty();
    assertThat(ledger.holdInFlight()).isZero();

    ledger.written("slow", a);
    clock.advance(IN_FLIGHT.minusSeconds(1));
    assertThat(ledger.assignmentOf("slow")).contains(a);
    clock.advance(Duration.ofSeconds(1));
    assertThat(ledger.assignmentOf("slow")).as("expired a timeout after the write").isEmpty();
  }

  @Test
  void writtenLeavesAnEntryThatIsNoLongerTheWrittenDecision() {
    Assignment a = assignment(NODE, "0000:1a:00.2");
    ledger.reserve(
        new Ledger.PodName("team-a", "p"),
        "p",
        NODE,
        c -> new Ledger.Decision<>(Optional.of(a), null));
    ledger.bound("p", a);

    ledger.written("p", a);
    clock.advance(IN_FLIGHT.multipliedBy(2));

    assertThat(ledger.assignmentOf("p")).as("bound stays bound").contains(a);
  }

  @Test
  void releaseInFlightLeavesAnotherDecisionOfThePod() {
    // A failed bind releases its own reservation, not one a later bind of the pod made.
    reserve("pod-a", assignment(NODE, "0000:1a:00.2"));
    reserve("pod-a", assignment("worker-2", "0000:3b:00.2"));

    ledger.releaseInFlight("pod-a", assignment(NODE, "0000:1a:00.2"));

    assertThat(ledger.assignmentOf("pod-a")).contains(assignment("worker-2", "0000:3b:00.2"));
  }

  @Test
  void releasedFreesEitherKindAtOnce() {
    reserve("in-flight", assignment(NODE, "0000:1a:00.2"));
    ledger.bound("bound", assignment(NODE, "0000:1a:00.3"));

    ledger.released("in-flight");
    ledger.released("bound");
    ledger.released("unknown");

    assertThat(ledger.size()).isZero();
    assertThat(ledger.commitmentsOn(NODE, null)).isEqualTo(Commitments.none());
  }

  @Test
  void concurrentReservationsOfTheLastFreeVfHaveOneWinner() throws Exception {
    // Two free VFs, 0000:1a:00.1 and 0000:1a:00.2.
    NodeInventory inventory = TestInventories.ibNode(NODE, 0x1a, 2, 200_000);
    // The first VF is already taken, so exactly one is left for eight binds racing for it.
    ledger.bound("earlier", assignment(NODE, "0000:1a:00.1"));
    PodRequest request = new PodRequest(List.of(InterfaceRequest.any("net1")));
    int threads = 8;
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Boolean>> wins = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        String uid = "pod-" + i;
        wins.add(
            pool.submit(
                () -> {
                  start.await();
                  return ledger.reserve(
                      new Ledger.PodName("team-a", uid),
                      uid,
                      NODE,
                      c -> decide(inventory, c, request));
                }));
      }
      start.countDown();

      int winners = 0;
      for (Future<Boolean> win : wins) {
        winners += win.get() ? 1 : 0;
      }
      assertThat(winners).isEqualTo(1);
    } finally {
      pool.shutdownNow();
    }
    assertThat(ledger.size()).isEqualTo(2);
    assertThat(ledger.commitmentsOn(NODE, null).takenVfs())
        .containsExactlyInAnyOrder("0000:1a:00.1", "0000:1a:00.2");
  }

  @Test
  void aPodsEntryNeverLooksGoneToReadersWhileItIsReplaced() throws Exception {
    // Readers (filter, assignmentOf) take no lock. Each step replaces the pod's entry on one node:
    // bound, a decision for another VF, written, bound again, and back.
    Assignment first = assignment(NODE, "0000:1a:00.2");
    Assignment second = assignment(NODE, "0000:1a:00.3");
    ledger.bound("pod-a", first);

    List<String> seenGone =
        Races.readWhileWriting(
            WRITES,
            () -> {
              for (Assignment a : List.of(second, first)) {
                reserve("pod-a", a);
                ledger.bound("pod-a", a);
              }
            },
            () -> {
              if (ledger.assignmentOf("pod-a").isEmpty()) {
                return "assignmentOf empty";
              }
              Commitments c = ledger.commitmentsOn(NODE, null);
              return c.isTaken(first.interfaces().get(0).vf())
                      || c.isTaken(second.interfaces().get(0).vf())
                  ? null
                  : "no VF taken on " + NODE;
            });

    assertThat(seenGone).isEmpty();
  }

  @Test
  void aPodsEntryNeverLooksGoneToReadersWhileItMovesToAnotherNode() throws Exception {
    Assignment here = assignment(NODE, "0000:1a:00.2");
    Assignment there = assignment("worker-2", "0000:3b:00.2");
    ledger.bound("pod-a", here);

    List<String> seenGone =
        Races.readWhileWriting(
            WRITES,
            () -> {
              ledger.bound("pod-a", there);
              ledger.bound("pod-a", here);
            },
            () -> {
              if (!ledger.holds("pod-a")) {
                return "holds false";
              }
              return ledger.assignmentOf("pod-a").isEmpty() ? "assignmentOf empty" : null;
            });

    assertThat(seenGone).isEmpty();
    assertThat(ledger.sizeOn("worker-2")).isZero();
    assertThat(ledger.sizeOn(NODE)).isEqualTo(1);
  }

  @Test
  void aSnapshotsPodsAndCommitmentsAgreeWhileAPodComesAndGoes() throws Exception {
    // NodeEvaluator counts a pod's own entry against it when the stamp's pods leave it out but the
    // commitments hold its VFs: both must come from the same view of the node.
    Assignment a = assignment(NODE, "0000:1a:00.2");
    ledger.bound("other", assignment(NODE, "0000:1a:00.3"));

    List<String> seen =
        Races.readWhileWriting(
            WRITES,
            () -> {
              ledger.bound("pod-a", a);
              ledger.released("pod-a");
            },
            () -> {
              Ledger.Snapshot s = ledger.snapshot(NODE, null);
              boolean listed = s.stamp().pods().contains("pod-a");
              boolean counted = s.commitments().isTaken(a.interfaces().get(0).vf());
              return listed == counted ? null : "listed " + listed + ", counted " + counted;
            });

    assertThat(seen).isEmpty();
  }

  @Test
  void aDecisionElsewhereThatGoesUnwrittenGivesBackTheAssignmentThePodCarries() {
    Assignment carried = assignment(NODE, "0000:1a:00.2");
    Assignment elsewhere = assignment("worker-2", "0000:1a:00.3");
    ledger.bound("pod-a", carried);

    reserve("pod-a", elsewhere);
    assertThat(ledger.commitmentsOn(NODE, "other").isTaken("0000:1a:00.2"))
        .as("the decision replaces the carried assignment while bind writes it")
        .isFalse();
    ledger.releaseInFlight("pod-a", elsewhere);

    assertThat(ledger.assignmentOf("pod-a")).contains(carried);
    assertThat(ledger.commitmentsOn(NODE, "other").isTaken("0000:1a:00.2")).isTrue();
    assertThat(ledger.sizeOn("worker-2")).isZero();
  }

  @Test
  void aLapsedDecisionGivesBackTheAssignmentThePodCarries() {
    Assignment carried = assignment(NODE, "0000:1a:00.2");
    ledger.bound("pod-a", carried);
    reserve("pod-a", assignment("worker-2", "0000:1a:00.3"));
    Assignment again = assignment("worker-3", "0000:1a:00.4");
    reserve("pod-a", again);

    clock.advance(IN_FLIGHT.plusSeconds(1));
    assertThat(ledger.purgeExpired()).isEqualTo(1);

    assertThat(ledger.assignmentOf("pod-a"))
        .as("a second decision still stands in front of the carried assignment")
        .contains(carried);
    assertThat(ledger.sizeOn("worker-2") + ledger.sizeOn("worker-3")).isZero();
  }

  @Test
  void anEventShowingTheCarriedAssignmentWhileBindWritesKeepsTheDecision() {
    Assignment carried = assignment(NODE, "0000:1a:00.2");
    Assignment decided = assignment("worker-2", "0000:1a:00.3");
    ledger.bound("pod-a", carried);
    ledger.reserve(
        POD_A, "pod-a", "worker-2", c -> new Ledger.Decision<>(Optional.of(decided), null));

    // The pod's status changed while bind writes; the API still shows the carried assignment.
    ledger.bound("pod-a", carried);

    assertThat(ledger.assignmentOf("pod-a")).contains(decided);
    assertThat(ledger.commitmentsOn("worker-2", "other").isTaken("0000:1a:00.3")).isTrue();
    ledger.releaseInFlight("pod-a", decided);
    assertThat(ledger.assignmentOf("pod-a")).as("bind failed: the carried one").contains(carried);
  }

  @Test
  void anEventShowingTheDecisionRecordedMakesItBound() {
    ledger.bound("pod-a", assignment(NODE, "0000:1a:00.2"));
    Assignment decided = assignment("worker-2", "0000:1a:00.3");
    reserve("pod-a", decided);

    ledger.bound("pod-a", decided);
    clock.advance(IN_FLIGHT.plusSeconds(1));

    assertThat(ledger.purgeExpired()).isZero();
    assertThat(ledger.assignmentOf("pod-a")).contains(decided);
    assertThat(ledger.sizeOn(NODE)).isZero();
  }

  @Test
  void aCarriedAssignmentThePodDroppedMeanwhileIsNotGivenBack() {
    ledger.bound("pod-a", assignment(NODE, "0000:1a:00.2"));
    Assignment elsewhere = assignment("worker-2", "0000:1a:00.3");
    reserve("pod-a", elsewhere);

    ledger.unbound("pod-a");
    assertThat(ledger.assignmentOf("pod-a")).as("the decision stays").contains(elsewhere);
    ledger.releaseInFlight("pod-a", elsewhere);

    assertThat(ledger.assignmentOf("pod-a")).isEmpty();
    assertThat(ledger.size()).isZero();
  }

  @Test
  void aDecisionTheInformerSawWrittenLeavesNothingToGiveBack() {
    ledger.bound("pod-a", assignment(NODE, "0000:1a:00.2"));
    Assignment elsewhere = assignment("worker-2", "0000:1a:00.3");
    reserve("pod-a", elsewhere);
    ledger.bound("pod-a", elsewhere);

    ledger.releaseInFlight("pod-a", elsewhere);
    clock.advance(IN_FLIGHT.plusSeconds(1));
    ledger.purgeExpired();

    assertThat(ledger.assignmentOf("pod-a")).contains(elsewhere);
    assertThat(ledger.sizeOn(NODE)).isZero();
  }

  @Test
  void anEventShowingAnAssignmentTheLedgerHadNotSeenWhileBindWritesKeepsTheDecision() {
    // A pod created carrying an assignment (a manifest copied from a running pod): bind read it
    // from the API before the informer showed it, so no bound entry was there to stand in front of.
    Assignment carried = assignment(NODE, "0000:1a:00.2");
    Assignment decided = assignment("worker-2", "0000:1a:00.3");
    ledger.reserve(
        POD_A, "pod-a", "worker-2", c -> new Ledger.Decision<>(Optional.of(decided), null));

    ledger.bound("pod-a", carried);

    assertThat(ledger.commitmentsOn("worker-2", "other").isTaken("0000:1a:00.3"))
        .as("bind is writing the decision: its VFs are not free")
        .isTrue();
    ledger.releaseInFlight("pod-a", decided);
    assertThat(ledger.assignmentOf("pod-a")).as("bind failed: the carried one").contains(carried);
  }

  @Test
  void anEventShowingWhatAnEarlierDecisionWroteWhileBindWritesAnotherKeepsTheDecision() {
    Assignment carried = assignment(NODE, "0000:1a:00.2");
    ledger.bound("pod-a", carried);
    // The first bind wrote its assignment on the pod, but could not tell whether its Binding
    // landed; the scheduler binds again elsewhere before the informer showed the first write.
    Assignment first = assignment("worker-2", "0000:1a:00.3");
    reserve("pod-a", first);
    Assignment second = assignment("worker-3", "0000:1a:00.4");
    ledger.reserve(
        POD_A, "pod-a", "worker-3", c -> new Ledger.Decision<>(Optional.of(second), null));

    ledger.bound("pod-a", first);

    assertThat(ledger.commitmentsOn("worker-3", "other").isTaken("0000:1a:00.4"))
        .as("bind is writing the second decision: its VFs are not free")
        .isTrue();
    ledger.releaseInFlight("pod-a", second);
    assertThat(ledger.assignmentOf("pod-a"))
        .as("bind failed: what the pod carries now, not what the ledger had seen before")
        .contains(first);
  }

  @Test
  void aLateEventShowingTheAssignmentBeforeAWrittenDecisionKeepsIt() {
    Assignment decided = assignment("worker-2", "0000:1a:00.3");
    reserve("pod-a", decided);

    // The informer is behind: it shows the pod as it was before bind wrote the decision.
    ledger.bound("pod-a", assignment(NODE, "0000:1a:00.2"));

    assertThat(ledger.commitmentsOn("worker-2", "other").isTaken("0000:1a:00.3")).isTrue();
    assertThat(ledger.sizeOn(NODE)).isZero();
  }

  // --- helpers ---------------------------------------------------------------------------------

  /** Decides like BindService: place the pod with the ledger's commitments, reserve on a fit. */
  private static Ledger.Decision<Boolean> decide(
      NodeInventory inventory, Commitments commitments, PodRequest request) {
    FitResult fit = Placement.fit(inventory, commitments, request);
    if (fit instanceof FitResult.Fit f) {
      return new Ledger.Decision<>(Optional.of(f.toAssignment(NODE)), true);
    }
    return new Ledger.Decision<>(Optional.empty(), false);
  }

  /** Reserves as bind does, and has written the decision (its expiry runs from now). */
  private void reserve(String uid, Assignment a) {
    ledger.reserve(
        new Ledger.PodName("team-a", uid),
        uid,
        a.node(),
        c -> new Ledger.Decision<>(Optional.of(a), null));
    ledger.written(uid, a);
  }

  private static Assignment assignment(String node, String vf) {
    return assignment(node, vf, 0);
  }

  /** One interface on the PF of {@code vf}'s bus, function 0. */
  private static Assignment assignment(String node, String vf, long minMbps) {
    String pf = vf.substring(0, vf.lastIndexOf(':') + 1) + "00.0";
    return new Assignment(node, List.of(new AssignedInterface("net1", pf, vf, minMbps, 0)));
  }
}
