package io.k8srdma.model.assignment;

import io.k8srdma.model.inventory.PciAddress;
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

  /**
   * Requires the identifying fields and keeps addresses in lower case, so that an assignment equals
   * its decoded annotation whatever case the agent reported; rates are checked by the codec.
   */
  public AssignedInterface {
    Objects.requireNonNull(name, "name");
    pf = PciAddress.normalize(Objects.requireNonNull(pf, "pf"));
    vf = PciAddress.normalize(Objects.requireNonNull(vf, "vf"));
  }
}
