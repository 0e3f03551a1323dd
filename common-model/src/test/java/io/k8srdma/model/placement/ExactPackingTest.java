package io.k8srdma.model.placement;

import static io.k8srdma.model.placement.Fixtures.ib;
import static io.k8srdma.model.placement.Fixtures.node;
import static io.k8srdma.model.placement.Fixtures.pod;
import static org.assertj.core.api.Assertions.assertThat;

import io.k8srdma.model.inventory.NodeInventory;
import io.k8srdma.model.inventory.PhysicalFunction;
import io.k8srdma.model.request.PodRequest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Requests that fit a node exactly: the floors partition the PFs' capacities, so a fit exists by
 * construction and the search must find it within its limit (the pruning in {@code Search} is what
 * makes that possible; without it many of these ran out of steps). No timing is asserted.
 */
class ExactPackingTest {

  static final long[] MENU = {10_000, 25_000, 40_000, 50_000};

  /** A node and a request that fills it exactly; {@code menu} null for distinct 1..50G floors. */
  record Packing(NodeInventory node, PodRequest request) {}

  /**
   * {@code interfaces} floors dealt round-robin to {@code pfCount} PFs; each PF's capacity is the
   * sum of its floors and it has 0..2 spare VFs; the floors are then shuffled.
   */
  static Packing packing(int pfCount, int interfaces, long seed, long[] menu) {
    Random rnd = new Random(seed * 31 + pfCount * 7L + interfaces);
    int[] per = new int[pfCount];
    for (int i = 0; i < interfaces; i++) {
      per[i % pfCount]++;
    }
    List<Long> floors = new ArrayList<>();
    PhysicalFunction[] pfs = new PhysicalFunction[pfCount];
    for (int p = 0; p < pfCount; p++) {
      long capacity = 0;
      for (int k = 0; k < per[p]; k++) {
        long f = menu == null ? 1_000L * (1 + rnd.nextInt(50)) : menu[rnd.nextInt(menu.length)];
        floors.add(f);
        capacity += f;
      }
      pfs[p] = ib("pf" + p, 0x10 + p, Math.max(capacity, 1), per[p] + rnd.nextInt(3));
    }
    Collections.shuffle(floors, rnd);
    return new Packing(node(pfs), pod(floors.stream().mapToLong(Long::longValue).toArray()));
  }

  static Stream<Arguments> cases() {
    List<Arguments> list = new ArrayList<>();
    for (int pfs : new int[] {4, 6, 8, 12, 16}) {
      list.add(Arguments.of(pfs, 16, "distinct"));
      list.add(Arguments.of(pfs, 16, "menu"));
    }
    for (int pfs : new int[] {4, 16}) {
      list.add(Arguments.of(pfs, 32, "menu"));
    }
    list.add(Arguments.of(4, 32, "distinct"));
    return list.stream();
  }

  @ParameterizedTest(name = "{1} {2} floors on {0} PFs")
  @MethodSource("cases")
  void exactPackingsFit(int pfs, int interfaces, String floors) {
    List<Long> missed = new ArrayList<>();
    for (long seed = 0; seed < 40; seed++) {
      Packing p = packing(pfs, interfaces, seed, floors.equals("menu") ? MENU : null);
      FitResult r = Placement.fit(p.node(), Commitments.none(), p.request());
      if (!r.fits()) {
        missed.add(seed);
      }
    }
    assertThat(missed).as("seeds without a fit").isEmpty();
  }

  /** The review's example: 16 distinct floors on 6 PFs (it used to end "within the limit"). */
  @Test
  void sixteenDistinctFloorsOnSixPfs() {
    long[][] pieces = {
      {43_000, 20_000, 14_000}, {41_000, 24_000, 21_000}, {32_000, 15_000, 10_000},
      {46_000, 34_000}, {43_000, 18_000, 14_000}, {33_000, 26_000}
    };
    PhysicalFunction[] pfs = new PhysicalFunction[pieces.length];
    List<Long> floors = new ArrayList<>();
    for (int p = 0; p < pieces.length; p++) {
      pfs[p] = ib("pf" + p, 0x10 + p, Arrays.stream(pieces[p]).sum(), pieces[p].length + 1);
      Arrays.stream(pieces[p]).forEach(floors::add);
    }
    Collections.shuffle(floors, new Random(1));
    FitResult r =
        Placement.fit(
            node(pfs),
            Commitments.none(),
            pod(floors.stream().mapToLong(Long::longValue).toArray()));
    assertThat(r.fits()).as("%s", r).isTrue();
  }

  /**
   * 16 x 30G on 15 PFs with 41..55G each: every PF takes one, so one is always left over. The
   * bounds refute it outright instead of the search spending its whole limit on every filter.
   */
  @Test
  void aHopelessNodeIsRefutedNotSearchedToTheLimit() {
    List<PfState> pfs = new ArrayList<>();
    PhysicalFunction[] list = new PhysicalFunction[15];
    for (int i = 0; i < 15; i++) {
      list[i] = ib("pf" + i, 0x10 + i, 41_000 + 1_000L * i, 4);
    }
    long[] floors = new long[16];
    Arrays.fill(floors, 30_000);
    PlacementOptions options = PlacementOptions.defaults();
    pfs.addAll(PfState.of(node(list), Commitments.none(), options));
    Search search = new Search(pfs, pod(floors), options);
    search.run();
    assertThat(search.best()).isNull();
    assertThat(search.stopped()).as("gave up on the limit").isFalse();
    FitResult r = Placement.fit(node(list), Commitments.none(), pod(floors));
    assertThat(((FitResult.NoFit) r).reason()).startsWith("no combination of free VFs fits");
  }
}
