package io.k8srdma.model.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import io.k8srdma.model.assignment.AssignedInterface;
import io.k8srdma.model.assignment.Assignment;
import io.k8srdma.model.assignment.AssignmentCodec;
import io.k8srdma.model.json.Json;
import io.k8srdma.model.placement.Commitments;
import io.k8srdma.model.placement.FitResult;
import io.k8srdma.model.placement.Placement;
import io.k8srdma.model.placement.PlacementOptions;
import io.k8srdma.model.placement.ScoringPolicy;
import io.k8srdma.model.request.PodRequest;
import io.k8srdma.model.request.PodRequestCodec;
import io.k8srdma.model.testing.Fuzz;
import io.k8srdma.model.testing.JsonMutator;
import io.k8srdma.model.testing.JsonMutator.Mutant;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Seeded mutations of an agent's {@code GET /vfs} answer, decoded as the extender's poller decodes
 * it: {@link Json#mapper()} into a {@link NodeInventory}, then {@link InventoryCheck}. A body that
 * cannot be read must fail with Jackson's {@link IOException} (the poller reports it as the node's
 * error); a body that passes the check is used for placement and bind and shown by {@code GET
 * /inventory}, so none of those may fail on it.
 */
class InventoryDecodingFuzzTest {

  /** What an agent serves for a host with an InfiniBand and a RoCE PF, VFs in every state. */
  static final String VALID =
      """
      {"node": "worker-7", "generation": 1795689739388, "scannedAt": "2026-11-26T10:42:29.425Z",
       "pfs": [
        {"name": "ibp26s0", "pciAddress": "0000:1a:00.0", "rdmaDevice": "mlx5_0",
         "uverbsDevice": "uverbs0", "vendorId": "15b3", "deviceId": "1021", "driver": "mlx5_core",
         "linkLayer": "InfiniBand", "portState": "ACTIVE", "numaNode": 0, "capacityMbps": 400000,
         "totalVfs": 16, "numVfs": 3, "vfRateLimit": "none", "eswitchMode": "legacy",
         "vfs": [
          {"index": 0, "pciAddress": "0000:1a:00.1", "netdev": "ibp26s0v0", "rdmaDevice": "mlx5_8",
           "uverbsDevice": "uverbs8", "driver": "mlx5_core", "mac": null, "nodeGuid": null,
           "minTxRateMbps": null, "maxTxRateMbps": null, "state": "FREE", "reason": null},
          {"index": 1, "pciAddress": "0000:1a:00.2", "netdev": null, "rdmaDevice": null,
           "uverbsDevice": null, "driver": "mlx5_core", "mac": "02:00:00:00:00:02",
           "nodeGuid": "0000:0000:0000:0002", "minTxRateMbps": 25000, "maxTxRateMbps": 50000,
           "state": "IN_USE", "reason": "netdev moved to another network namespace"},
          {"index": 2, "pciAddress": null, "netdev": null, "rdmaDevice": null,
           "uverbsDevice": null, "driver": null, "mac": null, "nodeGuid": null,
           "minTxRateMbps": null, "maxTxRateMbps": null, "state": "UNAVAILABLE",
           "reason": "PCI device of virtfn2 is missing"}]},
        {"name": "enp60s0f0np0", "pciAddress": "0000:3c:00.0", "rdmaDevice": "mlx5_1",
         "uverbsDevice": "uverbs1", "vendorId": "15b3", "deviceId": "101d", "driver": "mlx5_core",
         "linkLayer": "Ethernet", "portState": "ACTIVE", "numaNode": 1, "capacityMbps": 100000,
         "totalVfs": 8, "numVfs": 2, "vfRateLimit": "min+max", "eswitchMode": "switchdev",
         "vfs": [
          {"index": 0, "pciAddress": "0000:3c:00.2", "netdev": "enp60s0f0v0",
           "rdmaDevice": "mlx5_9", "uverbsDevice": "uverbs9", "driver": "mlx5_core",
           "mac": "02:00:00:00:01:00", "nodeGuid": null, "minTxRateMbps": 0, "maxTxRateMbps": 0,
           "state": "FREE", "reason": null},
          {"index": 1, "pciAddress": "0000:3c:00.3", "netdev": "enp60s0f0v1",
           "rdmaDevice": "mlx5_10", "uverbsDevice": "uverbs10", "driver": "mlx5_core",
           "mac": "02:00:00:00:01:01", "nodeGuid": null, "minTxRateMbps": 0, "maxTxRateMbps": 0,
           "state": "FREE", "reason": null}]}],
       "agentVersion": "0.1.0"}""";

  /** Requests that reach every rule of placement: link layers, PF pins, NUMA nodes, floors. */
  private static final List<String> REQUESTS =
      List.of(
          "[{\"minTxRateMbps\": 0}]",
          "[{\"minTxRateMbps\": 100000, \"linkLayer\": \"InfiniBand\"}]",
          "[{\"minTxRateMbps\": 50000, \"linkLayer\": \"Ethernet\", \"numaNode\": 1}]",
          "[{\"minTxRateMbps\": 1000, \"pf\": \"ibp26s0\"}, {\"minTxRateMbps\": 1000, \"pf\":"
              + " \"0000:3C:00.0\"}]",
          "[{\"minTxRateMbps\": 10000}, {\"minTxRateMbps\": 10000}, {\"minTxRateMbps\": 0}]",
          "[{\"minTxRateMbps\": 10000000}]");

