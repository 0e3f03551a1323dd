package io.k8srdma.model.inventory;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * What a consumer of an agent's inventory relies on beyond its JSON types: every PF and VF has a
 * PCI address, no address appears twice on a node, every VF has a state, and no bandwidth is
 * negative. An inventory that breaks one of these would let placement hand out a VF it cannot name,
 * give one VF to two interfaces, or count a negative floor as free bandwidth.
 */
public final class InventoryCheck {

  private InventoryCheck() {}

  /**
   * The first problem found, naming its field as {@code pfs[1].vfs[3].pciAddress}; empty if none.
   */
  public static Optional<String> firstProblem(NodeInventory inventory) {
    Set<String> addresses = new HashSet<>();
    List<PhysicalFunction> pfs = inventory.pfs();
    for (int p = 0; p < pfs.size(); p++) {
      PhysicalFunction pf = pfs.get(p);
      String at = "pfs[" + p + "]";
      Optional<String> problem =
          address(at, pf.pciAddress(), addresses)
              .or(() -> notNegative(at + ".capacityMbps", pf.capacityMbps()))
              .or(() -> vfProblem(at, pf.vfs(), addresses));
      if (problem.isPresent()) {
        return problem;
      }
    }
    return Optional.empty();
  }

  private static Optional<String> vfProblem(
      String pfAt, List<VirtualFunction> vfs, Set<String> addresses) {
    for (int v = 0; v < vfs.size(); v++) {
      VirtualFunction vf = vfs.get(v);
      String at = pfAt + ".vfs[" + v + "]";
      Optional<String> problem =
          address(at, vf.pciAddress(), addresses)
              .or(
                  () ->
                      vf.state() == null ? Optional.of(at + ".state is missing") : Optional.empty())
              .or(() -> notNegative(at + ".minTxRateMbps", vf.minTxRateMbps()))
              .or(() -> notNegative(at + ".maxTxRateMbps", vf.maxTxRateMbps()));
      if (problem.isPresent()) {
        return problem;
      }
    }
    return Optional.empty();
  }

  private static Optional<String> address(String at, String pci, Set<String> seen) {
    if (pci == null || pci.isBlank()) {
      return Optional.of(at + ".pciAddress is missing");
    }
    if (!seen.add(pci.toLowerCase(Locale.ROOT))) {
      return Optional.of(at + ".pciAddress " + pci + " appears twice on the node");
    }
    return Optional.empty();
  }

  private static Optional<String> notNegative(String at, Number value) {
    return value != null && value.longValue() < 0
        ? Optional.of(at + " is negative (" + value + ")")
        : Optional.empty();
  }
}
