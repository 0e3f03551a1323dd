package io.k8srdma.model.placement;

import static io.k8srdma.model.placement.Fixtures.ETH;
import static io.k8srdma.model.placement.Fixtures.IB;
import static io.k8srdma.model.placement.Fixtures.free;
import static io.k8srdma.model.placement.Fixtures.ib;
import static io.k8srdma.model.placement.Fixtures.node;
import static io.k8srdma.model.placement.Fixtures.pf;
import static io.k8srdma.model.placement.Fixtures.pfPci;
import static io.k8srdma.model.placement.Fixtures.pod;
import static io.k8srdma.model.placement.Fixtures.vf;
import static io.k8srdma.model.placement.Fixtures.vfPci;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.k8srdma.model.assignment.AssignedInterface;
import io.k8srdma.model.assignment.Assignment;
import io.k8srdma.model.inventory.NodeInventory;
import io.k8srdma.model.inventory.VfState;
import io.k8srdma.model.inventory.VirtualFunction;
import io.k8srdma.model.request.InterfaceRequest;
import io.k8srdma.model.request.PodRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class PlacementTest {

  private static final PlacementOptions DEFAULTS = PlacementOptions.defaults();

  private static FitResult.Fit fits(FitResult r) {
    assertThat(r).isInstanceOf(FitResult.Fit.class);
    return (FitResult.Fit) r;
  }

  private static String reason(FitResult r) {
    assertThat(r).isInstanceOf(FitResult.NoFit.class);
    return ((FitResult.NoFit) r).reason();
  }

  private static FitResult fit(NodeInventory inv, PodRequest req) {
    return Placement.fit(inv, Commitments.none(), req, DEFAULTS);
  }

  // --- usable VFs -----------------------------------------------------------------------------

  @Test
  void takesTheLowestIndexFreeVfAndCopiesTheRequest() {
    NodeInventory inv = node(ib("ibp26s0", 0x1a, 400_000, 4));
    PodRequest req = pod(new InterfaceRequest("net1", 25_000, 50_000, IB, null, null));
    FitResult.Fit fit = fits(fit(inv, req));
    assertThat(fit.choices())
        .containsExactly(
            new Choice("net1", "0000:1a:00.0", "ibp26s0", "0000:1a:01.0", 0, 25_000, 50_000));
    assertThat(fit.toAssignment("worker-7"))
        .isEqualTo(
            new Assignment(
                "worker-7",
                List.of(
                    new AssignedInterface(
                        "net1", "0000:1a:00.0", "0000:1a:01.0", 25_000, 50_000))));
  }

  @Test
  void skipsVfsInUseUnavailableOrInTheLedger() {
    List<VirtualFunction> vfs =
        List.of(
            vf(0x1a, 0, VfState.IN_USE, 0),
            vf(0x1a, 1, VfState.UNAVAILABLE, null),
            vf(0x1a, 2, VfState.FREE, 0),
            vf(0x1a, 3, VfState.FREE, 0));
    NodeInventory inv = node(pf("ib0", 0x1a, IB, 0, 100_000L, vfs));
    Commitments ledger = new Commitments(Set.of(vfPci(0x1a, 2).toUpperCase()), Map.of());
    FitResult.Fit fit = fits(Placement.fit(inv, ledger, pod(0), DEFAULTS));
    assertThat(fit.choices().get(0).vf()).isEqualTo(vfPci(0x1a, 3));
    assertThat(reason(Placement.fit(inv, ledger, pod(0, 0), DEFAULTS)))
        .isEqualTo("2 interfaces requested, 1 free VF matches");
  }

  @Test
  void sameInterfacesOnOnePfGetIncreasingVfsInRequestOrder() {
    NodeInventory inv = node(ib("ib0", 0x1a, 100_000, 4));
    FitResult.Fit fit = fits(fit(inv, pod(0, 10, 0)));
    assertThat(fit.choices()).extracting(Choice::name).containsExactly("net1", "net2", "net3");
    assertThat(fit.choices()).extracting(Choice::vfIndex).containsExactly(0, 1, 2);
  }

  // --- committed bandwidth ----------------------------------------------------------------------

  @Test
  void committedBandwidthIsAgentInUseFloorsPlusLedger() {
    List<VirtualFunction> vfs =
        List.of(
            vf(0x1a, 0, VfState.IN_USE, 60_000),
            vf(0x1a, 1, VfState.IN_USE, null), // unknown floor counts as 0
            vf(0x1a, 2, VfState.UNAVAILABLE, 5_000), // not in use: commits nothing
            vf(0x1a, 3, VfState.FREE, 0),
            vf(0x1a, 4, VfState.FREE, 0));
    NodeInventory inv = node(pf("ib0", 0x1a, IB, 0, 100_000L, vfs));
    Commitments ledger = new Commitments(Set.of(), Map.of(pfPci(0x1a), 30_000L));
    assertThat(Placement.fit(inv, ledger, pod(10_000), DEFAULTS).fits()).isTrue();
    assertThat(reason(Placement.fit(inv, ledger, pod(10_001), DEFAULTS)))
        .isEqualTo("no free VF with 10001 Mb/s on PFs: best PF ib0 has 10000 Mb/s left");
  }

  @Test
  void aVfInUseAndInTheLedgerIsChargedOnce() {
    List<VirtualFunction> vfs =
        List.of(vf(0x1a, 0, VfState.IN_USE, 40_000), vf(0x1a, 1, VfState.FREE, 0));
    NodeInventory inv = node(pf("ib0", 0x1a, IB, 0, 100_000L, vfs));
    Commitments ledger =
        Commitments.of(
            List.of(
                new Assignment(
                    "worker-7",
                    List.of(
                        new AssignedInterface("net1", pfPci(0x1a), vfPci(0x1a, 0), 40_000, 0)))));
    assertThat(Placement.fit(inv, ledger, pod(60_000), DEFAULTS).fits()).isTrue();
    assertThat(Placement.fit(inv, ledger, pod(60_001), DEFAULTS).fits()).isFalse();
  }

  @Test
  void oversubscriptionScalesCapacity() {
    NodeInventory inv = node(ib("ib0", 0x1a, 100_000, 2));
    assertThat(fit(inv, pod(150_000)).fits()).isFalse();
    assertThat(
            Placement.fit(inv, Commitments.none(), pod(150_000), DEFAULTS.withOversubscription(1.5))
                .fits())
        .isTrue();
    assertThat(
            reason(
                Placement.fit(
                    inv, Commitments.none(), pod(80_000), DEFAULTS.withOversubscription(0.75))))
        .isEqualTo("no free VF with 80000 Mb/s on PFs: best PF ib0 has 75000 Mb/s left");
  }

  @Test
  void oversubscribedCapacityIsTheExactDecimalProduct() {
    // In binary floating point 400000 x 1.15 is 459999.99999999994.
    NodeInventory inv = node(ib("ib0", 0x1a, 400_000, 2));
    PlacementOptions factor = DEFAULTS.withOversubscription(1.15);
    assertThat(Placement.fit(inv, Commitments.none(), pod(460_000), factor).fits()).isTrue();
    assertThat(reason(Placement.fit(inv, Commitments.none(), pod(460_001), factor)))
        .isEqualTo("no free VF with 460001 Mb/s on PFs: best PF ib0 has 460000 Mb/s left");
  }

  @Test
  void absurdCapacitiesDoNotOverflowTheBandwidthCheck() {
    // The extender refuses such inventories (InventoryCheck); placement itself must not wrap.
    long huge = 5_000_000_000_000_000_000L;
    NodeInventory inv = node(ib("ib0", 0x1a, huge, 8), ib("ib1", 0x3c, huge, 8));
    assertThat(fit(inv, pod(25_000, 25_000)).fits()).isTrue();
  }

  @Test
  void unknownCapacityTakesOnlyZeroFloors() {
    NodeInventory inv = node(pf("ib0", 0x1a, IB, 0, null, free(0x1a, 2)));
    assertThat(fit(inv, pod(0, 0)).fits()).isTrue();
    assertThat(reason(fit(inv, pod(1))))
        .isEqualTo(
            "no free VF with 1 Mb/s on PFs: the capacity of ib0 is unknown, so only interfaces"
                + " without a floor (minTxRateMbps 0) fit");
  }

  @Test
  void zeroFloorsFitOnAnOverCommittedPf() {
    NodeInventory inv = node(ib("ib0", 0x1a, 100_000, 2));
    Commitments over = new Commitments(Set.of(), Map.of(pfPci(0x1a), 120_000L));
    assertThat(Placement.fit(inv, over, pod(0), DEFAULTS).fits()).isTrue();
    assertThat(reason(Placement.fit(inv, over, pod(1), DEFAULTS)))
        .isEqualTo("no free VF with 1 Mb/s on PFs: best PF ib0 has 0 Mb/s left");
  }

  @Test
  void sumsFloorsOfSeveralInterfacesOnOnePf() {
    NodeInventory inv = node(ib("ib0", 0x1a, 100_000, 4));
    assertThat(fit(inv, pod(50_000, 50_000)).fits()).isTrue();
    assertThat(reason(fit(inv, pod(50_000, 50_001))))
        .isEqualTo(
            "the 2 interfaces need 100001 Mb/s in all, only 100000 Mb/s is left on the PFs they"
                + " may use; left on PFs with a free VF: ib0 100000 Mb/s (4 free VFs)");
  }

  // --- constraints ----------------------------------------------------------------------------

  @Test
  void honoursLinkLayer() {
    NodeInventory inv =
        node(pf("eth0", 0x1a, ETH, 0, 100_000L, free(0x1a, 2)), ib("ib0", 0x3b, 100_000, 2));
    FitResult.Fit fit = fits(fit(inv, pod(new InterfaceRequest("net1", 0, 0, IB, null, null))));
    assertThat(fit.choices().get(0).pfName()).isEqualTo("ib0");
    FitResult.Fit eth = fits(fit(inv, pod(new InterfaceRequest("net1", 0, 0, ETH, null, null))));
    assertThat(eth.choices().get(0).pfName()).isEqualTo("eth0");
    assertThat(
            reason(
                fit(
                    node(ib("ib0", 0x3b, 100_000, 2)),
                    pod(new InterfaceRequest("n", 0, 0, ETH, null, null)))))
        .isEqualTo("this node has no Ethernet PF");
  }

  @Test
  void honoursPfPinByNameOrPci() {
    NodeInventory inv = node(ib("ib0", 0x1a, 100_000, 2), ib("ib1", 0x3b, 400_000, 2));
    assertThat(
            fits(fit(inv, pod(new InterfaceRequest("n", 0, 0, null, "ib1", null))))
                .choices()
                .get(0)
                .pf())
        .isEqualTo(pfPci(0x3b));
    assertThat(
            fits(fit(inv, pod(new InterfaceRequest("n", 0, 0, null, "0000:1A:00.0", null))))
                .choices()
                .get(0)
                .pfName())
        .isEqualTo("ib0");
    assertThat(reason(fit(inv, pod(new InterfaceRequest("n", 0, 0, IB, "ibp99s0", 1)))))
        .isEqualTo("this node has no InfiniBand PF ibp99s0 on NUMA node 1");
    assertThat(reason(fit(inv, pod(new InterfaceRequest("n", 200_000, 0, null, "ib0", null)))))
        .isEqualTo("no free VF with 200000 Mb/s on PF ib0: best PF ib0 has 100000 Mb/s left");
  }

  @Test
  void honoursNumaNode() {
    NodeInventory inv =
        node(
            pf("ib0", 0x1a, IB, 0, 100_000L, free(0x1a, 2)),
            pf("ib1", 0x3b, IB, 1, 100_000L, free(0x3b, 2)));
    assertThat(
            fits(fit(inv, pod(new InterfaceRequest("n", 0, 0, null, null, 1))))
                .choices()
                .get(0)
                .pfName())
        .isEqualTo("ib1");
    assertThat(reason(fit(inv, pod(new InterfaceRequest("n", 0, 0, null, null, 2)))))
        .isEqualTo("this node has no PF on NUMA node 2");
  }

  // --- failure messages -----------------------------------------------------------------------

  @Test
  void nodeWithoutPfs() {
    assertThat(reason(fit(node(), pod(0)))).isEqualTo("node reports no RDMA PF");
  }

  @Test
  void noFreeVfSaysWhy() {
    List<VirtualFunction> vfs =
        List.of(vf(0x1a, 0, VfState.IN_USE, 0), vf(0x1a, 1, VfState.UNAVAILABLE, null));
    NodeInventory inv = node(pf("ib0", 0x1a, IB, 0, 100_000L, vfs));
    assertThat(reason(fit(inv, pod(new InterfaceRequest("n", 0, 0, IB, null, null)))))
        .isEqualTo("no free VF on InfiniBand PFs: 2 VFs, 1 in use, 1 unavailable");
    assertThat(reason(fit(node(pf("ib0", 0x1a, IB, 0, 100_000L, List.of())), pod(0))))
        .isEqualTo("no free VF on PFs: no VF is enabled (sriov_numvfs is 0)");
  }

  @Test
  void bandwidthMessageNamesTheBestPf() {
    NodeInventory inv =
        node(
            pf("ibp26s0", 0x1a, IB, 0, 100_000L, free(0x1a, 2)),
            pf("ibp27s0", 0x1b, IB, 0, 200_000L, List.of(vf(0x1b, 0, VfState.IN_USE, 200_000))),
            pf("enp1", 0x3b, ETH, 0, 400_000L, free(0x3b, 2)));
    Commitments ledger = new Commitments(Set.of(), Map.of(pfPci(0x1a), 90_000L));
    assertThat(
            reason(
                Placement.fit(
                    inv,
                    ledger,
                    pod(new InterfaceRequest("net1", 25_000, 50_000, IB, null, null)),
                    DEFAULTS)))
        .isEqualTo(
            "no free VF with 25000 Mb/s on InfiniBand PFs: best PF ibp26s0 has 10000 Mb/s left");
  }

  @Test
  void countMessagePerConstraintGroup() {
    NodeInventory inv =
        node(ib("ib0", 0x1a, 100_000, 1), pf("eth0", 0x3b, ETH, 0, 100_000L, free(0x3b, 4)));
    PodRequest req =
        pod(
            new InterfaceRequest("a", 0, 0, IB, null, null),
            new InterfaceRequest("b", 0, 0, IB, null, null),
            new InterfaceRequest("c", 0, 0, null, null, null));
    assertThat(reason(fit(inv, req)))
        .isEqualTo("2 interfaces requested on InfiniBand PFs, 1 free VF matches");
  }

  @Test
  void fragmentationIsReportedAfterTheSearch() {
    NodeInventory inv = node(ib("ib0", 0x1a, 50_000, 4), ib("ib1", 0x1b, 50_000, 4));
    assertThat(reason(fit(inv, pod(40_000, 40_000, 20_000))))
        .isEqualTo(
            "no combination of free VFs fits: interfaces need 40000, 40000, 20000 Mb/s; left on"
                + " PFs with a free VF: ib0 50000 Mb/s (4 free VFs), ib1 50000 Mb/s (4 free VFs)");
  }

  @Test
  void backtracksWhenTheGreedyChoiceLeadsNowhere() {
    // Best fit puts the first 20000 on ib0 (30000 left), after which the 15000s no longer fit;
    // the only fit is both 20000s on ib1 and both 15000s on ib0.
    NodeInventory inv = node(ib("ib0", 0x1a, 100_000, 4), ib("ib1", 0x1b, 100_000, 4));
    Commitments ledger =
        new Commitments(Set.of(), Map.of(pfPci(0x1a), 70_000L, pfPci(0x1b), 60_000L));
    FitResult.Fit fit =
        fits(Placement.fit(inv, ledger, pod(20_000, 15_000, 20_000, 15_000), DEFAULTS));
    assertThat(fit.choices())
        .extracting(Choice::pfName)
        .containsExactly("ib1", "ib0", "ib1", "ib0");
    assertThat(fit.score()).isEqualTo(10);
  }

  // --- choice and score -----------------------------------------------------------------------

  @Test
  void binpackPrefersTheFullerPfAndSpreadTheEmptier() {
    NodeInventory inv = node(ib("ib0", 0x1a, 100_000, 2), ib("ib1", 0x1b, 100_000, 2));
    Commitments ledger = new Commitments(Set.of(), Map.of(pfPci(0x1b), 60_000L));
    FitResult.Fit binpack = fits(Placement.fit(inv, ledger, pod(40_000), DEFAULTS));
    assertThat(binpack.choices().get(0).pfName()).isEqualTo("ib1");
    assertThat(binpack.score()).isEqualTo(10); // aligned (5) + full PF (5)
    FitResult.Fit spread =
        fits(Placement.fit(inv, ledger, pod(40_000), DEFAULTS.withPolicy(ScoringPolicy.SPREAD)));
    assertThat(spread.choices().get(0).pfName()).isEqualTo("ib0");
    // aligned (5) + 60G left, 1.5 times the pod: round(5 * log2(2.5) / 8) = 1
    assertThat(spread.score()).isEqualTo(6);
    FitResult.Fit plain =
        fits(Placement.fit(inv, ledger, pod(40_000), DEFAULTS.withNumaBonus(false)));
    assertThat(plain.score()).isEqualTo(10);
  }

  @Test
  void binpackKeepsInterfacesTogetherSpreadSplitsThem() {
    NodeInventory inv = node(ib("ib0", 0x1a, 100_000, 4), ib("ib1", 0x1b, 100_000, 4));
    FitResult.Fit binpack = fits(fit(inv, pod(30_000, 30_000)));
    assertThat(binpack.choices()).extracting(Choice::pfName).containsOnly("ib0");
    // aligned + 40G left, 2/3 of the pod: round(5 * (1 - log2(5 / 3) / 8)) = 5
    assertThat(binpack.score()).isEqualTo(5 + 5);
    FitResult.Fit spread =
        fits(
            Placement.fit(
                inv,
                Commitments.none(),
                pod(30_000, 30_000),
                DEFAULTS.withPolicy(ScoringPolicy.SPREAD)));
    assertThat(spread.choices()).extracting(Choice::pfName).containsExactlyInAnyOrder("ib0", "ib1");
    // aligned + 140G left, 7/3 of the pod: round(5 * log2(10 / 3) / 8) = 1
    assertThat(spread.score()).isEqualTo(5 + 1);
  }

  @Test
  void numaBonusPrefersOneNumaNode() {
    // ib0 alone on node 0 is fuller, but the two interfaces fit together only on node 1.
    NodeInventory inv =
        node(
            pf("ib0", 0x1a, IB, 0, 100_000L, free(0x1a, 1)),
            pf("ib1", 0x3b, IB, 1, 100_000L, free(0x3b, 1)),
            pf("ib2", 0x3c, IB, 1, 100_000L, free(0x3c, 1)));
    Commitments ledger = new Commitments(Set.of(), Map.of(pfPci(0x1a), 80_000L));
    FitResult.Fit aligned = fits(Placement.fit(inv, ledger, pod(10_000, 10_000), DEFAULTS));
    assertThat(aligned.choices())
        .extracting(Choice::pfName)
        .containsExactlyInAnyOrder("ib1", "ib2");
    // 180G left, 9 times the pod: round(5 * (1 - log2(10) / 8)) = 3
    assertThat(aligned.score()).isEqualTo(5 + 3);
    FitResult.Fit packed =
        fits(Placement.fit(inv, ledger, pod(10_000, 10_000), DEFAULTS.withNumaBonus(false)));
    assertThat(packed.choices()).extracting(Choice::pfName).contains("ib0");
    // Without alignment available, the score stays below every aligned score.
    NodeInventory split =
        node(
            pf("ib0", 0x1a, IB, 0, 100_000L, free(0x1a, 1)),
            pf("ib1", 0x3b, IB, 1, 100_000L, free(0x3b, 1)));
    assertThat(fits(fit(split, pod(50_000, 50_000))).score()).isEqualTo(4);
  }

  @Test
  void zeroFloorOnUnknownCapacityScoresByVfShare() {
    NodeInventory inv =
        node(pf("a", 0x1a, IB, 0, null, free(0x1a, 4)), pf("b", 0x1b, IB, 0, null, free(0x1b, 2)));
    FitResult.Fit fit = fits(fit(inv, pod(0)));
    assertThat(fit.choices().get(0).pfName()).isEqualTo("b"); // 1 of 2 taken beats 1 of 4
    assertThat(fit.score()).isEqualTo(5 + 4); // 1 VF left, once the pod's: 1 - log2(2) / 8
  }

  @Test
  void binpackLeavesTheLeastBandwidthOnTheUsedPfsNotTheHighestFillRatio() {
    // 400G PF with 60G left, 100G PF with 40G left. A 20G pod on the 100G PF leaves 20G there
    // (and 60G for a later 50G pod); on the 400G PF it would leave 40G, though that PF's fill
    // ratio (0.90) beats the other's (0.80).
    NodeInventory inv = node(ib("big", 0x1a, 400_000, 8), ib("small", 0x3c, 100_000, 8));
    Commitments ledger =
        new Commitments(Set.of(), Map.of(pfPci(0x1a), 340_000L, pfPci(0x3c), 60_000L));
    FitResult.Fit first = fits(Placement.fit(inv, ledger, pod(20_000), DEFAULTS));
    assertThat(first.choices().get(0).pfName()).isEqualTo("small");
    assertThat(first.score()).isEqualTo(5 + 4); // 20G left, once the pod: 1 - log2(2) / 8
    Commitments after = ledger.plus(first.toAssignment("worker-7"));
    assertThat(Placement.fit(inv, after, pod(50_000), DEFAULTS).fits()).isTrue();
    FitResult.Fit spread =
        fits(Placement.fit(inv, ledger, pod(20_000), DEFAULTS.withPolicy(ScoringPolicy.SPREAD)));
    assertThat(spread.choices().get(0).pfName()).isEqualTo("big");
  }

  @Test
  void binpackScoresAcrossNodesByAbsoluteLeftover() {
    // Node a leaves 40G on its 400G PF, node b 20G on its 100G PF: b packs tighter.
    NodeInventory a = node(ib("big", 0x1a, 400_000, 8));
    Commitments aLedger = new Commitments(Set.of(), Map.of(pfPci(0x1a), 340_000L));
    NodeInventory b = node(ib("small", 0x3c, 100_000, 8));
    Commitments bLedger = new Commitments(Set.of(), Map.of(pfPci(0x3c), 60_000L));
    // With the NUMA bonus the fill has five steps, and both land on the same one.
    assertThat(scoreOf(b, bLedger, DEFAULTS))
        .isGreaterThanOrEqualTo(scoreOf(a, aLedger, DEFAULTS))
        .isEqualTo(5 + 4);
    PlacementOptions tenSteps = DEFAULTS.withNumaBonus(false);
    // 40G left, twice the pod: round(10 * (1 - log2(3) / 8)); 20G, once: round(10 * (1 - 1 / 8))
    assertThat(scoreOf(a, aLedger, tenSteps)).isEqualTo(8);
    assertThat(scoreOf(b, bLedger, tenSteps)).isEqualTo(9);
  }

  private static int scoreOf(NodeInventory inv, Commitments ledger, PlacementOptions options) {
    return fits(Placement.fit(inv, ledger, pod(20_000), options)).score();
  }

  @Test
  void binpackCountsTheLeftoverOfEveryPfItOpens() {
    // ib1 has 35G left, ib0 100G. Best fit per interface would put the 30G on ib1 (5G left) and
    // then open ib0 for the 20G (80G left): 85G left on the used PFs. Both on ib0 leave 50G.
    NodeInventory inv = node(ib("ib0", 0x1a, 100_000, 4), ib("ib1", 0x1b, 100_000, 4));
    Commitments ledger = new Commitments(Set.of(), Map.of(pfPci(0x1b), 65_000L));
    FitResult.Fit fit = fits(Placement.fit(inv, ledger, pod(30_000, 20_000), DEFAULTS));
    assertThat(fit.choices()).extracting(Choice::pfName).containsOnly("ib0");
    assertThat(fit.score()).isEqualTo(5 + 4); // 50G left, once the pod: 1 - log2(2) / 8
  }

  @Test
  void objectiveSumsSaturateInsteadOfWrapping() {
    long huge = 5_000_000_000_000_000_000L; // two of them overflow a long
    NodeInventory inv = node(ib("a", 0x1a, huge, 1), ib("b", 0x1b, huge, 1));
    for (ScoringPolicy policy : ScoringPolicy.values()) {
      PlacementOptions options = DEFAULTS.withPolicy(policy);
      List<PfState> pfs = PfState.of(inv, Commitments.none(), options);
      Search search = new Search(pfs, pod(25_000, 25_000), options);
      search.run();
      assertThat(search.best()).containsExactlyInAnyOrder(0, 1);
      double raw = search.bestObjective().raw();
      // Leftover about 1e19 against a 50G pod: nothing for BINPACK, everything for SPREAD.
      assertThat(raw).isCloseTo(policy == ScoringPolicy.SPREAD ? 1 : 0, within(1e-9));
    }
  }

  // --- scale ----------------------------------------------------------------------------------

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS) // a hang guard, not a benchmark
  void sixteenInterfacesOnThirtyTwoDistinctPfs() {
    List<io.k8srdma.model.inventory.PhysicalFunction> pfs = new ArrayList<>();
    Map<String, Long> committed = new HashMap<>();
    for (int i = 0; i < 32; i++) {
      int bus = 0x10 + i;
      pfs.add(pf("ib" + i, bus, i % 2 == 0 ? IB : ETH, i % 4 < 2 ? 0 : 1, 400_000L, free(bus, 64)));
      committed.put(pfPci(bus), 1_000L * i * 7);
    }
    NodeInventory inv = node(pfs.toArray(io.k8srdma.model.inventory.PhysicalFunction[]::new));
    Commitments ledger = new Commitments(Set.of(), committed);
    List<InterfaceRequest> list = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      list.add(
          new InterfaceRequest("n" + i, 10_000L * (i + 1), 0, i % 3 == 0 ? IB : null, null, null));
    }
    PodRequest req = new PodRequest(list);
    for (ScoringPolicy policy : ScoringPolicy.values()) {
      FitResult.Fit fit = fits(Placement.fit(inv, ledger, req, DEFAULTS.withPolicy(policy)));
      assertThat(fit.choices()).hasSize(16);
      assertThat(new HashSet<>(fit.choices().stream().map(Choice::vf).toList())).hasSize(16);
    }
    // Infeasible by one Mb/s in total: must answer, not hang.
    List<InterfaceRequest> huge = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      huge.add(new InterfaceRequest("n" + i, 400_000, 0, null, null, null));
    }
    assertThat(Placement.fit(inv, ledger, new PodRequest(huge), DEFAULTS).fits()).isFalse();
  }

  // --- options and ledger ---------------------------------------------------------------------

  @Test
  void optionsAreValidated() {
    assertThatThrownBy(() -> DEFAULTS.withOversubscription(0))
        .hasMessage("oversubscription must be a positive finite number, got 0.0");
    assertThatThrownBy(() -> DEFAULTS.withOversubscription(Double.NaN))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> DEFAULTS.withSearchBudget(0))
        .hasMessage("searchBudget must be >= 1, got 0");
    assertThat(DEFAULTS.policy()).isEqualTo(ScoringPolicy.BINPACK);
    assertThat(DEFAULTS.oversubscription()).isEqualTo(1.0);
    assertThat(DEFAULTS.numaBonus()).isTrue();
  }

  @Test
  void commitmentsAddUpAndIgnoreCase() {
    Commitments c =
        Commitments.of(
            List.of(
                new Assignment(
                    "n",
                    List.of(
                        new AssignedInterface("a", "0000:1A:00.0", "0000:1A:01.0", 10, 0),
                        new AssignedInterface("b", "0000:1a:00.0", "0000:1a:01.1", 5, 0))),
                new Assignment(
                    "n",
                    List.of(new AssignedInterface("a", "0000:1a:00.0", "0000:1a:01.2", 1, 0)))));
    assertThat(c.committedMbps("0000:1a:00.0")).isEqualTo(16);
    assertThat(c.isTaken("0000:1a:01.0")).isTrue();
    assertThat(c.isTaken("0000:1a:01.3")).isFalse();
    assertThat(Commitments.none().committedMbps("x")).isZero();
    assertThatThrownBy(() -> new Commitments(Set.of(), Map.of("p", -1L)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
