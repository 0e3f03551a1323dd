package io.k8srdma.bench.extender;

import static org.assertj.core.api.Assertions.assertThat;

import io.k8srdma.model.inventory.NodeInventory;
import io.k8srdma.model.inventory.PhysicalFunction;
import io.k8srdma.model.json.Json;
import org.junit.jupiter.api.Test;

class ExtenderBenchmarkPartsTest {

  @Test
  void feasibleNodesFollowKubeSchedulerAdaptivePercentage() {
    assertThat(SchedulingDriver.feasibleNodesToFind(50)).isEqualTo(50);
    assertThat(SchedulingDriver.feasibleNodesToFind(150)).isEqualTo(100);
    assertThat(SchedulingDriver.feasibleNodesToFind(1_000)).isEqualTo(420);
    assertThat(SchedulingDriver.feasibleNodesToFind(5_000)).isEqualTo(500);
    assertThat(SchedulingDriver.feasibleNodesToFind(10_000)).isEqualTo(500);
  }

  @Test
  void generatedInventoriesAreVariedReproducibleAndRoundTrip() throws Exception {
    SimulatedCluster cluster = new SimulatedCluster(200);
    for (int i = 0; i < cluster.size(); i++) {
      NodeInventory inv = cluster.inventory(i);
      assertThat(inv).isEqualTo(cluster.inventory(i));
      assertThat(inv.node()).isEqualTo(cluster.nodeName(i));
      assertThat(cluster.indexOf(inv.node())).isEqualTo(i);
      assertThat(inv.pfs()).hasSizeBetween(1, 2);
      int vfs = inv.pfs().stream().mapToInt(pf -> pf.vfs().size()).sum();
      assertThat(vfs).isBetween(16, 32);
      for (PhysicalFunction pf : inv.pfs()) {
        assertThat(pf.capacityMbps()).isBetween(100_000L, 400_000L);
      }
      byte[] json = Json.mapper().writeValueAsBytes(inv);
      assertThat(Json.mapper().readValue(json, NodeInventory.class)).isEqualTo(inv);
    }
    assertThat(cluster.indexOf("node-00200")).isEqualTo(-1);
    assertThat(cluster.indexOf("other")).isEqualTo(-1);
  }

  @Test
  void durationsInSpringSyntax() {
    assertThat(ExtenderBenchmark.millis("5s")).isEqualTo(5_000);
    assertThat(ExtenderBenchmark.millis("500ms")).isEqualTo(500);
    assertThat(ExtenderBenchmark.millis("1m")).isEqualTo(60_000);
  }
}
