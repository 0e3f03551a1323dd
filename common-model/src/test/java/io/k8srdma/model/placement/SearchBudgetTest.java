package io.k8srdma.model.placement;

import static io.k8srdma.model.placement.Fixtures.ib;
import static io.k8srdma.model.placement.Fixtures.node;
import static io.k8srdma.model.placement.Fixtures.pfPci;
import static org.assertj.core.api.Assertions.assertThat;

import io.k8srdma.model.inventory.NodeInventory;
import io.k8srdma.model.inventory.PhysicalFunction;
import io.k8srdma.model.request.InterfaceRequest;
import io.k8srdma.model.request.PodRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The exactness bound documented on {@link Placement}, in its worst case. */
class SearchBudgetTest {

  @ParameterizedTest
  @CsvSource({"2, 32", "3, 12", "4, 6"})
  void defaultBudgetIsExhaustiveForDistinctInterfacesOnDistinctPfs(int interfaces, int pfCount) {
    List<PhysicalFunction> pfs = new ArrayList<>();
    Map<String, Long> committed = new HashMap<>();
    for (int i = 0; i < pfCount; i++) {
      pfs.add(ib("ib" + i, 0x10 + i, 400_000, interfaces));
      committed.put(pfPci(0x10 + i), 1_000L * i); // every PF different
    }
    NodeInventory inv = node(pfs.toArray(PhysicalFunction[]::new));
    Commitments ledger = new Commitments(Set.of(), committed);
    List<InterfaceRequest> list = new ArrayList<>();
    for (int i = 0; i < interfaces; i++) {
      list.add(new InterfaceRequest("n" + i, 100L * (i + 1), 0, null, null, null));
    }
    for (ScoringPolicy policy : ScoringPolicy.values()) {
      PlacementOptions options = PlacementOptions.defaults().withPolicy(policy);
      Search search = new Search(PfState.of(inv, ledger, options), new PodRequest(list), options);
      search.run();
      assertThat(search.best()).isNotNull();
      assertThat(search.stopped()).as("search hit its budget").isFalse();
    }
  }
}
