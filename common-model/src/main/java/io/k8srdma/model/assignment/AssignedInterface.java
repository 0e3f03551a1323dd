package io.k8srdma.model.assignment;

import java.util.Objects;

/**
 * One VF given to a pod.
 *
 * @param name the interface name inside the pod
 * @param pf the PF's PCI address
 * @param vf the VF's PCI address
 * @param minTxRateMbps the committed floor in Mb/s (0 = none)
 * @param maxTxRateMbps the ceiling in Mb/s to enforce on the VF (0 = unlimited)
 */
public record AssignedInterface(
    String name, String pf, String vf, long minTxRateMbps, long maxTxRateMbps) {

  /** Requires the identifying fields; rates are checked by the codec when decoding. */
  public AssignedInterface {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(pf, "pf");
    Objects.requireNonNull(vf, "vf");
  }
}
