package io.k8srdma.model.placement;

import io.k8srdma.model.inventory.NodeInventory;
import io.k8srdma.model.inventory.PhysicalFunction;
import io.k8srdma.model.inventory.VfState;
import io.k8srdma.model.inventory.VirtualFunction;
import io.k8srdma.model.request.InterfaceRequest;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;

/** One PF as placement sees it before the pod: what is free and how much bandwidth is left. */
final class PfState {

  final int index;
  final PhysicalFunction pf;
  final boolean capacityKnown;

  /** Capacity times the oversubscription factor, in Mb/s; 0 when unknown. */
  final long effectiveCapacity;

  /** Committed by the agent's in-use VFs plus the ledger, in Mb/s. */
  final long committed;

  /** {@code effectiveCapacity - committed}; negative when already over-committed. */
  final long available;

  /** Usable VFs (free per the agent and not in the ledger), lowest index first. */
  final List<VirtualFunction> freeVfs;

  /**
   * {@code freeVfs.size()}, {@code pf.numaNode()} and {@code pf.vfs().size()}, kept here since the
   * search reads them at every step and a node's objects are scattered in memory.
   */
  final int freeCount;

  final int numaNode;
  final int vfTotal;

  /** VFs in use per the agent or the ledger, for messages. */
  final int inUse;

  /** VFs the agent reports unavailable, for messages. */
  final int unavailable;

  private PfState(int index, PhysicalFunction pf, Commitments ledger, double oversubscription) {
    this.index = index;
    this.pf = pf;
    this.capacityKnown = pf.capacityMbps() != null;
    this.effectiveCapacity = capacityKnown ? scaled(pf.capacityMbps(), oversubscription) : 0;
    List<VirtualFunction> free = new ArrayList<>(pf.vfs().size());
    long agentCommitted = 0;
    int used = 0;
    int unusable = 0;
    for (VirtualFunction vf : pf.vfs()) {
      boolean inLedger = ledger.isTaken(vf.pciAddress());
      if (vf.state() == VfState.IN_USE && !inLedger) {
        // The ledger's own VFs are counted through ledger.committedMbps: counting the agent's
        // view of them too would charge their floor twice.
        agentCommitted += vf.minTxRateMbps() == null ? 0 : vf.minTxRateMbps();
      }
      if (vf.state() == VfState.FREE && !inLedger) {
        free.add(vf);
      } else if (vf.state() == VfState.UNAVAILABLE) {
        unusable++;
      } else {
        used++;
      }
    }
    // This runs for every PF of every candidate node on every call: agents list VFs by index
    // already, so sort only when they do not, and wrap the private list instead of copying it.
    if (!byIndex(free)) {
      free.sort(Comparator.comparingInt(VirtualFunction::index));
    }
    this.freeVfs = Collections.unmodifiableList(free);
    this.freeCount = free.size();
    this.numaNode = pf.numaNode();
    this.vfTotal = pf.vfs().size();
    this.inUse = used;
    this.unavailable = unusable;
    this.committed = agentCommitted + ledger.committedMbps(pf.pciAddress());
    this.available = effectiveCapacity - committed;
  }

  /**
   * {@code capacity x factor}, rounded down, computed in decimal: in binary floating point 400000 x
   * 1.15 is 459999.99999999994, which would refuse a floor of exactly 460000.
   */
  static long scaled(long capacity, double factor) {
    if (factor == 1.0) {
      return capacity;
    }
    return new BigDecimal(capacity)
        .multiply(BigDecimal.valueOf(factor))
        .setScale(0, RoundingMode.FLOOR)
        .min(BigDecimal.valueOf(Long.MAX_VALUE))
        .longValue();
  }

  private static boolean byIndex(List<VirtualFunction> vfs) {
    for (int i = 1; i < vfs.size(); i++) {
      if (vfs.get(i - 1).index() > vfs.get(i).index()) {
        return false;
      }
    }
    return true;
  }

  static List<PfState> of(NodeInventory inventory, Commitments ledger, PlacementOptions options) {
    List<PfState> list = new ArrayList<>();
    for (PhysicalFunction pf : inventory.pfs()) {
      list.add(new PfState(list.size(), pf, ledger, options.oversubscription()));
    }
    return list;
  }

  /** Link layer, PF pin and NUMA node: the constraints that do not change during the search. */
  boolean matches(InterfaceRequest r) {
    return (r.linkLayer() == null || r.linkLayer() == pf.linkLayer())
        && (r.pf() == null || pf.matches(r.pf()))
        && (r.numaNode() == null || r.numaNode() == numaNode);
  }

  /**
   * Whether {@code floor} Mb/s more fits in {@code left}. A zero floor always fits: it commits
   * nothing, so neither an unknown capacity nor an earlier over-commitment can be made worse by it.
   */
  boolean bandwidthFits(long floor, long left) {
    return floor == 0 || (capacityKnown && left >= floor);
  }

  /** Whether one interface of this floor fits on this PF as it is now. */
  boolean canTake(long floor) {
    return freeCount > 0 && bandwidthFits(floor, available);
  }

  String name() {
    return pf.name();
  }
}
