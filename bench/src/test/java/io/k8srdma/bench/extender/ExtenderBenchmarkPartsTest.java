package io.k8srdma.bench.extender;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.k8srdma.bench.agent.ProcStatus;
import io.k8srdma.model.NodeEssentials;
import io.k8srdma.model.inventory.InventoryCheck;
import io.k8srdma.model.inventory.NodeInventory;
import io.k8srdma.model.inventory.PhysicalFunction;
import io.k8srdma.model.json.Json;
import io.k8srdma.model.request.PodRequestCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
  void theWorkersOfAJobAskForTheSameInterfacesAndJobsDiffer() {
    PodFactory jobs = new PodFactory(false, PodShape.MINIMAL, 3);
    SplittableRandom rnd = new SplittableRandom(1);
    List<String> requests = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      requests.add(jobs.next(rnd).interfaces());
    }
    for (int job = 0; job < 10; job++) {
      assertThat(requests.subList(3 * job, 3 * job + 3))
          .as("job %d", job)
          .containsOnly(requests.get(3 * job));
    }
    assertThat(Set.copyOf(requests)).as("ten jobs, not one request").hasSizeGreaterThan(3);
    assertThatThrownBy(() -> new PodFactory(false, PodShape.MINIMAL, 0))
        .hasMessageContaining("job size must be at least 1, got 0");
  }

  @Test
  void aLayoutGivesEveryNodeTheSamePfsAndVfsWhichTheExtendersCheckAccepts() {
    SimulatedCluster large = new SimulatedCluster(3, new SimulatedCluster.Layout(8, 128));
    for (int i = 0; i < large.size(); i++) {
      NodeInventory inv = large.inventory(i);
      assertThat(inv.pfs()).hasSize(8).allSatisfy(pf -> assertThat(pf.vfs()).hasSize(128));
      assertThat(InventoryCheck.firstProblem(inv)).as("node %d", i).isEmpty();
    }
  }

  @Test
  void theFirstRoundReportReadsTheExtendersOwnTiming(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("extender.log");
    Files.writeString(
        log, "... INFO ... first poll round done: 400 agents in 4750 ms\n... ready\n");
    assertThat(FirstRoundBenchmark.firstRoundSeconds(log)).isEqualTo(4.75);
    Files.writeString(log, "no round yet\n");
    assertThat(FirstRoundBenchmark.firstRoundSeconds(log)).isNaN();

    String md =
        FirstRoundBenchmark.render(
            List.of(new FirstRoundBenchmark.Run(64, 1, 4.75, 400, 1)),
            new SimulatedCluster(400, new SimulatedCluster.Layout(8, 128)),
            254_976,
            "- cores: 1\n");
    assertThat(md)
        .contains("400 nodes, 8 PFs x 128 VFs, 249 KiB per answer")
        .contains("| 64 | 1 | 4.75 | 1 of 400 |");
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

  @Test
  void cpuPerCycleIsNetOfTheIdleRate() {
    // Idle: 10 s in which the extender used 2 CPU-s (0.2 cores) and the driver 1 CPU-s.
    CpuMeter.Reading idle0 = new CpuMeter.Reading(0, 100, 50, Map.of("poller", 1.0));
    CpuMeter.Reading idle1 = new CpuMeter.Reading(10_000_000_000L, 102, 51, Map.of("poller", 2.0));
    // Load: 20 s, 1,000 cycles; extender +24 CPU-s (4 of them idle rate), driver +12 (2 idle).
    CpuMeter.Reading load0 =
        new CpuMeter.Reading(20_000_000_000L, 110, 60, Map.of("poller", 3.0, "http", 5.0));
    CpuMeter.Reading load1 =
        new CpuMeter.Reading(
            40_000_000_000L, 134, 72, Map.of("poller", 7.0, "http", 25.0, "new", 1.0));
    CpuMeter.Cost cost = CpuMeter.cost(idle0, idle1, load0, load1, 1_000, 2);
    assertThat(cost.idleExtenderCores()).isCloseTo(0.2, within(1e-9));
    assertThat(cost.idleDriverCores()).isCloseTo(0.1, within(1e-9));
    assertThat(cost.extenderMillisPerCycle()).isCloseTo(20.0, within(1e-9));
    assertThat(cost.driverMillisPerCycle()).isCloseTo(10.0, within(1e-9));
    assertThat(cost.threadMillisPerCycle().keySet()).containsExactly("http", "poller", "new");
    assertThat(cost.threadMillisPerCycle().get("http")).isCloseTo(20.0, within(1e-9));
    assertThat(cost.cores()).isEqualTo(2);
    assertThat(cost.extenderCapacity()).isCloseTo((2 - 0.2) / 0.020, within(1e-6));
  }

  @Test
  void repeatedRunsOfASizeGetTheirOwnRowLabels() {
    assertThat(ExtenderResult.label(5_000, 0)).isEqualTo("5,000");
    assertThat(ExtenderResult.label(5_000, 2)).isEqualTo("5,000 #2");
  }

  @Test
  void tasksetListsCountTheirProcessors() {
    assertThat(CpuMeter.cpuCount("1")).isEqualTo(1);
    assertThat(CpuMeter.cpuCount("0,1")).isEqualTo(2);
    assertThat(CpuMeter.cpuCount("0-3")).isEqualTo(4);
    assertThat(CpuMeter.cpuCount("0-1,4")).isEqualTo(3);
  }

  @Test
  void threadCpuOfThisProcessIsGroupedByNameWithoutDigits() {
    Map<String, Double> threads = ProcStatus.cpuSecondsByThread(ProcessHandle.current().pid());
    assertThat(threads).isNotEmpty();
    assertThat(threads.keySet()).noneMatch(name -> name.matches(".*\\d.*"));
    assertThat(threads.values()).allMatch(seconds -> seconds >= 0);
  }

  @Test
  void plainPodsCarryNoRdmaRequest() {
    SplittableRandom rnd = new SplittableRandom(1);
    PodFactory.BenchPod plain = new PodFactory(true, PodShape.MINIMAL).next(rnd);
    assertThat(plain.interfaces()).isNull();
    assertThat(plain.json().path("metadata").path("annotations").has("k8s-rdma.io/interfaces"))
        .isFalse();
    PodFactory.BenchPod rdma = new PodFactory(false, PodShape.MINIMAL).next(rnd);
    assertThat(
            rdma.json()
                .path("metadata")
                .path("annotations")
                .path("k8s-rdma.io/interfaces")
                .asText())
        .isEqualTo(rdma.interfaces())
        .startsWith("[{\"minTxRateMbps\":");
  }

  @Test
  void realisticPodIsAWholeTrainingWorkerThatFabric8Decodes() throws Exception {
    PodFactory.BenchPod bench =
        new PodFactory(false, PodShape.parse("realistic")).next(new SplittableRandom(2));

    Pod pod = Json.mapper().treeToValue(bench.json(), Pod.class);

    assertThat(bench.json().toString().length()).isBetween(3_500, 6_000);
    assertThat(pod.getMetadata().getName()).isEqualTo(bench.name());
    assertThat(pod.getMetadata().getUid()).isEqualTo(bench.uid());
    assertThat(pod.getMetadata().getAnnotations())
        .containsEntry("k8s-rdma.io/interfaces", bench.interfaces());
    assertThat(pod.getMetadata().getManagedFields()).hasSize(1);
    // The VF count must match the interfaces listed, or the extender rejects the pod.
    int interfaces = Json.mapper().readTree(bench.interfaces()).size();
    assertThat(pod.getSpec().getContainers().get(0).getResources().getRequests())
        .containsKey("nvidia.com/gpu")
        .containsEntry("k8s-rdma.io/vf", new Quantity(Integer.toString(interfaces)));
    assertThat(PodRequestCodec.read(pod))
        .hasValueSatisfying(r -> assertThat(r.interfaces()).hasSize(interfaces));
    assertThat(pod.getStatus().getPhase()).isEqualTo("Pending");
  }

  @Test
  void realisticNodeIsAWholeGpuNodeThatFabric8Decodes() throws Exception {
    String json = RealisticNode.json("gpu-001", "10.0.0.1").toString();

    Node node = Json.mapper().readValue(json, Node.class);

    assertThat(json.length()).isBetween(15_000, 40_000);
    assertThat(node.getMetadata().getLabels()).hasSizeGreaterThan(80);
    assertThat(node.getStatus().getImages()).hasSize(50);
    assertThat(node.getMetadata().getManagedFields()).hasSize(4);
    assertThat(NodeEssentials.trim(node).getStatus().getAddresses().get(0).getAddress())
        .isEqualTo("10.0.0.1");
  }
}
