package io.k8srdma.bench.extender;

import io.k8srdma.model.inventory.LinkLayer;
import io.k8srdma.model.inventory.NodeInventory;
import io.k8srdma.model.inventory.PhysicalFunction;
import io.k8srdma.model.inventory.VfState;
import io.k8srdma.model.inventory.VirtualFunction;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * N fake nodes with varied, reproducible RDMA inventories: 1–2 PFs (InfiniBand or RoCE), 16–32 VFs
 * in all, 100–400 Gb/s per PF, about one VF in six already in use with a floor. Each node's
 * inventory is derived from its index alone, so it is generated on demand and never stored.
 *
 * @param size number of nodes
 * @param layout every node's PFs and VFs when set (for large inventories); null for the varied 1–2
 *     PFs of 16–32 VFs above
 */
record SimulatedCluster(int size, Layout layout) {

  SimulatedCluster(int size) {
    this(size, null);
  }

  /**
   * The same PFs on every node.
   *
   * @param pfs PFs per node
   * @param vfsPerPf VFs per PF (at most 128)
   */
  record Layout(int pfs, int vfsPerPf) {}

  private static final long[] CAPACITIES_MBPS = {100_000, 200_000, 400_000};
  private static final long GENERATION_BASE = 1_795_689_739_388L;
  private static final Instant SCANNED_AT = Instant.parse("2026-11-26T10:00:00Z");

  /** The name of node {@code i} (0-based); names sort in index order. */
  String nodeName(int i) {
    String digits = Integer.toString(i);
    return "node-" + "0".repeat(Math.max(0, 5 - digits.length())) + digits;
  }

  /** The index of a node name of this cluster, or -1. */
  int indexOf(String node) {
    if (!node.startsWith("node-")) {
      return -1;
    }
    try {
      int i = Integer.parseInt(node.substring(5));
      return i >= 0 && i < size ? i : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** The agent's weak ETag of node {@code i}; fixed, since no inventory changes during a run. */
  String etag(int i) {
    return "W/\"" + generation(i) + "\"";
  }

  /** Node {@code i}'s inventory, the same on every call. */
  NodeInventory inventory(int i) {
    SplittableRandom rnd = new SplittableRandom(0x5eed_0000L + i);
    List<PhysicalFunction> pfs = new ArrayList<>();
    if (layout != null) {
      for (int p = 0; p < layout.pfs(); p++) {
        pfs.add(pf(rnd, p, layout.vfsPerPf()));
      }
      return new NodeInventory(nodeName(i), generation(i), SCANNED_AT, pfs);
    }
    int pfCount = 1 + rnd.nextInt(2);
    int vfTotal = 16 + rnd.nextInt(17);
    for (int p = 0; p < pfCount; p++) {
      int vfs = p < pfCount - 1 ? vfTotal / pfCount : vfTotal - (pfCount - 1) * (vfTotal / pfCount);
      pfs.add(pf(rnd, p, vfs));
    }
    return new NodeInventory(nodeName(i), generation(i), SCANNED_AT, pfs);
  }

  private static long generation(int i) {
    return GENERATION_BASE + i;
  }

  private static PhysicalFunction pf(SplittableRandom rnd, int p, int vfCount) {
    boolean ib = rnd.nextInt(3) > 0;
    long capacity = CAPACITIES_MBPS[rnd.nextInt(CAPACITIES_MBPS.length)];
    String bus = String.format(Locale.ROOT, "%02x", 0x1a + p * 0x20);
    String name = (ib ? "ibp" : "enp") + Integer.parseInt(bus, 16) + "s0";
    List<VirtualFunction> vfs = new ArrayList<>();
    for (int v = 0; v < vfCount; v++) {
      vfs.add(vf(rnd, name, bus, v, ib));
    }
    return new PhysicalFunction(
        name,
        "0000:" + bus + ":00.0",
        "mlx5_" + p,
        "uverbs" + p,
        "15b3",
        "1021",
        "mlx5_core",
        ib ? LinkLayer.INFINIBAND : LinkLayer.ETHERNET,
        "ACTIVE",
        p % 2,
        capacity,
        64,
        vfCount,
        ib ? "none" : "min+max",
        "legacy",
        vfs);
  }

  private static VirtualFunction vf(
      SplittableRandom rnd, String pf, String bus, int v, boolean ib) {
    boolean inUse = rnd.nextInt(6) == 0;
    int floor = inUse ? 5_000 * rnd.nextInt(5) : 0;
    String pci = String.format(Locale.ROOT, "0000:%s:%02x.%d", bus, 1 + v / 8, v % 8);
    return new VirtualFunction(
        v,
        pci,
        inUse ? null : pf + "v" + v,
        inUse ? null : "mlx5_" + (10 + v),
        inUse ? null : "uverbs" + (10 + v),
        "mlx5_core",
        ib ? null : String.format(Locale.ROOT, "02:00:00:00:%02x:%02x", v, rnd.nextInt(256)),
        ib ? String.format(Locale.ROOT, "0000:0000:%04x:%04x", v, rnd.nextInt(65536)) : null,
        floor,
        0,
        inUse ? VfState.IN_USE : VfState.FREE,
        inUse ? "netdev moved to another network namespace" : null);
  }
}
