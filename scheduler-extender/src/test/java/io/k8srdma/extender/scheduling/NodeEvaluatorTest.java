package io.k8srdma.extender.scheduling;

import static org.assertj.core.api.Assertions.assertThat;

import io.k8srdma.extender.MutableClock;
import io.k8srdma.extender.TestInventories;
import io.k8srdma.extender.ledger.Ledger;
import io.k8srdma.extender.poller.InventoryCache;
import io.k8srdma.extender.poller.InventoryCacheFixture;
import io.k8srdma.model.assignment.AssignedInterface;
import io.k8srdma.model.assignment.Assignment;
import io.k8srdma.model.placement.PlacementOptions;
import io.k8srdma.model.request.InterfaceRequest;
import io.k8srdma.model.request.PodRequest;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Reuse of verdicts between filter and prioritize, and everything that must end it. */
class NodeEvaluatorTest {

  private static final Duration STALENESS = Duration.ofMinutes(10);
  private static final Duration IN_FLIGHT = Duration.ofSeconds(30);
  private static final long NDR = 400_000;
  private static final List<String> NODES = List.of("n1", "n2", "n3");
  private static final PodRequest REQUEST = request(100_000);

  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-26T10:00:00Z"));
  private final CountingCache cache = new CountingCache();
  private final Ledger ledger = new Ledger(clock, IN_FLIGHT);
  private final NodeEvaluator evaluator =
      new NodeEvaluator(cache, ledger, PlacementOptions.defaults(), STALENESS, clock);

  @BeforeEach
  void nodesWithFreshInventories() {
    for (String node : NODES) {
      receive(node);
    }
  }

  @Test
  void prioritizeAfterFilterGivesTheSameScoresWithoutPlacingAgain() {
    List<Integer> filterScores = scores("pod-a", REQUEST);
    long runs = evaluator.placementRuns();

    List<Integer> prioritizeScores = scores("pod-a", REQUEST);

    assertThat(runs).isEqualTo(NODES.size());
    assertThat(prioritizeScores).isEqualTo(filterScores).allMatch(s -> s > 0);
    assertThat(evaluator.placementRuns()).isEqualTo(runs);
  }

  @Test
  void prioritizeAfterFilterDoesNotLookTheNodesUpAgain() {
    List<Integer> filterScores = scores("pod-a", REQUEST);
    int lookups = cache.lookups;

    List<Integer> prioritizeScores = scores("pod-a", REQUEST);

    assertThat(lookups).isEqualTo(NODES.size());
    assertThat(prioritizeScores).isEqualTo(filterScores);
    assertThat(cache.lookups).isEqualTo(lookups);
  }

  @Test
  void aForgottenPodsNodesAreLookedUpAgain() {
    List<Integer> filterScores = scores("pod-a", REQUEST);
    evaluator.forPod("pod-a", REQUEST).forget();
    int lookups = cache.lookups;

    List<Integer> again = scores("pod-a", REQUEST);

    assertThat(again).isEqualTo(filterScores);
    assertThat(cache.lookups).isEqualTo(lookups + NODES.size());
  }

  @Test
  void fromItsSecondWorkerOnAJobReusesTheFitOfEveryUnchangedNode() {
    List<Integer> first = scores("worker-0", request(100_000));
    scores("worker-1", request(100_000));
    long runs = evaluator.placementRuns();

    List<Integer> third = scores("worker-2", request(100_000));

    assertThat(third).isEqualTo(first).allMatch(s -> s > 0);
    assertThat(evaluator.placementRuns()).as("an equal request, another pod").isEqualTo(runs);
  }

  @Test
  void aRequestOfOnePodAloneKeepsNoFits() {
    scores("worker-0", request(100_000));
    evaluator.forPod("worker-0", request(100_000)).forget();
    scores("worker-0", request(100_000));
    long runs = evaluator.placementRuns();

    scores("worker-1", request(100_000));

    assertThat(evaluator.placementRuns())
        .as("the first pod's own calls do not make its request repeat")
        .isEqualTo(runs + NODES.size());
  }

  @Test
  void aJobsFitsOutliveOneOtherPodBetweenItsWorkers() {
    scores("worker-0", request(100_000));
    List<Integer> second = scores("worker-1", request(100_000));
    scores("other-pod", request(50_000));
    long runs = evaluator.placementRuns();

    List<Integer> third = scores("worker-2", request(100_000));

    assertThat(third).isEqualTo(second);
    assertThat(evaluator.placementRuns()).isEqualTo(runs);
  }

