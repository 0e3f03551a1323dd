package io.k8srdma.model.inventory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One node's RDMA inventory as served by the agent at {@code GET /vfs}.
 *
 * @param node the Kubernetes node name
 * @param generation rises on every change of the inventory, so pollers can skip unchanged nodes
 * @param scannedAt when the host was last scanned (also when nothing changed)
 * @param pfs the RDMA-capable physical functions, ordered by PCI address
 */
public record NodeInventory(
    String node, long generation, Instant scannedAt, List<PhysicalFunction> pfs) {

  public NodeInventory {
    Objects.requireNonNull(node, "node");
    pfs = List.copyOf(pfs);
  }

  /**
   * The same inventory in which only the VFs in {@code vfs} may be handed out: every other VF the
   * agent reports {@code FREE} is {@code UNAVAILABLE} here. VFs in use keep their state, so their
   * floors still count against their PF.
   *
   * @param vfs PCI addresses, in any case
   */
  public NodeInventory withFreeOnly(Set<String> vfs) {
    Set<String> allowed = new HashSet<>();
    vfs.forEach(v -> allowed.add(PciAddress.normalize(v)));
    List<PhysicalFunction> restricted = new ArrayList<>(pfs.size());
    for (PhysicalFunction pf : pfs) {
      List<VirtualFunction> list = new ArrayList<>(pf.vfs().size());
      for (VirtualFunction vf : pf.vfs()) {
        boolean withheld =
            vf.state() == VfState.FREE
                && (vf.pciAddress() == null
                    || !allowed.contains(PciAddress.normalize(vf.pciAddress())));
        list.add(withheld ? vf.withState(VfState.UNAVAILABLE, "not among the VFs asked for") : vf);
      }
      restricted.add(pf.withVfs(list));
    }
    return new NodeInventory(node, generation, scannedAt, restricted);
  }

  /** The same inventory with a new generation and scan time. */
  public NodeInventory withGeneration(long newGeneration, Instant newScannedAt) {
    return new NodeInventory(node, newGeneration, newScannedAt, pfs);
  }
}
