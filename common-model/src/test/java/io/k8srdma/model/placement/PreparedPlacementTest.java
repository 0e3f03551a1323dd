package io.k8srdma.model.placement;

import static io.k8srdma.model.placement.Fixtures.IB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.k8srdma.model.request.InterfaceRequest;
import io.k8srdma.model.request.PodRequest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * The prepared halves of placement ({@link Placement#prepare}) are shared between pods, nodes and
 * threads by the extender: they must answer exactly as placement from scratch, however often and in
 * whatever order they are combined.
 */
class PreparedPlacementTest {

  @Test
  void preparedNodesAndRequestsReusedInAnyOrderAnswerAsFromScratch() {
    List<PlacementPropertyTest.Scenario> scenarios =
        LongStream.range(5000, 5040).mapToObj(PlacementPropertyTest::medium).toList();
    List<Placement.PreparedNode> nodes = new ArrayList<>();
    List<PreparedRequest> requests = new ArrayList<>();
    for (PlacementPropertyTest.Scenario s : scenarios) {
      nodes.add(Placement.prepare(s.inventory(), s.ledger(), s.options()));
      requests.add(Placement.prepare(s.request()));
    }
    List<int[]> pairs = new ArrayList<>();
    for (int i = 0; i < scenarios.size(); i++) {
      for (int j = 0; j < scenarios.size(); j++) {
        pairs.add(new int[] {i, j});
        pairs.add(new int[] {i, j});
      }
    }
    Collections.shuffle(pairs, new Random(7));
    int fits = 0;
    for (int[] p : pairs) {
      PlacementPropertyTest.Scenario node = scenarios.get(p[0]);
      FitResult prepared = Placement.fit(nodes.get(p[0]), requests.get(p[1]));
      FitResult fresh =
          Placement.fit(
              node.inventory(), node.ledger(), scenarios.get(p[1]).request(), node.options());
      assertThat(prepared).as("node %d, request %d", p[0], p[1]).isEqualTo(fresh);
      fits += prepared.fits() ? 1 : 0;
    }
    // Both outcomes are exercised, or the comparison above proves little.
    assertThat(fits).isBetween(1, pairs.size() - 1);
  }

  @Test
  void aFitWorksItsChoicesOutOnceAndEqualsTheEagerForm() {
    FitResult.Fit fit = firstFit();
    List<Choice> choices = fit.choices();
    assertThat(choices).isNotEmpty().isSameAs(fit.choices());
    FitResult.Fit eager = new FitResult.Fit(choices, fit.score());
    assertThat(fit).isEqualTo(eager).hasSameHashCodeAs(eager);
    assertThat(fit.toAssignment("node-a").interfaces()).hasSize(choices.size());
    assertThatThrownBy(() -> new FitResult.Fit(choices, Placement.MAX_SCORE + 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("outside 0..10");
  }

  @Test
  void requestIsSearchedLargestFloorFirstAndIdenticalInterfacesShareAnId() {
    PreparedRequest p =
        Placement.prepare(
            new PodRequest(
                List.of(
                    new InterfaceRequest("net0", 10_000, 0, null, null, null),
                    new InterfaceRequest("net1", 20_000, 0, null, null, null),
                    new InterfaceRequest("net2", 10_000, 0, null, null, null),
                    new InterfaceRequest("net3", 20_000, 0, IB, null, null),
                    new InterfaceRequest("net4", 0, 0, null, null, null))));
    assertThat(p.largestFirst).containsExactly(1, 3, 0, 2, 4);
    assertThat(p.likeId[0]).isEqualTo(p.likeId[2]);
    assertThat(p.likeId[1]).isNotEqualTo(p.likeId[3]);
    assertThat(p.likeId[4]).isNotIn(p.likeId[0], p.likeId[1], p.likeId[3]);
    assertThat(p.constrained).isTrue();
    assertThat(p.pinned).isFalse();
    assertThat(p.totalFloor).isEqualTo(60_000);
  }

  private static FitResult.Fit firstFit() {
    for (long seed = 0; seed < 200; seed++) {
      PlacementPropertyTest.Scenario s = PlacementPropertyTest.medium(seed);
      if (Placement.fit(s.inventory(), s.ledger(), s.request(), s.options())
          instanceof FitResult.Fit fit) {
        return fit;
      }
    }
    throw new AssertionError("no seed in 0..199 gives a fit");
  }
}
