package io.k8srdma.model.placement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.k8srdma.model.inventory.LinkLayer;
import io.k8srdma.model.inventory.NodeInventory;
import io.k8srdma.model.inventory.PhysicalFunction;
import io.k8srdma.model.inventory.VfState;
import io.k8srdma.model.inventory.VirtualFunction;
import io.k8srdma.model.request.InterfaceRequest;
import io.k8srdma.model.request.PodRequest;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The search reuses one workspace per thread ({@link Search#acquire}): its arrays keep whatever the
 * previous node and request left in them, and are longer than the current ones need. Whatever the
 * order of nodes and requests, and on however many threads, every answer must be the one a search
 * built from scratch gives: {@link ReferenceSearch}, the search as it was before the workspace,
 * compared step for step (same mapping, objective, step count and stop), and placement with it
 * compared result for result (fit or not, choices, score, reason).
 */
class ReusedSearchPropertyTest {

  /** A node (with its ledger and options) or a request, by the scenario it comes from. */
  private record Case(
      NodeInventory inventory,
      Commitments ledger,
      PodRequest request,
      PlacementOptions options,
      Placement.PreparedNode node,
      PreparedRequest prepared) {}

  private static final List<Case> CASES = cases();

  /**
   * Small and medium random nodes (as the brute-force property test), wide ones with up to 20 PFs
   * and 32 interfaces, and exact packings that backtrack and use the bounds and subset sums; with
   * budgets from 1 step up, so that searches also stop on their limit.
   */
  private static List<Case> cases() {
    List<Case> list = new ArrayList<>();
    int[] budgets = {1, 7, 60, 500, PlacementOptions.DEFAULT_SEARCH_BUDGET};
    for (long seed = 0; seed < 120; seed++) {
      add(list, PlacementPropertyTest.small(seed), budgets[(int) (seed % budgets.length)]);
      add(list, PlacementPropertyTest.medium(7_000 + seed), budgets[(int) (seed / 5 % 5)]);
      add(list, wide(9_000 + seed), budgets[(int) ((seed + 2) % budgets.length)]);
    }
    for (long seed = 0; seed < 80; seed++) {
      Random rnd = new Random(seed);
      int pfCount = 1 + rnd.nextInt(16);
      int interfaces = 1 + rnd.nextInt(32);
      long[] menu = rnd.nextBoolean() ? ExactPackingTest.MENU : null;
      ExactPackingTest.Packing p = ExactPackingTest.packing(pfCount, interfaces, seed, menu);
      PlacementOptions options =
          PlacementOptions.defaults()
              .withPolicy(rnd.nextBoolean() ? ScoringPolicy.BINPACK : ScoringPolicy.SPREAD)
              .withNumaBonus(rnd.nextBoolean())
              .withSearchBudget(budgets[rnd.nextInt(budgets.length)]);
      add(
          list,
          new PlacementPropertyTest.Scenario(p.node(), Commitments.none(), p.request(), options),
          options.searchBudget());
    }
    for (long seed = 0; seed < 80; seed++) {
      add(list, constrainedPacking(seed), budgets[(int) (seed % budgets.length)]);
    }
    // Coarse floors, three or four to a PF: rooms of 64 units (1,000 Mb/s) and more, where the
    // subset sums are tracked in more than one word per position.
    long[] coarse = {30_000, 41_000, 47_000, 53_000, 64_000, 71_000};
    for (long seed = 0; seed < 60; seed++) {
      int pfCount = 2 + (int) (seed % 7);
      ExactPackingTest.Packing p =
          ExactPackingTest.packing(pfCount, pfCount * (3 + (int) (seed % 2)), seed, coarse);
      PlacementOptions options =
          PlacementOptions.defaults()
              .withPolicy(seed % 3 == 0 ? ScoringPolicy.SPREAD : ScoringPolicy.BINPACK)
              .withNumaBonus(seed % 2 == 0);
      add(
          list,
          new PlacementPropertyTest.Scenario(p.node(), Commitments.none(), p.request(), options),
          budgets[(int) (seed % budgets.length)]);
    }
    return List.copyOf(list);
  }

  private static void add(List<Case> list, PlacementPropertyTest.Scenario s, int budget) {
    PlacementOptions options = s.options().withSearchBudget(budget);
    list.add(
        new Case(
            s.inventory(),
            s.ledger(),
            s.request(),
            options,
            Placement.prepare(s.inventory(), s.ledger(), options),
            Placement.prepare(s.request())));
  }

  /** Up to 20 PFs of mixed kinds and 32 interfaces, some constrained or pinned. */
  private static PlacementPropertyTest.Scenario wide(long seed) {
    Random rnd = new Random(seed);
    int pfCount = 1 + rnd.nextInt(20);
    List<PhysicalFunction> pfs = new ArrayList<>();
    for (int p = 0; p < pfCount; p++) {
      int bus = 0x10 + p;
      List<VirtualFunction> vfs = new ArrayList<>();
      for (int v = rnd.nextInt(9); v > 0; v--) {
        VfState state = rnd.nextInt(6) == 0 ? VfState.IN_USE : VfState.FREE;
        vfs.add(Fixtures.vf(bus, vfs.size(), state, state == VfState.FREE ? 0 : 10_000));
      }
      Long capacity =
          rnd.nextInt(12) == 0 ? null : new Long[] {25_000L, 100_000L, 200_000L}[rnd.nextInt(3)];
      LinkLayer layer = rnd.nextBoolean() ? Fixtures.IB : Fixtures.ETH;
      // Runs of identical PFs, as real nodes have, for the symmetry pruning.
      if (p > 0 && rnd.nextInt(3) > 0) {
        PhysicalFunction prev = pfs.get(p - 1);
        layer = prev.linkLayer();
        capacity = prev.capacityMbps();
        vfs = Fixtures.free(bus, prev.vfs().size());
      }
      pfs.add(Fixtures.pf("pf" + p, bus, layer, rnd.nextInt(2), capacity, vfs));
    }
    List<InterfaceRequest> interfaces = new ArrayList<>();
    long[] floors = {0, 5_000, 10_000, 25_000, 50_000};
    for (int i = 1 + rnd.nextInt(32); i > 0; i--) {
      int roll = rnd.nextInt(20);
      interfaces.add(
          new InterfaceRequest(
              "net" + interfaces.size(),
              floors[rnd.nextInt(floors.length)],
              0,
              roll == 0 ? Fixtures.IB : null,
              roll == 1 ? "pf" + rnd.nextInt(pfCount) : null,
              roll == 2 ? Integer.valueOf(rnd.nextInt(2)) : null));
    }
    PlacementOptions options =
        PlacementOptions.defaults()
            .withPolicy(rnd.nextBoolean() ? ScoringPolicy.BINPACK : ScoringPolicy.SPREAD)
            .withNumaBonus(rnd.nextBoolean());
    return new PlacementPropertyTest.Scenario(
        new NodeInventory("worker-9", 1, Instant.EPOCH, pfs),
        Commitments.none(),
        new PodRequest(interfaces),
        options);
  }

  /**
   * An exact packing (see {@link ExactPackingTest#packing}) on PFs of both link layers and NUMA
   * nodes, where many interfaces name the link layer, NUMA node or PF they were dealt to: long
   * searches whose interfaces may use different PFs, which is what the bounds' "useful PFs" are
   * about.
   */
  private static PlacementPropertyTest.Scenario constrainedPacking(long seed) {
    Random rnd = new Random(seed * 17 + 3);
    int pfCount = 2 + rnd.nextInt(11);
    int count = pfCount + rnd.nextInt(2 * pfCount + 1);
    long[] capacity = new long[pfCount];
    int[] per = new int[pfCount];
    List<InterfaceRequest> interfaces = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int p = i % pfCount;
      long floor = ExactPackingTest.MENU[rnd.nextInt(ExactPackingTest.MENU.length)];
      capacity[p] += floor;
      per[p]++;
      int roll = rnd.nextInt(6);
      interfaces.add(
          new InterfaceRequest(
              "net" + i,
              floor,
              0,
              roll == 0 ? (p % 2 == 0 ? Fixtures.IB : Fixtures.ETH) : null,
              roll == 1 ? "pf" + p : null,
              roll == 2 ? Integer.valueOf(p / 2 % 2) : null));
    }
    Collections.shuffle(interfaces, rnd);
    List<PhysicalFunction> pfs = new ArrayList<>();
    for (int p = 0; p < pfCount; p++) {
      int bus = 0x10 + p;
      pfs.add(
          Fixtures.pf(
              "pf" + p,
              bus,
              p % 2 == 0 ? Fixtures.IB : Fixtures.ETH,
              p / 2 % 2,
              capacity[p] + (rnd.nextInt(4) == 0 ? 5_000 : 0),
              Fixtures.free(bus, per[p] + rnd.nextInt(2))));
    }
    PlacementOptions options =
        PlacementOptions.defaults()
            .withPolicy(rnd.nextBoolean() ? ScoringPolicy.BINPACK : ScoringPolicy.SPREAD)
            .withNumaBonus(rnd.nextBoolean());
    return new PlacementPropertyTest.Scenario(
        new NodeInventory("worker-11", 1, Instant.EPOCH, pfs),
        Commitments.none(),
        new PodRequest(interfaces),
        options);
  }

  /** Node {@code i} of the cases with request {@code j}: every node meets many request shapes. */
  private static List<int[]> pairs(long seed, int perNode) {
    Random rnd = new Random(seed);
    List<int[]> pairs = new ArrayList<>();
    for (int i = 0; i < CASES.size(); i++) {
      pairs.add(new int[] {i, i});
      for (int r = 0; r < perNode; r++) {
        pairs.add(new int[] {i, rnd.nextInt(CASES.size())});
      }
    }
    Collections.shuffle(pairs, rnd);
    return pairs;
  }

  // --- the search, step for step ---------------------------------------------------------------

  @Test
  void theReusedSearchTakesTheStepsOfAFreshOne() {
    int stopped = 0;
    int found = 0;
    int bounded = 0;
    for (int[] pair : pairs(1, 4)) {
      Case node = CASES.get(pair[0]);
      PreparedRequest request = CASES.get(pair[1]).prepared();
      List<PfState> pfs = PfState.of(node.inventory(), node.ledger(), node.options());
      String where = "node " + pair[0] + ", request " + pair[1];
      ReferenceSearch reference =
          sameStepsAsAFreshSearch(pfs, request, node.options(), where, s -> {}, s -> {});
      stopped += reference.stopped() ? 1 : 0;
      found += reference.best() != null ? 1 : 0;
      bounded += reference.steps() > 64 ? 1 : 0;
    }
    // The comparison covers searches that stop on their limit, that fit, that do not, and long
    // ones (past the step from which the bounds are checked), or it proves little.
    int total = pairs(1, 4).size();
    assertThat(stopped).as("stopped").isBetween(20, total - 20);
    assertThat(found).as("found").isBetween(total / 10, total - total / 10);
    assertThat(bounded).as("past the bounds' first step").isGreaterThan(20);
  }

  /**
   * The same comparison with every array of the thread's search filled with junk before each search
   * (all bits set, -1, true): whatever a search reads must be what it wrote itself, not what
   * happened to be left there. Stale values that only weaken a bound (extra subset sums, a PF
   * flagged as useful) change the step count, which the comparison includes.
   */
  @Test
  void aSearchReadsNothingThatItDidNotWrite() {
    for (int[] pair : pairs(4, 2)) {
      Case node = CASES.get(pair[0]);
      PreparedRequest request = CASES.get(pair[1]).prepared();
      List<PfState> pfs = PfState.of(node.inventory(), node.ledger(), node.options());
      String where = "node " + pair[0] + ", request " + pair[1];
      sameStepsAsAFreshSearch(
          pfs,
          request,
          node.options(),
          where,
          ReusedSearchPropertyTest::poison,
          ReusedSearchPropertyTest::poisonLazy);
    }
  }

  /** Something done to the thread's search around its start, which must not change its results. */
  @FunctionalInterface
  private interface Tamper {
    void with(Search search) throws IllegalAccessException;
  }

  /**
   * Runs the earlier implementation and the thread's search on the same node and request, tampering
   * with the search before and after its start, and checks that they agree step for step: mapping,
   * objective, score, step count and stop. Returns the reference for the caller's own checks.
   */
  private static ReferenceSearch sameStepsAsAFreshSearch(
      List<PfState> pfs,
      PreparedRequest request,
      PlacementOptions options,
      String where,
      Tamper beforeStart,
      Tamper afterStart) {
    PfState[] array = pfs.toArray(new PfState[0]);
    ReferenceSearch reference =
        new ReferenceSearch(array, ReferenceSearch.staticClasses(pfs), request, options);
    reference.run();
    Search search = Search.acquire();
    try {
      beforeStart.with(search);
      search.start(array, Search.staticClasses(pfs), request, options);
      afterStart.with(search);
      search.run();
      assertThat(search.best()).as(where).isEqualTo(reference.best());
      assertThat(search.bestObjective()).as(where).isEqualTo(reference.bestObjective());
      if (reference.best() != null) {
        assertThat(search.bestScore()).as(where).isEqualTo(reference.bestObjective().score());
      }
      assertThat(search.steps()).as(where).isEqualTo(reference.steps());
      assertThat(search.stopped()).as(where).isEqualTo(reference.stopped());
    } catch (IllegalAccessException e) {
      throw new AssertionError("cannot reach the search's fields; update this test", e);
    } finally {
      search.release();
    }
    return reference;
  }

  /** Fills every array field of {@code search} with junk. */
  private static void poison(Search search) throws IllegalAccessException {
    for (Field f : Search.class.getDeclaredFields()) {
      if (Modifier.isStatic(f.getModifiers()) || !f.getType().isArray()) {
        continue;
      }
      f.setAccessible(true);
      fillWithJunk(f.get(search));
    }
  }

  /** All bits set, -1 or true in every slot of a primitive array; anything else is left alone. */
  private static void fillWithJunk(Object array) {
    if (array instanceof long[] longs) {
      Arrays.fill(longs, -1L);
    } else if (array instanceof int[] ints) {
      Arrays.fill(ints, -1);
    } else if (array instanceof boolean[] flags) {
      Arrays.fill(flags, true);
    }
  }

  /**
   * Junk in what the bounds build on first use, which {@code start} leaves as it is: {@code start}
   * has just set up the rest, which must not be touched.
   */
  private static void poisonLazy(Search search) throws IllegalAccessException {
    for (String name : List.of("restFloor", "runEnd", "usefulFrom", "sums")) {
      Field f;
      try {
        f = Search.class.getDeclaredField(name);
      } catch (NoSuchFieldException e) {
        throw new AssertionError("Search has no field " + name + "; update this test", e);
      }
      f.setAccessible(true);
      fillWithJunk(f.get(search));
    }
  }

  /**
   * Random cases rarely make the bounds' "useful PFs" decisive, so this one is made for it: a
   * search of 32 interfaces that builds the bounds, then on the same thread one of 16 that only the
   * InfiniBand PFs may take (each takes one), refuted by the VF count on them alone. Were the first
   * search's flags for the Ethernet PFs still there, the second would search far longer.
   */
  @Test
  void aLongerSearchLeavesNothingInTheBoundsOfTheNext() {
    List<PhysicalFunction> list = new ArrayList<>();
    for (int i = 0; i < 15; i++) {
      list.add(Fixtures.ib("ib" + i, 0x10 + i, 41_000 + 1_000L * i, 4));
    }
    for (int i = 0; i < 5; i++) {
      int bus = 0x30 + i;
      list.add(Fixtures.pf("eth" + i, bus, Fixtures.ETH, 0, 400_000L, Fixtures.free(bus, 3)));
    }
    PlacementOptions options = PlacementOptions.defaults();
    List<PfState> pfs =
        PfState.of(
            Fixtures.node(list.toArray(PhysicalFunction[]::new)), Commitments.none(), options);
    List<InterfaceRequest> any = new ArrayList<>();
    List<InterfaceRequest> ibOnly = new ArrayList<>();
    for (int i = 0; i < 32; i++) {
      any.add(new InterfaceRequest("a" + i, 30_000L + i, 0, null, null, null));
      if (i < 16) {
        ibOnly.add(new InterfaceRequest("b" + i, 30_000L + i, 0, Fixtures.IB, null, null));
      }
    }
    for (List<InterfaceRequest> interfaces : List.of(any, ibOnly)) {
      PreparedRequest request = new PreparedRequest(new PodRequest(interfaces));
      String where = interfaces.size() + " interfaces";
      ReferenceSearch reference =
          sameStepsAsAFreshSearch(pfs, request, options, where, s -> {}, s -> {});
      assertThat(reference.best()).as(where).isNull();
      assertThat(reference.steps())
          .as(where)
          .isBetween(65L, 1_000L); // past the bounds' first check
    }
  }

  // --- placement, result for result ------------------------------------------------------------

  /**
   * Placement as it was: a new {@link ReferenceSearch} per node, the reasons of {@link
   * ReferenceDiagnosis}, the choices made eagerly.
   */
  private static FitResult reference(Case node, PodRequest request) {
    List<PfState> pfs = PfState.of(node.inventory(), node.ledger(), node.options());
    PreparedRequest prepared = new PreparedRequest(request);
    Optional<String> hopeless = ReferenceDiagnosis.beforeSearch(pfs, prepared);
    if (hopeless.isPresent()) {
      return new FitResult.NoFit(hopeless.get());
    }
    ReferenceSearch search =
        new ReferenceSearch(
            pfs.toArray(new PfState[0]),
            ReferenceSearch.staticClasses(pfs),
            prepared,
            node.options());
    search.run();
    int[] mapping = search.best();
    if (mapping == null) {
      return new FitResult.NoFit(
          ReferenceDiagnosis.afterSearch(pfs, request, search.stopped(), search.steps()));
    }
    return new FitResult.Fit(
        Placement.choices(pfs, request, mapping), search.bestObjective().score());
  }

  @Test
  void placementAnswersAsWithAFreshSearchPerNode() {
    for (int[] pair : pairs(2, 3)) {
      Case node = CASES.get(pair[0]);
      Case request = CASES.get(pair[1]);
      FitResult expected = reference(node, request.request());
      assertThat(Placement.fit(node.node(), request.prepared()))
          .as("node %d, request %d", pair[0], pair[1])
          .isEqualTo(expected);
      assertThat(Placement.fit(node.inventory(), node.ledger(), request.request(), node.options()))
          .as("node %d, request %d from scratch", pair[0], pair[1])
          .isEqualTo(expected);
    }
  }

  /**
   * Every reason, before the search and after it (whether or not the search would run), is the one
   * {@link ReferenceDiagnosis} gives; and the cases reach every kind of reason.
   */
  @Test
  void reasonsAreTheSameWordForWord() {
    List<String> kinds =
        List.of(
            "this node has no ",
            "no free VF on ",
            "is unknown, so only interfaces without a floor",
            "Mb/s left",
            " interfaces requested, ",
            " interfaces requested on ",
            "Mb/s is left on the PFs they may use",
            "no fit found within the search limit",
            "no combination of free VFs fits",
            "no PF they may use has a free VF",
            "unknown capacity (",
            ", ...",
            "1 free VF)",
            "sriov_numvfs is 0");
    int[] seen = new int[kinds.size()];
    for (int[] pair : pairs(5, 6)) {
      Case node = CASES.get(pair[0]);
      Case request = CASES.get(pair[1]);
      List<PfState> pfs = PfState.of(node.inventory(), node.ledger(), node.options());
      String where = "node " + pair[0] + ", request " + pair[1];
      Optional<String> before = Diagnosis.beforeSearch(pfs, request.prepared());
      assertThat(before)
          .as(where)
          .isEqualTo(ReferenceDiagnosis.beforeSearch(pfs, request.prepared()));
      List<String> reasons = new ArrayList<>();
      before.ifPresent(reasons::add);
      boolean stopped = pair[1] % 2 == 0;
      String after = Diagnosis.afterSearch(pfs, request.request(), stopped, 40_001);
      assertThat(after)
          .as(where)
          .isEqualTo(ReferenceDiagnosis.afterSearch(pfs, request.request(), stopped, 40_001));
      reasons.add(after);
      for (String reason : reasons) {
        for (int k = 0; k < kinds.size(); k++) {
          seen[k] += reason.contains(kinds.get(k)) ? 1 : 0;
        }
      }
    }
    for (int k = 0; k < kinds.size(); k++) {
      assertThat(seen[k]).as("reasons with \"%s\"", kinds.get(k)).isPositive();
    }
  }

  /**
   * The extender fits on pooled request threads, sharing prepared nodes and requests: threads
   * interleaving fits of different shapes get each other's answers neither in their results nor in
   * their workspaces.
   */
  @Test
  void threadsInterleavingFitsAnswerAsOneFreshSearchEach() throws Exception {
    List<int[]> pairs = pairs(3, 2);
    List<FitResult> expected = new ArrayList<>();
    for (int[] pair : pairs) {
      expected.add(reference(CASES.get(pair[0]), CASES.get(pair[1]).request()));
    }
    int threads = 4;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<List<String>>> results = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < pairs.size(); i++) {
          order.add(i);
        }
        Collections.shuffle(order, new Random(100 + t));
        results.add(
            pool.submit(
                () -> {
                  List<String> wrong = new ArrayList<>();
                  for (int i : order) {
                    int[] pair = pairs.get(i);
                    FitResult got =
                        Placement.fit(CASES.get(pair[0]).node(), CASES.get(pair[1]).prepared());
                    if (!got.equals(expected.get(i))) {
                      wrong.add("node " + pair[0] + ", request " + pair[1] + ": " + got);
                    }
                  }
                  return wrong;
                }));
      }
      for (Future<List<String>> f : results) {
        assertThat(f.get()).isEmpty();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  // --- the workspace's use ---------------------------------------------------------------------

  @Test
  void aThreadHasOneSearchAtATimeAndPlacementReleasesIt() {
    Case c = CASES.get(0);
    Placement.fit(c.node(), c.prepared());
    Search search = Search.acquire(); // released by the fit above
    try {
      assertThatThrownBy(Search::acquire)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("already running on this thread");
    } finally {
      search.release();
    }
    assertThat(Search.acquire()).isSameAs(search);
    search.release();
  }
}
