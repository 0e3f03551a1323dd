package io.k8srdma.model.placement;

import io.k8srdma.model.assignment.AssignedInterface;

/**
 * One requested interface mapped to a VF.
 *
 * @param name the interface name from the request
 * @param pf the PF's PCI address
 * @param pfName the PF's netdev name, for messages and logs
 * @param vf the VF's PCI address
 * @param vfIndex the VF's number on its PF
 * @param minTxRateMbps the floor to commit, in Mb/s
 * @param maxTxRateMbps the ceiling to enforce, in Mb/s (0 = unlimited)
 */
public record Choice(
    String name,
    String pf,
    String pfName,
    String vf,
    int vfIndex,
    long minTxRateMbps,
    long maxTxRateMbps) {

  /** This choice as it is written into the assignment annotation. */
  public AssignedInterface toAssigned() {
    return new AssignedInterface(name, pf, vf, minTxRateMbps, maxTxRateMbps);
  }
}
