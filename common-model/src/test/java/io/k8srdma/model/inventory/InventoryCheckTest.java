package io.k8srdma.model.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class InventoryCheckTest {

  @Test
  void aWellFormedInventoryHasNoProblem() {
    assertThat(InventoryCheck.firstProblem(node(pf("0000:1a:00.0", 400_000L, vfs(0x1a, 4)))))
        .isEmpty();
    assertThat(InventoryCheck.firstProblem(node(pf("0000:1a:00.0", null, List.of()))))
        .as("an unknown capacity and a PF without VFs are fine")
        .isEmpty();
  }

  @Test
  void namesTheFirstFieldThatBreaksARule() {
    assertProblem(node(pf(null, 400_000L, vfs(0x1a, 1))), "pfs[0].pciAddress is missing");
    assertProblem(
        node(pf("0000:1a:00.0", -1L, vfs(0x1a, 1))), "pfs[0].capacityMbps is negative (-1)");
    assertProblem(
        node(pf("0000:1a:00.0", 5_000_000_000_000_000_000L, vfs(0x1a, 1))),
        "pfs[0].capacityMbps 5000000000000000000 is above 1000000000 (1 Pb/s): no port is that"
            + " fast");
    assertProblem(
        node(pf("0000:1a:00.0", 1L, withVf(1, v -> vf(v.index(), " ", v.state(), 0, 0)))),
        "pfs[0].vfs[1].pciAddress is missing");
    assertProblem(
        node(pf("0000:1a:00.0", 1L, withVf(2, v -> vf(v.index(), v.pciAddress(), null, 0, 0)))),
        "pfs[0].vfs[2].state is missing");
    assertProblem(
        node(pf("0000:1a:00.0", 1L, withVf(0, v -> vf(0, v.pciAddress(), v.state(), -5, 0)))),
        "pfs[0].vfs[0].minTxRateMbps is negative (-5)");
    assertProblem(
        node(pf("0000:1a:00.0", 1L, withVf(3, v -> vf(3, v.pciAddress(), v.state(), 0, -1)))),
        "pfs[0].vfs[3].maxTxRateMbps is negative (-1)");
  }

  @Test
  void aVfThatIsNotFreeMayLackItsAddress() {
    // The agent reports null when a VF's virtfnN link dangles (the VF is being removed).
    NodeInventory dangling =
        node(
            pf("0000:1a:00.0", 1L, withVf(1, v -> vf(v.index(), null, VfState.UNAVAILABLE, 0, 0))));
    assertThat(InventoryCheck.firstProblem(dangling)).isEmpty();
    assertProblem(
        node(pf("0000:1a:00.0", 1L, withVf(1, v -> vf(v.index(), null, VfState.FREE, 0, 0)))),
        "pfs[0].vfs[1].pciAddress is missing");
  }

  @Test
  void aPciAddressMayAppearOnlyOnceOnTheNodeWhateverItsCase() {
    List<VirtualFunction> twice = new ArrayList<>(vfs(0x1a, 2));
    twice.add(vf(2, "0000:1A:01.1", VfState.FREE, 0, 0));
    assertProblem(
        node(pf("0000:1a:00.0", 1L, twice)),
        "pfs[0].vfs[2].pciAddress 0000:1A:01.1 appears twice on the node");
    assertProblem(
        node(pf("0000:1a:00.0", 1L, vfs(0x1a, 1)), pf("0000:1a:00.0", 1L, List.of())),
        "pfs[1].pciAddress 0000:1a:00.0 appears twice on the node");
  }

  @Test
  void aPciAddressMustBeOneThatAnAssignmentCanCarry() {
    assertProblem(
        node(pf("pf0", 1L, vfs(0x1a, 1))),
        "pfs[0].pciAddress 'pf0' is not a PCI address like 0000:1a:00.1");
    assertProblem(
        node(pf("0000:1a:00.0", 1L, withVf(1, v -> vf(1, "0000:1a:00.9", v.state(), 0, 0)))),
        "pfs[0].vfs[1].pciAddress '0000:1a:00.9' is not a PCI address like 0000:1a:00.1");
    // Domains above ffff (Intel VMD) are longer than four digits.
    assertThat(InventoryCheck.firstProblem(node(pf("10000:1a:00.0", 1L, List.of())))).isEmpty();
  }

  private static void assertProblem(NodeInventory inventory, String problem) {
    assertThat(InventoryCheck.firstProblem(inventory)).contains(problem);
  }

  private static NodeInventory node(PhysicalFunction... pfs) {
    return new NodeInventory("worker-7", 1, Instant.EPOCH, List.of(pfs));
  }

  private static PhysicalFunction pf(String pci, Long capacity, List<VirtualFunction> vfs) {
    return new PhysicalFunction(
        "ibp26s0",
        pci,
        "mlx5_0",
        "uverbs0",
        "15b3",
        "1021",
        "mlx5_core",
        LinkLayer.INFINIBAND,
        "ACTIVE",
        0,
        capacity,
        16,
        vfs.size(),
        "none",
        "legacy",
        vfs);
  }

  /** Four free VFs on bus 0x1a, the one at {@code index} replaced. */
  private static List<VirtualFunction> withVf(int index, UnaryOperator<VirtualFunction> change) {
    List<VirtualFunction> list = new ArrayList<>(vfs(0x1a, 4));
    list.set(index, change.apply(list.get(index)));
    return list;
  }

  private static List<VirtualFunction> vfs(int bus, int n) {
    List<VirtualFunction> list = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      list.add(vf(i, String.format("0000:%02x:01.%d", bus, i), VfState.FREE, 0, 0));
    }
    return list;
  }

  private static VirtualFunction vf(int index, String pci, VfState state, int min, int max) {
    return new VirtualFunction(
        index, pci, null, null, null, "mlx5_core", null, null, min, max, state, null);
  }
}
