package io.k8srdma.model.inventory;

import io.k8srdma.model.json.JsonFields;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What a consumer of an agent's inventory relies on beyond its JSON types: every PF and every
 * {@code FREE} VF has a PCI address (one an assignment can carry), no address appears twice on a
 * node, every VF has a state, and no bandwidth is negative or absurd. An inventory that breaks one
 * of these would let placement hand out a VF it cannot name, give one VF to two interfaces, or
 * count a negative floor (or an overflowing sum) as free bandwidth.
 *
 * <p>The extender checks every inventory that changed, so a good one costs one set of its addresses
 * and nothing else: the field's name is only put together for a problem.
 */
public final class InventoryCheck {

  /**
   * The largest PF capacity taken: far above any port (800 Gb/s today), and low enough that sums
   * over a node's PFs, times any oversubscription factor, stay within a {@code long}.
   */
  public static final long MAX_CAPACITY_MBPS = 1_000_000_000L;

  private InventoryCheck() {}

  /**
   * The first problem found, naming its field as {@code pfs[1].vfs[3].pciAddress}; empty if none.
   */
  public static Optional<String> firstProblem(NodeInventory inventory) {
    Set<String> addresses = new HashSet<>();
    List<PhysicalFunction> pfs = inventory.pfs();
    for (int p = 0; p < pfs.size(); p++) {
      PhysicalFunction pf = pfs.get(p);
      String problem = addressProblem(pf.pciAddress(), addresses);
      if (problem == null && negative(pf.capacityMbps())) {
        problem = ".capacityMbps is negative (" + pf.capacityMbps() + ")";
      }
      if (problem == null && pf.capacityMbps() != null && pf.capacityMbps() > MAX_CAPACITY_MBPS) {
        problem =
            ".capacityMbps "
                + pf.capacityMbps()
                + " is above "
                + MAX_CAPACITY_MBPS
                + " (1 Pb/s): no port is that fast";
      }
      if (problem != null) {
        return Optional.of("pfs[" + p + "]" + problem);
      }
      List<VirtualFunction> vfs = pf.vfs();
      for (int v = 0; v < vfs.size(); v++) {
        problem = vfProblem(vfs.get(v), addresses);
        if (problem != null) {
          return Optional.of("pfs[" + p + "].vfs[" + v + "]" + problem);
        }
      }
    }
    return Optional.empty();
  }

  /**
   * What is wrong with one VF, from its field's name on; null when nothing. A VF that is not {@code
   * FREE} may lack its address: the agent reports null when the {@code virtfnN} link dangles (a VF
   * being removed), and placement never hands out such a VF.
   */
  private static String vfProblem(VirtualFunction vf, Set<String> addresses) {
    if (vf.state() == null) {
      return ".state is missing";
    }
    boolean unnamed = vf.pciAddress() == null || vf.pciAddress().isBlank();
    String problem =
        unnamed && vf.state() != VfState.FREE ? null : addressProblem(vf.pciAddress(), addresses);
    if (problem != null) {
      return problem;
    }
    if (negative(vf.minTxRateMbps())) {
      return ".minTxRateMbps is negative (" + vf.minTxRateMbps() + ")";
    }
    if (negative(vf.maxTxRateMbps())) {
      return ".maxTxRateMbps is negative (" + vf.maxTxRateMbps() + ")";
    }
    return null;
  }

  private static String addressProblem(String pci, Set<String> seen) {
    if (pci == null || pci.isBlank()) {
      return ".pciAddress is missing";
    }
    if (!PciAddress.isValid(pci)) {
      // Bind writes the address into the pod's annotation, which the ledger must read back.
      return ".pciAddress " + JsonFields.quote(pci) + " is not a PCI address like 0000:1a:00.1";
    }
    if (!seen.add(PciAddress.normalize(pci))) {
      return ".pciAddress " + pci + " appears twice on the node";
    }
    return null;
  }

  private static boolean negative(Number value) {
    return value != null && value.longValue() < 0;
  }
}