  @Test
  void theFitsOfARequestAreForgottenAfterTwoOthers() {
    scores("worker-0", request(100_000));
    List<Integer> second = scores("worker-1", request(100_000));
    scores("pod-x", request(50_000));
    scores("pod-y", request(60_000));
    long runs = evaluator.placementRuns();

    List<Integer> third = scores("worker-2", request(100_000));

    assertThat(NodeEvaluator.REMEMBERED_REQUESTS).isEqualTo(2);
    assertThat(third).isEqualTo(second);
    assertThat(evaluator.placementRuns()).isEqualTo(runs + NODES.size());
  }

  @Test
  void aFitKeptForARequestFollowsTheNodesNewPreparation() {
    scores("worker-0", request(300_000));
    scores("worker-1", request(300_000));
    reserveInFlight("pod-b", "n2", 1, 300_000);
    List<Integer> third = scores("worker-2", request(300_000));
    long runs = evaluator.placementRuns();

    List<Integer> fourth = scores("worker-3", request(300_000));

    assertThat(evaluator.placementRuns())
        .as("n2 was placed anew for worker-2 and kept for its new preparation")
        .isEqualTo(runs);
    assertThat(fourth).isEqualTo(third);
    assertThat(fourth.get(1)).as("400 Gb/s PF, 300 of it reserved").isZero();
    assertThat(fourth.get(0)).isPositive();
  }

  @Test
  void theNextWorkerIsPlacedAnewWhereThePreviousOneReserved() {
    scores("worker-0", request(300_000));
    List<Integer> second = scores("worker-1", request(300_000));
    long runs = evaluator.placementRuns();
    reserveInFlight("worker-1", "n2", 1, 300_000);

    List<Integer> third = scores("worker-2", request(300_000));

    assertThat(evaluator.placementRuns()).isEqualTo(runs + 1);
    assertThat(second.get(1)).isPositive();
    assertThat(third.get(1)).as("400 Gb/s PF, 300 of it reserved").isZero();
    assertThat(evaluator.forPod("worker-2", request(300_000)).evaluate("n2").fits()).isFalse();
    assertThat(List.of(third.get(0), third.get(2)))
        .isEqualTo(List.of(second.get(0), second.get(2)));
  }

  @Test
  void aNotModifiedPollKeepsTheInventoryInstanceAndTheReuse() {
    scores("pod-a", REQUEST);
    long runs = evaluator.placementRuns();
    int lookups = cache.lookups;
    clock.advance(Duration.ofSeconds(5));
    InventoryCacheFixture.notModified(cache, "n1", clock.instant());

    scores("pod-a", REQUEST);

    assertThat(evaluator.placementRuns()).isEqualTo(runs);
    assertThat(cache.lookups).as("a 304 changes no inventory").isEqualTo(lookups);
  }

  @Test
  void aNodeForgottenSinceTheVerdictIsUnknownAtOnce() {
    scores("pod-a", REQUEST);

    InventoryCacheFixture.forgotten(cache, "n2");
    NodeEvaluator.PodEvaluation prioritize = evaluator.forPod("pod-a", REQUEST);

    assertThat(prioritize.evaluate("n2").unusable()).contains("no k8s-rdma node agent");
    assertThat(prioritize.evaluate("n1").fits()).isTrue();
  }

  @Test
  void aNodeWhoseAgentMovedHasNoInventoryUntilTheNewAgentAnswers() {
    scores("pod-a", REQUEST);

    InventoryCacheFixture.agentMoved(cache, "n1", URI.create("http://10.0.0.99:8089"));

    assertThat(evaluator.forPod("pod-a", REQUEST).evaluate("n1").unusable())
        .startsWith("no RDMA inventory from the node agent at http://10.0.0.99:8089");
  }

  @Test
  void aVerdictKeptJustBeforeTheNodeTurnsStaleIsNotServedAfter() {
    clock.advance(STALENESS.minusSeconds(1));
    assertThat(scores("pod-a", REQUEST)).allMatch(s -> s > 0);

    clock.advance(Duration.ofSeconds(2));

    assertThat(evaluator.forPod("pod-a", REQUEST).evaluate("n3").unusable()).contains("stale");
  }

  @Test
  void aNewInventoryInstanceIsPlacedAgainEvenWhenEqual() {
    scores("pod-a", REQUEST);
    long runs = evaluator.placementRuns();
    receive("n2");

    scores("pod-a", REQUEST);

    assertThat(evaluator.placementRuns()).isEqualTo(runs + 1);
  }

  @Test
  void aReservationOnTheNodeEndsTheReuseThereOnly() {
    List<Integer> before = scores("pod-a", REQUEST);
    long runs = evaluator.placementRuns();
    reserveInFlight("pod-b", "n1", 1, 300_000);

    List<Integer> after = scores("pod-a", REQUEST);

    assertThat(evaluator.placementRuns()).isEqualTo(runs + 1);
    assertThat(after.get(0)).isNotEqualTo(before.get(0));
    assertThat(after.subList(1, 3)).isEqualTo(before.subList(1, 3));
  }

