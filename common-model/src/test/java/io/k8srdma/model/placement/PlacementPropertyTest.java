package io.k8srdma.model.placement;

import static org.assertj.core.api.Assertions.assertThat;

import io.k8srdma.model.inventory.LinkLayer;
import io.k8srdma.model.inventory.NodeInventory;
import io.k8srdma.model.inventory.PhysicalFunction;
import io.k8srdma.model.inventory.VfState;
import io.k8srdma.model.inventory.VirtualFunction;
import io.k8srdma.model.request.InterfaceRequest;
import io.k8srdma.model.request.PodRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Placement against an independent brute force and against its safety rules, on random nodes,
 * ledgers and requests. Property tests with plain JUnit: each case is generated from its seed, so a
 * failure names the seed that reproduces it.
 */
class PlacementPropertyTest {

  record VfSpec(VfState state, Integer floor, boolean inLedger) {}

  record PfSpec(LinkLayer linkLayer, int numa, Long capacity, long ledgerMbps, List<VfSpec> vfs) {}

  record IfSpec(long floor, LinkLayer linkLayer, Integer numa, Integer pin) {}

  record Scenario(
      NodeInventory inventory, Commitments ledger, PodRequest request, PlacementOptions options) {}

  // --- properties -----------------------------------------------------------------------------

  static LongStream seeds400() {
    return LongStream.range(0, 400);
  }