  private static final List<PlacementOptions> OPTIONS =
      List.of(
          PlacementOptions.defaults(),
          PlacementOptions.defaults()
              .withPolicy(ScoringPolicy.SPREAD)
              .withOversubscription(1.5)
              .withNumaBonus(false));

  /** What another pod holds on the node, so placement also counts a ledger. */
  private static final Commitments LEDGER =
      Commitments.of(
          List.of(
              new Assignment(
                  "worker-7",
                  List.of(
                      new AssignedInterface("net1", "0000:1a:00.0", "0000:1a:00.1", 1000, 0)))));

  private final Fuzz.Tally tally = new Fuzz.Tally();

  @Test
  void mutatedAnswersAreRefusedWithAnIoExceptionOrSafeToPlaceOn() {
    Fuzz.run(
        "GET /vfs answer",
        Fuzz.seed(8089),
        Fuzz.iterations(1200),
        random -> new JsonMutator(random).mutate(VALID),
        this::check);
    tally.assertEachAtLeast(5);
  }

  @Test
  void everyTruncationIsRefusedWithAnIoException() {
    for (Mutant m : JsonMutator.truncations(VALID)) {
      Fuzz.run("truncated answer", 0, 1, random -> m, this::check);
    }
  }

  private void check(Mutant input) throws Exception {
    NodeInventory inventory;
    try {
      inventory = Json.mapper().readValue(input.bytes(), NodeInventory.class);
    } catch (IOException e) {
      tally.refused(); // the poller fails the node with "unreadable inventory: " and the message
      return;
    }
    if (inventory == null) {
      tally.refused(); // a body of JSON null: the poller fails the node
      return;
    }
    Optional<String> problem = InventoryCheck.firstProblem(inventory);
    if (problem.isPresent()) {
      assertThat(problem.get()).matches("(?s)pfs\\[\\d+\\](\\.vfs\\[\\d+\\])?\\.\\w+ .+");
      assertThat(problem.get().length()).as(problem.get()).isLessThanOrEqualTo(512);
      tally.refused();
      return;
    }
    tally.accepted();
    assertThat(inventory.node()).isNotNull();
    for (PhysicalFunction pf : inventory.pfs()) {
      assertThat(pf).isNotNull();
      assertThat(PciAddress.isValid(pf.pciAddress())).as(pf.pciAddress()).isTrue();
      for (VirtualFunction vf : pf.vfs()) {
        assertThat(vf).isNotNull();
        assertThat(vf.state()).isNotNull();
      }
    }
    assertShownAsIs(inventory);
    assertPlacementCopes(inventory);
  }

  /** {@code GET /inventory} writes the cached inventory: it must write, and say what was read. */
  private static void assertShownAsIs(NodeInventory inventory) throws IOException {
    String written = Json.mapper().writeValueAsString(inventory);
    assertThat(Json.mapper().readValue(written, NodeInventory.class)).isEqualTo(inventory);
  }

  /** Filter, prioritize and bind place pods on it: each request fits or fails with a reason. */
  private static void assertPlacementCopes(NodeInventory inventory) throws Exception {
    Set<String> free = new HashSet<>();
    for (PhysicalFunction pf : inventory.pfs()) {
      for (VirtualFunction vf : pf.vfs()) {
        if (vf.state() == VfState.FREE) {
          free.add(PciAddress.normalize(vf.pciAddress()));
        }
      }
    }
    for (String text : REQUESTS) {
      PodRequest request =
          PodRequestCodec.read(Map.of("k8s-rdma.io/interfaces", text), null).orElseThrow();
      for (PlacementOptions options : OPTIONS) {
        for (Commitments ledger : List.of(Commitments.none(), LEDGER)) {
          FitResult fit = Placement.fit(inventory, ledger, request, options);
          if (fit instanceof FitResult.Fit f) {
            assertThat(f.score()).isBetween(0, Placement.MAX_SCORE);
            Assignment a = f.toAssignment("worker-7");
            assertThat(AssignmentCodec.decode(AssignmentCodec.encode(a))).isEqualTo(a);
            List<String> vfs = new ArrayList<>();
            a.interfaces().forEach(i -> vfs.add(i.vf()));
            assertThat(free).as("only FREE VFs are handed out").containsAll(vfs);
            // Bind checks a carried assignment against the node restricted to its VFs.
            assertThat(
                    Placement.fit(inventory.withFreeOnly(Set.copyOf(vfs)), ledger, request, options)
                        .fits())
                .isTrue();
          } else {
            assertThat(((FitResult.NoFit) fit).reason()).isNotBlank();
          }
        }
      }
    }
  }
}
