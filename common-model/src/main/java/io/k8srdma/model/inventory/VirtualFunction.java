package io.k8srdma.model.inventory;

/**
 * One SR-IOV virtual function of a PF.
 *
 * @param index the VF number N ({@code virtfnN} on the PF)
 * @param pciAddress the VF's PCI address
 * @param netdev the VF netdev in the host network namespace, or null when moved or absent
 * @param rdmaDevice the VF's RDMA device on the host, or null when moved or absent
 * @param uverbsDevice the verbs character device of {@code rdmaDevice} (e.g. {@code uverbs9}, under
 *     {@code /dev/infiniband}), or null
 * @param driver the bound kernel driver, or null when unbound
 * @param mac the VF MAC as the PF reports it over rtnetlink, or null when unknown
 * @param nodeGuid the VF's IB node GUID over rtnetlink, or null when unknown or not InfiniBand
 * @param minTxRateMbps the VF's guaranteed rate in Mb/s (0 = none), or null when unknown
 * @param maxTxRateMbps the VF's rate ceiling in Mb/s (0 = unlimited), or null when unknown
 * @param state whether a pod can be given this VF
 * @param reason why the VF is not {@link VfState#FREE}, for humans; null when free
 */
public record VirtualFunction(
    int index,
    String pciAddress,
    String netdev,
    String rdmaDevice,
    String uverbsDevice,
    String driver,
    String mac,
    String nodeGuid,
    Integer minTxRateMbps,
    Integer maxTxRateMbps,
    VfState state,
    String reason) {

  /** The same VF in another state, for the reason given. */
  public VirtualFunction withState(VfState newState, String newReason) {
    return new VirtualFunction(
        index,
        pciAddress,
        netdev,
        rdmaDevice,
        uverbsDevice,
        driver,
        mac,
        nodeGuid,
        minTxRateMbps,
        maxTxRateMbps,
        newState,
        newReason);
  }
}
