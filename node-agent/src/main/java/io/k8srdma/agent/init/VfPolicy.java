package io.k8srdma.agent.init;

import io.k8srdma.model.inventory.LinkLayer;
import io.k8srdma.model.inventory.PhysicalFunction;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One entry of {@code k8s-rdma.agent.init.policies}: which PFs (every given selector field must
 * match) get how many VFs.
 *
 * <p>Fields are bound as text and checked by {@link InitProperties}, which knows the entry's index
 * and can therefore name the offending key in its message.
 *
 * @param name the PF's uplink netdev name, e.g. {@code ibp26s0}
 * @param pciAddress the PF's PCI address, e.g. {@code 0000:1a:00.0} (case-insensitive)
 * @param vendorId PCI vendor id, hex with or without {@code 0x}, e.g. {@code 15b3}
 * @param deviceId PCI device id, hex with or without {@code 0x}, e.g. {@code 1021}
 * @param linkLayer {@code InfiniBand} or {@code Ethernet} (port 1 of the PF's RDMA device)
 * @param numVfs a non-negative integer, or {@code max} for {@code sriov_totalvfs}
 */
public record VfPolicy(
    String name,
    String pciAddress,
    String vendorId,
    String deviceId,
    String linkLayer,
    String numVfs) {

  /** True when at least one selector field is given. */
  public boolean hasSelector() {
    return given(name)
        || given(pciAddress)
        || given(vendorId)
        || given(deviceId)
        || given(linkLayer);
  }

  /** The requested count; only valid once {@link #problems()} is empty. */
  public VfCount vfCount() {
    return VfCount.parse(numVfs);
  }

  /**
   * What is wrong with this entry, each as {@code <kebab-case key>: <reason>}, relative to the
   * entry; empty when it is usable.
   */
  List<String> problems() {
    List<String> problems = new ArrayList<>();
    if (!hasSelector()) {
      problems.add(
          "name|pci-address|vendor-id|device-id|link-layer: "
              + "no selector given; a policy must select PFs by at least one field");
    }
    if (!given(numVfs)) {
      problems.add("num-vfs: is required (a non-negative integer or 'max')");
    } else {
      try {
        VfCount.parse(numVfs);
      } catch (IllegalArgumentException e) {
        problems.add("num-vfs: " + e.getMessage());
      }
    }
    if (given(linkLayer) && selectedLinkLayer().isEmpty()) {
      problems.add("link-layer: must be InfiniBand or Ethernet, got '" + linkLayer + "'");
    }
    return problems;
  }

  /** True when every given selector field matches {@code pf}. */
  public boolean matches(PhysicalFunction pf) {
    return (!given(name) || name.strip().equals(pf.name()))
        && (!given(pciAddress) || pciAddress.strip().equalsIgnoreCase(pf.pciAddress()))
        && (!given(vendorId) || hexId(vendorId).equals(pf.vendorId()))
        && (!given(deviceId) || hexId(deviceId).equals(pf.deviceId()))
        && (!given(linkLayer) || selectedLinkLayer().filter(l -> l == pf.linkLayer()).isPresent());
  }

  /** A short description of the selector for log lines, e.g. {@code name=ibp26s0}. */
  public String describeSelector() {
    List<String> parts = new ArrayList<>();
    addIfGiven(parts, "name", name);
    addIfGiven(parts, "pci-address", pciAddress);
    addIfGiven(parts, "vendor-id", vendorId);
    addIfGiven(parts, "device-id", deviceId);
    addIfGiven(parts, "link-layer", linkLayer);
    return String.join(",", parts);
  }

  private Optional<LinkLayer> selectedLinkLayer() {
    // Unknown is what the scanner reports when it cannot tell, never something to ask for.
    return LinkLayer.parse(linkLayer).filter(l -> l != LinkLayer.UNKNOWN);
  }

  /** The scanner reports ids as lower-case hex without {@code 0x}; accept either spelling here. */
  private static String hexId(String id) {
    String t = id.strip().toLowerCase(Locale.ROOT);
    return t.startsWith("0x") ? t.substring(2) : t;
  }

  private static void addIfGiven(List<String> parts, String key, String value) {
    if (given(value)) {
      parts.add(key + "=" + value.strip());
    }
  }

  private static boolean given(String value) {
    return value != null && !value.isBlank();
  }
}