  @Test
  void bindingAndReleasingAnotherPodEndTheReuse() {
    scores("pod-a", REQUEST);
    long runs = evaluator.placementRuns();

    ledger.bound("pod-b", assignment("n2", 1, 300_000));
    List<Integer> whileBound = scores("pod-a", REQUEST);
    ledger.released("pod-b");
    List<Integer> afterRelease = scores("pod-a", REQUEST);

    assertThat(evaluator.placementRuns()).isEqualTo(runs + 2);
    assertThat(whileBound.get(1)).isNotEqualTo(afterRelease.get(1));
  }

  @Test
  void releasingAnInFlightReservationEndsTheReuse() {
    reserveInFlight("pod-b", "n3", 1, 300_000);
    List<Integer> reserved = scores("pod-a", REQUEST);
    long runs = evaluator.placementRuns();

    ledger.releaseInFlight("pod-b", assignment("n3", 1, 300_000));
    List<Integer> released = scores("pod-a", REQUEST);

    assertThat(evaluator.placementRuns()).isEqualTo(runs + 1);
    assertThat(released.get(2)).isNotEqualTo(reserved.get(2));
  }

  @Test
  void anInFlightEntryThatExpiresEndsTheReuseAtItsExpiryOnly() {
    reserveInFlight("pod-b", "n1", 1, 300_000);
    List<Integer> reserved = scores("pod-a", REQUEST);
    long runs = evaluator.placementRuns();

    clock.advance(IN_FLIGHT.minusSeconds(1));
    assertThat(scores("pod-a", REQUEST)).isEqualTo(reserved);
    assertThat(evaluator.placementRuns()).isEqualTo(runs);

    clock.advance(Duration.ofSeconds(1));
    List<Integer> expired = scores("pod-a", REQUEST);

    assertThat(evaluator.placementRuns()).isEqualTo(runs + 1);
    assertThat(expired.get(0)).isNotEqualTo(reserved.get(0)).isEqualTo(expired.get(1));
  }

  @Test
  void theOwnEntryOfThePodIsLeftOutAndItsChangesEndTheReuse() {
    List<Integer> before = scores("pod-a", REQUEST);
    long runs = evaluator.placementRuns();

    reserveInFlight("pod-a", "n1", 1, 300_000);
    List<Integer> withOwnEntry = scores("pod-a", REQUEST);

    assertThat(evaluator.placementRuns()).isEqualTo(runs + 1);
    assertThat(withOwnEntry).isEqualTo(before);
    assertThat(scores("pod-z", REQUEST).get(0)).isNotEqualTo(before.get(0));
  }

  @Test
  void aStaleNodeIsUnusableAndUsableAgainOnceFresh() {
    scores("pod-0", REQUEST);
    scores("pod-a", REQUEST);
    long runs = evaluator.placementRuns();
    clock.advance(STALENESS.plusSeconds(1));
    InventoryCacheFixture.notModified(cache, "n2", clock.instant());
    InventoryCacheFixture.notModified(cache, "n3", clock.instant());

    NodeEvaluator.Verdict stale = evaluator.evaluate("n1", "pod-a", REQUEST);
    InventoryCacheFixture.notModified(cache, "n1", clock.instant());
    NodeEvaluator.Verdict fresh = evaluator.evaluate("n1", "pod-a", REQUEST);

    assertThat(stale.fits()).isFalse();
    assertThat(stale.unusable()).contains("stale");
    assertThat(fresh.fits()).isTrue();
    assertThat(evaluator.placementRuns())
        .as("nothing placement depends on changed: the fit kept for the request holds")
        .isEqualTo(runs);
  }

  @Test
  void anUnknownNodeIsUnusableAndNotPlaced() {
    NodeEvaluator.Verdict v = evaluator.evaluate("n9", "pod-a", REQUEST);

    assertThat(v.unusable()).contains("no k8s-rdma node agent");
    assertThat(evaluator.placementRuns()).isZero();
  }

  @Test
  void anotherRequestIsPlacedAfresh() {
    scores("pod-a", REQUEST);
    long runs = evaluator.placementRuns();

    scores("pod-a", request(50_000));
    scores("pod-b", request(60_000));

    assertThat(evaluator.placementRuns()).isEqualTo(runs + 2L * NODES.size());
  }

  @Test
  void anotherPodSharesTheNodesPreparation() {
    List<Integer> first = scores("pod-a", REQUEST);
    long prepared = evaluator.preparations();

    List<Integer> second = scores("pod-b", REQUEST);

    assertThat(prepared).isEqualTo(NODES.size());
    assertThat(evaluator.preparations()).isEqualTo(prepared);
    assertThat(second).isEqualTo(first);
  }