  static LongStream seeds200() {
    return LongStream.range(1000, 1200);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds400")
  void findsAFitIffBruteForceDoesAndTheBestScore(long seed) {
    Scenario s = small(seed);
    FitResult result = Placement.fit(s.inventory(), s.ledger(), s.request(), s.options());
    Integer best = bruteForceBestScore(s);
    assertThat(result.fits()).as("fit exists per brute force").isEqualTo(best != null);
    if (result instanceof FitResult.Fit fit) {
      assertSafe(s.inventory(), s.ledger(), s.request(), s.options(), fit);
      assertThat(fit.score()).as("optimal score").isEqualTo(best);
    } else {
      assertThat(((FitResult.NoFit) result).reason()).isNotBlank();
    }
  }

  @Test
  void theSmallCasesExerciseBothOutcomes() {
    long fits =
        seeds400()
            .mapToObj(PlacementPropertyTest::small)
            .filter(s -> bruteForceBestScore(s) != null)
            .count();
    assertThat(fits).as("cases with a fit out of 400").isBetween(100L, 380L);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds200")
  void neverOverCommitsNorReusesOnLargerNodes(long seed) {
    Scenario s = medium(seed);
    if (Placement.fit(s.inventory(), s.ledger(), s.request(), s.options())
        instanceof FitResult.Fit fit) {
      assertSafe(s.inventory(), s.ledger(), s.request(), s.options(), fit);
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds200")
  void successivePodsThroughTheLedgerNeverOverCommit(long seed) {
    Scenario s = medium(seed);
    Commitments ledger = s.ledger();
    for (int pod = 0; pod < 6; pod++) {
      FitResult result = Placement.fit(s.inventory(), ledger, s.request(), s.options());
      if (!(result instanceof FitResult.Fit fit)) {
        return;
      }
      assertSafe(s.inventory(), ledger, s.request(), s.options(), fit);
      ledger = ledger.plus(fit.toAssignment(s.inventory().node()));
    }
  }

  static LongStream seedsPacking() {
    return LongStream.range(2000, 2300);
  }

  /**
   * Requests of up to 16 interfaces whose floors partition the PFs' capacities (a fit exists by
   * construction) are always fitted, under either policy, with or without the NUMA bonus.
   */
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seedsPacking")
  void findsAFitOnEveryExactPacking(long seed) {
    Random rnd = new Random(seed);
    int pfCount = 1 + rnd.nextInt(12);
    int interfaces = 1 + rnd.nextInt(16);
    long[] menu = rnd.nextBoolean() ? ExactPackingTest.MENU : null;
    ExactPackingTest.Packing p = ExactPackingTest.packing(pfCount, interfaces, seed, menu);
    PlacementOptions options =
        PlacementOptions.defaults()
            .withPolicy(pick(rnd, ScoringPolicy.values()))
            .withNumaBonus(rnd.nextBoolean());
    FitResult result = Placement.fit(p.node(), Commitments.none(), p.request(), options);
    assertThat(result.fits()).as("%s", result).isTrue();
    assertSafe(p.node(), Commitments.none(), p.request(), options, (FitResult.Fit) result);
  }

  // --- generators -----------------------------------------------------------------------------

  static Scenario small(long seed) {
    return scenario(new Random(seed), 4, 4, 4);
  }

  static Scenario medium(long seed) {
    return scenario(new Random(seed), 8, 12, 8);
  }

  private static Scenario scenario(Random rnd, int maxPfs, int maxVfs, int maxInterfaces) {
    List<PfSpec> pfs = new ArrayList<>();
    for (int p = 1 + rnd.nextInt(maxPfs); p > 0; p--) {
      pfs.add(pfSpec(rnd, maxVfs));
    }
    List<IfSpec> interfaces = new ArrayList<>();
    for (int i = 1 + rnd.nextInt(maxInterfaces); i > 0; i--) {
      interfaces.add(ifSpec(rnd, maxPfs));
    }
    PlacementOptions options =
        new PlacementOptions(
            pick(rnd, ScoringPolicy.values()),
            pick(rnd, new Double[] {1.0, 1.0, 0.5, 1.5}),
            rnd.nextBoolean(),
            PlacementOptions.DEFAULT_SEARCH_BUDGET);
    return build(pfs, interfaces, options);
  }

  private static PfSpec pfSpec(Random rnd, int maxVfs) {
    List<VfSpec> vfs = new ArrayList<>();
    for (int v = 1 + rnd.nextInt(maxVfs); v > 0; v--) {
      int roll = rnd.nextInt(10);
      VfState state = roll < 7 ? VfState.FREE : roll < 9 ? VfState.IN_USE : VfState.UNAVAILABLE;
      Integer floor = rnd.nextInt(5) == 0 ? null : pick(rnd, new Integer[] {0, 0, 5_000, 10_000});
      vfs.add(new VfSpec(state, floor, rnd.nextInt(8) == 0));
    }
    Long capacity =
        rnd.nextInt(10) == 0
            ? null
            : pick(rnd, new Long[] {0L, 25_000L, 40_000L, 100_000L, 400_000L});
    return new PfSpec(
        pick(rnd, new LinkLayer[] {LinkLayer.INFINIBAND, LinkLayer.ETHERNET}),
        pick(rnd, new Integer[] {-1, 0, 1}),
        capacity,
        pick(rnd, new Long[] {0L, 0L, 5_000L, 20_000L}),
        vfs);
  }

  /** Mostly unconstrained interfaces: a constraint on every one would make most cases hopeless. */
  private static IfSpec ifSpec(Random rnd, int maxPfs) {
    long floor = pick(rnd, new Long[] {0L, 0L, 5_000L, 10_000L, 20_000L, 40_000L});
    int roll = rnd.nextInt(100);
    if (roll < 82) {
      return new IfSpec(floor, null, null, null);
    }
    if (roll < 88) {
      return new IfSpec(
          floor, pick(rnd, new LinkLayer[] {LinkLayer.INFINIBAND, LinkLayer.ETHERNET}), null, null);
    }
    if (roll < 94) {
      return new IfSpec(floor, null, rnd.nextInt(2), null);
    }
    return new IfSpec(floor, null, null, rnd.nextInt(maxPfs));
  }

  private static <T> T pick(Random rnd, T[] values) {
    return values[rnd.nextInt(values.length)];
  }

  private static Scenario build(
      List<PfSpec> generated, List<IfSpec> ifSpecs, PlacementOptions opts) {
    List<PfSpec> pfSpecs = withTwins(generated);
    List<PhysicalFunction> pfs = new ArrayList<>();
    Set<String> taken = new HashSet<>();
    Map<String, Long> committed = new HashMap<>();
    for (int p = 0; p < pfSpecs.size(); p++) {
      PfSpec spec = pfSpecs.get(p);
      int bus = 0x10 + p;
      List<VirtualFunction> vfs = new ArrayList<>();
      for (int i = 0; i < spec.vfs().size(); i++) {
        VfSpec v = spec.vfs().get(i);
        vfs.add(Fixtures.vf(bus, i, v.state(), v.floor()));
        if (v.inLedger()) {
          taken.add(Fixtures.vfPci(bus, i));
        }
      }
      committed.put(Fixtures.pfPci(bus), spec.ledgerMbps());
      pfs.add(Fixtures.pf("pf" + p, bus, spec.linkLayer(), spec.numa(), spec.capacity(), vfs));
    }
    List<InterfaceRequest> interfaces = new ArrayList<>();
    for (int i = 0; i < ifSpecs.size(); i++) {
      IfSpec f = ifSpecs.get(i);
      String pin = f.pin() == null ? null : "pf" + f.pin(); // may name a PF that does not exist
      interfaces.add(
          new InterfaceRequest("net" + (i + 1), f.floor(), 0, f.linkLayer(), pin, f.numa()));
    }
    return new Scenario(
        new NodeInventory("worker-7", 1, Instant.EPOCH, pfs),
        new Commitments(taken, committed),
        new PodRequest(interfaces),
        opts);
  }

  /**
   * Real nodes have several identical PFs, which is where the search's symmetry pruning acts;
   * random specs almost never coincide, so every other PF is made a twin of the one before it.
   */
  private static List<PfSpec> withTwins(List<PfSpec> specs) {
    List<PfSpec> list = new ArrayList<>();
    for (int i = 0; i < specs.size(); i++) {
      boolean twin = i % 2 == 1 && specs.get(i).ledgerMbps() != 20_000L;
      list.add(twin ? list.get(i - 1) : specs.get(i));
    }
    return list;
  }

  // --- the rules, written out independently of the implementation ------------------------------

  private static long committed(PhysicalFunction pf, Commitments ledger) {
    long sum = ledger.committedMbps(pf.pciAddress());
    for (VirtualFunction vf : pf.vfs()) {
      if (vf.state() == VfState.IN_USE && !ledger.isTaken(vf.pciAddress())) {
        sum += vf.minTxRateMbps() == null ? 0 : vf.minTxRateMbps();
      }
    }
    return sum;
  }

  private static boolean matches(PhysicalFunction pf, InterfaceRequest r) {
    return (r.linkLayer() == null || r.linkLayer() == pf.linkLayer())
        && (r.pf() == null || pf.matches(r.pf()))
        && (r.numaNode() == null || r.numaNode() == pf.numaNode());
  }

  private static boolean bandwidthOk(
      PhysicalFunction pf, Commitments ledger, long added, PlacementOptions options) {
    if (added == 0) {
      return true;
    }
    if (pf.capacityMbps() == null) {
      return false;
    }
    long capacity =
        new java.math.BigDecimal(pf.capacityMbps())
            .multiply(java.math.BigDecimal.valueOf(options.oversubscription()))
            .setScale(0, java.math.RoundingMode.FLOOR)
            .longValueExact();
    return committed(pf, ledger) + added <= capacity;
  }

  private static void assertSafe(
      NodeInventory inv,
      Commitments ledger,
      PodRequest request,
      PlacementOptions options,
      FitResult.Fit fit) {
    assertThat(fit.score()).isBetween(0, 10);
    assertThat(fit.choices()).hasSize(request.size());
    Set<String> vfs = new HashSet<>();
    Map<PhysicalFunction, Long> added = new HashMap<>();
    for (int i = 0; i < request.size(); i++) {
      InterfaceRequest r = request.interfaces().get(i);
      Choice c = fit.choices().get(i);
      assertThat(c.name()).isEqualTo(r.name());
      assertThat(c.minTxRateMbps()).isEqualTo(r.minTxRateMbps());
      assertThat(c.maxTxRateMbps()).isEqualTo(r.maxTxRateMbps());
      PhysicalFunction pf =
          inv.pfs().stream().filter(p -> p.pciAddress().equals(c.pf())).findFirst().orElseThrow();
      assertThat(matches(pf, r)).as("constraints of %s", r).isTrue();
      VirtualFunction vf =
          pf.vfs().stream().filter(v -> v.pciAddress().equals(c.vf())).findFirst().orElseThrow();
      assertThat(vf.state()).isEqualTo(VfState.FREE);
      assertThat(ledger.isTaken(vf.pciAddress())).as("VF in ledger").isFalse();
      assertThat(vfs.add(vf.pciAddress())).as("VF used twice").isTrue();
      added.merge(pf, r.minTxRateMbps(), Long::sum);
    }
    added.forEach(
        (pf, mbps) ->
            assertThat(bandwidthOk(pf, ledger, mbps, options))
                .as("over-commits %s", pf.name())
                .isTrue());
  }

  /**
   * The best score over every mapping of interfaces to distinct usable VFs; null when none fits.
   */
  private static Integer bruteForceBestScore(Scenario s) {
    List<PhysicalFunction> owner = new ArrayList<>();
    List<VirtualFunction> usable = new ArrayList<>();
    for (PhysicalFunction pf : s.inventory().pfs()) {
      for (VirtualFunction vf : pf.vfs()) {
        if (vf.state() == VfState.FREE && !s.ledger().isTaken(vf.pciAddress())) {
          owner.add(pf);
          usable.add(vf);
        }
      }
    }
    int[] best = {-1};
    enumerate(s, owner, usable, new int[s.request().size()], 0, new boolean[usable.size()], best);
    return best[0] < 0 ? null : best[0];
  }

  private static void enumerate(
      Scenario s,
      List<PhysicalFunction> owner,
      List<VirtualFunction> usable,
      int[] chosen,
      int k,
      boolean[] taken,
      int[] best) {
    List<InterfaceRequest> interfaces = s.request().interfaces();
    if (k == interfaces.size()) {
      Map<PhysicalFunction, Long> added = new HashMap<>();
      List<Choice> choices = new ArrayList<>();
      for (int i = 0; i < k; i++) {
        PhysicalFunction pf = owner.get(chosen[i]);
        VirtualFunction vf = usable.get(chosen[i]);
        InterfaceRequest r = interfaces.get(i);
        added.merge(pf, r.minTxRateMbps(), Long::sum);
        choices.add(
            new Choice(
                r.name(),
                pf.pciAddress(),
                pf.name(),
                vf.pciAddress(),
                vf.index(),
                r.minTxRateMbps(),
                r.maxTxRateMbps()));
      }
      for (Map.Entry<PhysicalFunction, Long> e : added.entrySet()) {
        if (!bandwidthOk(e.getKey(), s.ledger(), e.getValue(), s.options())) {
          return;
        }
      }
      best[0] = Math.max(best[0], Placement.score(s.inventory(), s.ledger(), choices, s.options()));
      return;
    }
    for (int v = 0; v < usable.size(); v++) {
      if (!taken[v] && matches(owner.get(v), interfaces.get(k))) {
        taken[v] = true;
        chosen[k] = v;
        enumerate(s, owner, usable, chosen, k + 1, taken, best);
        taken[v] = false;
      }
    }
  }
}
