package io.k8srdma.agent.discovery;

import io.k8srdma.model.inventory.VfState;
import java.util.Set;

/**
 * Decides a VF's state from what the host shows, per the evidence table of {@code sysfs-facts.md}
 * section 4. The first rule that applies wins; the order puts "held by a pod per sriov-cni" before
 * "cannot be used at all" before "used by a pod" (as sysfs shows it) before "usable later".
 *
 * @param driver the bound driver, null when unbound
 * @param netDirPresent whether {@code <vf>/net/} exists
 * @param netdev the netdev listed in {@code <vf>/net/}, null when none
 * @param infinibandDirEmpty whether {@code <vf>/infiniband/} exists but lists nothing (exclusive
 *     RDMA netns mode moved it)
 * @param cniNetns the netns path of a live sriov-cni allocation record, null when none
 * @param pfPortState the PF's port state ({@code ACTIVE}, {@code DOWN}, ...), null when unknown
 * @param unreadable what of the VF could not be read, null when everything could
 */
public record VfEvidence(
    String driver,
    boolean netDirPresent,
    String netdev,
    boolean infinibandDirEmpty,
    String cniNetns,
    String pfPortState,
    String unreadable) {

  /** Drivers that take the VF to user space (DPDK, VMs): no kernel netdev to hand to a pod. */
  static final Set<String> USERSPACE_DRIVERS = Set.of("vfio-pci", "uio_pci_generic", "igb_uio");

  /** The state and, unless free, the reason for a human. */
  public Verdict verdict() {
    if (cniNetns != null) {
      // Whatever the driver: a DPDK pod's VF is bound to vfio-pci, and its floor is real traffic.
      return new Verdict(VfState.IN_USE, "allocated by sriov-cni to netns " + cniNetns);
    }
    if (driver == null) {
      return new Verdict(VfState.UNAVAILABLE, "no driver bound");
    }
    if (USERSPACE_DRIVERS.contains(driver)) {
      return new Verdict(VfState.UNAVAILABLE, "bound to " + driver + " (userspace/DPDK)");
    }
    if (unreadable != null) {
      // The rules below would read an unreadable net/ as an empty one, i.e. a moved netdev.
      return new Verdict(VfState.UNAVAILABLE, unreadable);
    }
    if (netDirPresent && netdev == null && infinibandDirEmpty) {
      return new Verdict(
          VfState.IN_USE,
          "netdev and RDMA device moved to another network namespace (exclusive RDMA mode)");
    }
    if (netDirPresent && netdev == null) {
      return new Verdict(VfState.IN_USE, "netdev moved to another network namespace");
    }
    if (infinibandDirEmpty) {
      return new Verdict(VfState.IN_USE, "RDMA device moved to another network namespace");
    }
    if (!"ACTIVE".equals(pfPortState)) {
      // ACTIVE_DEFER is not ACTIVE, and neither is a state that could not be read: the PF then
      // reports no capacity either.
      return new Verdict(
          VfState.UNAVAILABLE,
          pfPortState == null ? "PF port state is unknown" : "PF port is " + pfPortState);
    }
    if (netdev == null) {
      return new Verdict(VfState.UNAVAILABLE, "driver " + driver + " created no netdev");
    }
    return new Verdict(VfState.FREE, null);
  }

  /** A state with its reason (null when free). */
  public record Verdict(VfState state, String reason) {}
}
