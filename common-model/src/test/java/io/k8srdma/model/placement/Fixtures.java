package io.k8srdma.model.placement;

import io.k8srdma.model.inventory.LinkLayer;
import io.k8srdma.model.inventory.NodeInventory;
import io.k8srdma.model.inventory.PhysicalFunction;
import io.k8srdma.model.inventory.VfState;
import io.k8srdma.model.inventory.VirtualFunction;
import io.k8srdma.model.request.InterfaceRequest;
import io.k8srdma.model.request.PodRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Compact builders for inventories and requests. */
final class Fixtures {

  static final LinkLayer IB = LinkLayer.INFINIBAND;
  static final LinkLayer ETH = LinkLayer.ETHERNET;

  private Fixtures() {}

  static String pfPci(int bus) {
    return String.format("0000:%02x:00.0", bus);
  }

  static String vfPci(int bus, int index) {
    return String.format("0000:%02x:%02x.%d", bus, 1 + index / 8, index % 8);
  }

  static VirtualFunction vf(int bus, int index, VfState state, Integer minTxRateMbps) {
    return new VirtualFunction(
        index,
        vfPci(bus, index),
        state == VfState.FREE ? "v" + bus + "_" + index : null,
        null,
        null,
        "mlx5_core",
        null,
        null,
        minTxRateMbps,
        minTxRateMbps == null ? null : 0,
        state,
        state == VfState.FREE ? null : "test");
  }

  /** {@code n} free VFs of PF on {@code bus}. */
  static List<VirtualFunction> free(int bus, int n) {
    List<VirtualFunction> list = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      list.add(vf(bus, i, VfState.FREE, 0));
    }
    return list;
  }

  static PhysicalFunction pf(
      String name,
      int bus,
      LinkLayer linkLayer,
      int numa,
      Long capacity,
      List<VirtualFunction> vfs) {
    return new PhysicalFunction(
        name,
        pfPci(bus),
        "mlx5_" + bus,
        "uverbs" + bus,
        "15b3",
        "1021",
        "mlx5_core",
        linkLayer,
        "ACTIVE",
        numa,
        capacity,
        vfs.size(),
        vfs.size(),
        "none",
        "legacy",
        vfs);
  }

  /** An IB PF on NUMA node 0 with {@code vfs} free VFs. */
  static PhysicalFunction ib(String name, int bus, long capacity, int vfs) {
    return pf(name, bus, IB, 0, capacity, free(bus, vfs));
  }

  static NodeInventory node(PhysicalFunction... pfs) {
    return new NodeInventory("worker-7", 1, Instant.EPOCH, Arrays.asList(pfs));
  }

  static InterfaceRequest req(String name, long min) {
    return new InterfaceRequest(name, min, 0, null, null, null);
  }

  static PodRequest pod(InterfaceRequest... interfaces) {
    return new PodRequest(Arrays.asList(interfaces));
  }

  static PodRequest pod(long... floors) {
    List<InterfaceRequest> list = new ArrayList<>();
    for (int i = 0; i < floors.length; i++) {
      list.add(req("net" + (i + 1), floors[i]));
    }
    return new PodRequest(list);
  }
}