  @Test
  void aLedgerOrInventoryChangePreparesTheNodeAgain() {
    scores("pod-a", REQUEST);
    long prepared = evaluator.preparations();

    reserveInFlight("pod-b", "n1", 1, 300_000);
    receive("n2");
    List<Integer> after = scores("pod-c", REQUEST);

    assertThat(evaluator.preparations()).isEqualTo(prepared + 2);
    assertThat(after).isEqualTo(freshEvaluator().scoresOf("pod-c"));
  }

  @Test
  void aNodeForgottenAndBackIsPreparedAgain() {
    scores("pod-a", REQUEST);
    long prepared = evaluator.preparations();

    InventoryCacheFixture.forgotten(cache, "n2");
    receive("n2");
    List<Integer> after = scores("pod-b", REQUEST);

    assertThat(evaluator.preparations()).isEqualTo(prepared + 1);
    assertThat(after).isEqualTo(freshEvaluator().scoresOf("pod-b"));
  }

  @Test
  void aNodeWhoseLedgerVersionWasForgottenIsPreparedAgainAfterAChange() {
    scores("pod-a", REQUEST);
    long prepared = evaluator.preparations();

    // The ledger's upkeep took n1 for gone (forgotten and back between its two looks); a bind
    // there then bumps a new version cell, not the one the prepared node's stamp holds.
    ledger.forgetVersionsOfGoneNodes(node -> !node.equals("n1"));
    ledger.bound("pod-b", assignment("n1", 1, 300_000));
    List<Integer> after = scores("pod-c", REQUEST);

    assertThat(evaluator.preparations()).isEqualTo(prepared + 1);
    assertThat(after).isEqualTo(freshEvaluator().scoresOf("pod-c"));
  }

  @Test
  void onlyTheMostRecentPodsAreKept() {
    // Every pod asks for something else, so the fits kept per request do not hide whether pod-0's
    // own verdicts were kept.
    PodRequest other = request(50_000);
    scores("pod-0", other);
    for (int i = 1; i <= NodeEvaluator.RECENT_PODS; i++) {
      scores("pod-" + i, request(100_000 + i));
    }
    long runs = evaluator.placementRuns();

    scores("pod-" + NodeEvaluator.RECENT_PODS, request(100_000 + NodeEvaluator.RECENT_PODS));
    scores("pod-0", other);

    assertThat(evaluator.placementRuns()).isEqualTo(runs + NODES.size());
  }

  @Test
  void bindsEvaluationIsNeverKeptNorServedFromKeptVerdicts() {
    scores("pod-a", REQUEST);
    long runs = evaluator.placementRuns();

    NodeEvaluator.Verdict v =
        evaluator.evaluate("n1", REQUEST, ledger.commitmentsOn("n1", "pod-a"));

    assertThat(v.fits()).isTrue();
    assertThat(evaluator.placementRuns()).isEqualTo(runs);
  }

  /** Counts the lookups of nodes, which prioritize right after filter should not need. */
  private static final class CountingCache extends InventoryCache {

    int lookups;

    @Override
    public CachedNode lookup(String node) {
      lookups++;
      return super.lookup(node);
    }
  }

  /** The scores an evaluator that has kept and prepared nothing gives, on the same state. */
  private FreshScores freshEvaluator() {
    NodeEvaluator fresh =
        new NodeEvaluator(cache, ledger, PlacementOptions.defaults(), STALENESS, clock);
    return podUid -> NODES.stream().map(n -> fresh.evaluate(n, podUid, REQUEST).score()).toList();
  }

  private interface FreshScores {
    List<Integer> scoresOf(String podUid);
  }

  private List<Integer> scores(String podUid, PodRequest request) {
    NodeEvaluator.PodEvaluation evaluation = evaluator.forPod(podUid, request);
    return NODES.stream().map(n -> evaluation.evaluate(n).score()).toList();
  }

  private void receive(String node) {
    InventoryCacheFixture.received(
        cache, node, TestInventories.ibNode(node, 0x1a, 4, NDR), clock.instant());
  }

  private void reserveInFlight(String podUid, String node, int vf, long minMbps) {
    ledger.reserve(
        new Ledger.PodName("team-a", podUid),
        podUid,
        node,
        c -> new Ledger.Decision<>(Optional.of(assignment(node, vf, minMbps)), true));
    ledger.written(podUid, assignment(node, vf, minMbps));
  }

  private static Assignment assignment(String node, int vf, long minMbps) {
    return new Assignment(
        node,
        List.of(new AssignedInterface("net1", "0000:1a:00.0", "0000:1a:00." + vf, minMbps, 0)));
  }

  private static PodRequest request(long minMbps) {
    return new PodRequest(List.of(new InterfaceRequest("net1", minMbps, 0, null, null, null)));
  }
}
