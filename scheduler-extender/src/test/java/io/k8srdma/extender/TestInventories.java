package io.k8srdma.extender;

import io.k8srdma.model.inventory.LinkLayer;
import io.k8srdma.model.inventory.NodeInventory;
import io.k8srdma.model.inventory.PhysicalFunction;
import io.k8srdma.model.inventory.VfState;
import io.k8srdma.model.inventory.VirtualFunction;
import io.k8srdma.model.json.Json;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Realistic agent inventories for extender tests, as the agent serves them. */
public final class TestInventories {

  private TestInventories() {}

  /** A node with one NDR InfiniBand PF on bus {@code bus} with {@code freeVfs} free VFs. */
  public static NodeInventory ibNode(String node, int bus, int freeVfs, long capacityMbps) {
    return new NodeInventory(
        node, 7, Instant.parse("2026-11-24T10:00:00Z"), List.of(ibPf(bus, freeVfs, capacityMbps)));
  }

  /** An InfiniBand PF {@code ibp<bus>s0} at {@code 0000:<bus>:00.0}. */
  public static PhysicalFunction ibPf(int bus, int freeVfs, long capacityMbps) {
    String pci = String.format("0000:%02x:00.0", bus);
    List<VirtualFunction> vfs = new ArrayList<>();
    for (int i = 0; i < freeVfs; i++) {
      vfs.add(
          new VirtualFunction(
              i,
              String.format("0000:%02x:00.%d", bus, i + 1),
              "ibp" + bus + "s0v" + i,
              "mlx5_" + (10 + i),
              "uverbs" + (10 + i),
              "mlx5_core",
              null,
              null,
              null,
              null,
              VfState.FREE,
              null));
    }
    return new PhysicalFunction(
        "ibp" + bus + "s0",
        pci,
        "mlx5_0",
        "uverbs0",
        "15b3",
        "1021",
        "mlx5_core",
        LinkLayer.INFINIBAND,
        "ACTIVE",
        0,
        capacityMbps,
        16,
        freeVfs,
        "none",
        "legacy",
        vfs);
  }

  /** The JSON the agent would serve. */
  public static String json(NodeInventory inventory) {
    try {
      return Json.mapper().writeValueAsString(inventory);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
