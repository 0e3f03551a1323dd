package io.k8srdma.extender.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.k8srdma.extender.MutableClock;
import io.k8srdma.model.assignment.AssignedInterface;
import io.k8srdma.model.assignment.Assignment;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@link Ledger#snapshot} and {@link Ledger#unchangedSince}: when a node's commitments hold. */
class LedgerStampTest {

  private static final Duration IN_FLIGHT = Duration.ofSeconds(30);
  private static final String NODE = "worker-1";
  private static final String OTHER = "worker-2";

  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final Ledger ledger = new Ledger(clock, IN_FLIGHT);

  @Test
  void readsAndChangesOnOtherNodesLeaveTheStampValid() {
    Ledger.Stamp stamp = ledger.snapshot(NODE, "pod-x").stamp();

    ledger.commitmentsOn(NODE, null);
    ledger.bound("pod-b", assignment(OTHER, 2));
    clock.advance(Duration.ofHours(1));

    assertThat(ledger.unchangedSince(stamp)).isTrue();
  }

  @Test
  void everyPutOrRemoveOnTheNodeEndsTheStamp() {
    List<Runnable> changes =
        List.of(
            () -> ledger.bound("pod-a", assignment(NODE, 2)),
            () -> reserve("pod-b", 3),
            () -> ledger.releaseInFlight("pod-b", assignment(NODE, 3)),
            () -> ledger.bound("pod-a", assignment(OTHER, 2)),
            () -> ledger.bound("pod-a", assignment(NODE, 2)),
            () -> ledger.unbound("pod-a"),
            () -> ledger.bound("pod-c", assignment(NODE, 4)),
            () -> ledger.released("pod-c"));
    for (Runnable change : changes) {
      Ledger.Stamp before = ledger.snapshot(NODE, null).stamp();
      change.run();
      assertThat(ledger.unchangedSince(before)).isFalse();
    }
  }

  @Test
  void anInFlightEntryEndsTheStampWhenItExpiresNotBefore() {
    reserve("pod-a", 2);
    Ledger.Snapshot snapshot = ledger.snapshot(NODE, null);

    clock.advance(IN_FLIGHT.minusMillis(1));
    boolean justBefore = ledger.unchangedSince(snapshot.stamp());
    clock.advance(Duration.ofMillis(1));

    assertThat(snapshot.commitments().isTaken("0000:1a:00.2")).isTrue();
    assertThat(justBefore).isTrue();
    assertThat(ledger.unchangedSince(snapshot.stamp())).isFalse();
  }

  @Test
  void aCallerPassingItsOwnInstantSeesTheExpiryAsOfThatInstant() {
    reserve("pod-a", 2);
    Ledger.Snapshot snapshot = ledger.snapshot(NODE, null);
    Instant requestStart = clock.instant().plus(IN_FLIGHT).minusMillis(1);

    clock.advance(IN_FLIGHT);

    // The clock has passed the expiry, but a request that started before it keeps one view.
    assertThat(ledger.unchangedSince(snapshot.stamp())).isFalse();
    assertThat(ledger.unchangedSince(snapshot.stamp(), requestStart)).isTrue();
    assertThat(ledger.unchangedSince(snapshot.stamp(), clock.instant())).isFalse();
  }

  @Test
  void aStampTakenAfterAnExpiryHoldsUntilTheNextOne() {
    reserve("pod-a", 2);
    clock.advance(Duration.ofSeconds(10));
    reserve("pod-b", 3);
    clock.advance(Duration.ofSeconds(20));
    Ledger.Snapshot snapshot = ledger.snapshot(NODE, null);

    clock.advance(Duration.ofSeconds(9));
    boolean beforeSecondExpiry = ledger.unchangedSince(snapshot.stamp());
    clock.advance(Duration.ofSeconds(1));

    assertThat(snapshot.commitments().isTaken("0000:1a:00.2")).isFalse();
    assertThat(snapshot.commitments().isTaken("0000:1a:00.3")).isTrue();
    assertThat(beforeSecondExpiry).isTrue();
    assertThat(ledger.unchangedSince(snapshot.stamp())).isFalse();
  }

  @Test
  void theStampNamesThePodsWithAnEntryAndTheSnapshotLeavesTheGivenOneOut() {
    ledger.bound("pod-a", assignment(NODE, 2));

    Ledger.Snapshot snapshot = ledger.snapshot(NODE, "pod-a");

    assertThat(snapshot.stamp().pods()).containsExactly("pod-a");
    assertThat(snapshot.commitments().isTaken("0000:1a:00.2")).isFalse();
    assertThat(ledger.snapshot(OTHER, null).stamp().pods()).isEmpty();
  }

  @Test
  void aStampOfAForgottenNodeNeverHoldsAgainThoughTheNodesChangesBumpANewCell() {
    Ledger.Stamp before = ledger.snapshot(NODE, null).stamp();

    assertThat(ledger.forgetVersionsOfGoneNodes(node -> false)).isEqualTo(1);
    ledger.bound("pod-a", assignment(NODE, 2));

    assertThat(ledger.unchangedSince(before)).isFalse();
    Ledger.Snapshot after = ledger.snapshot(NODE, null);
    assertThat(after.commitments().isTaken("0000:1a:00.2")).isTrue();
    assertThat(ledger.unchangedSince(after.stamp())).as("the new cell's stamp").isTrue();
    ledger.released("pod-a");
    assertThat(ledger.unchangedSince(after.stamp())).isFalse();
  }

  @Test
  void forgettingGoneNodesKeepsTheVersionsOfKnownOnesAndEveryEntry() {
    Ledger.Stamp known = ledger.snapshot(NODE, null).stamp();
    ledger.bound("pod-b", assignment(OTHER, 3));

    assertThat(ledger.forgetVersionsOfGoneNodes(NODE::equals)).isEqualTo(1);

    assertThat(ledger.unchangedSince(known)).isTrue();
    assertThat(ledger.commitmentsOn(OTHER, null).isTaken("0000:1a:00.3")).isTrue();
    assertThat(ledger.versionCells()).isEqualTo(1);
    // The pod informer sees the gone node's pod go: a change, whose new cell goes next time.
    ledger.released("pod-b");
    assertThat(ledger.forgetVersionsOfGoneNodes(NODE::equals)).isEqualTo(1);
    assertThat(ledger.forgetVersionsOfGoneNodes(NODE::equals)).isZero();
  }

  private void reserve(String podUid, int vf) {
    ledger.reserve(
        new Ledger.PodName("team-a", podUid),
        podUid,
        NODE,
        c -> new Ledger.Decision<>(Optional.of(assignment(NODE, vf)), true));
    ledger.written(podUid, assignment(NODE, vf));
  }

  private static Assignment assignment(String node, int vf) {
    return new Assignment(
        node, List.of(new AssignedInterface("net1", "0000:1a:00.0", "0000:1a:00." + vf, 1000, 0)));
  }
}
