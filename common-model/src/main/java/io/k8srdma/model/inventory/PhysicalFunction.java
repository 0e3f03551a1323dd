package io.k8srdma.model.inventory;

import java.util.List;

/**
 * An RDMA-capable PCI physical function (one NIC port) and its SR-IOV virtual functions.
 *
 * @param name the PF's uplink netdev name (e.g. {@code ibp26s0}); the PCI address when it has none
 * @param pciAddress the PCI address (BDF with domain, e.g. {@code 0000:1a:00.0})
 * @param rdmaDevice the RDMA device under the PCI function (e.g. {@code mlx5_0}), or null
 * @param uverbsDevice the verbs character device of {@code rdmaDevice}, or null
 * @param vendorId PCI vendor id, 4 hex digits without {@code 0x}
 * @param deviceId PCI device id, 4 hex digits without {@code 0x}
 * @param driver the bound kernel driver, or null when unbound
 * @param linkLayer link layer of port 1 of the RDMA device
 * @param portState port state of port 1 ({@code ACTIVE}, {@code DOWN}, ...), or null
 * @param numaNode NUMA node of the PCI function; -1 when the platform does not say
 * @param capacityMbps port bandwidth in Mb/s, or null when unknown (e.g. port down without rate)
 * @param totalVfs {@code sriov_totalvfs}; 0 when the PF has no SR-IOV capability
 * @param numVfs {@code sriov_numvfs}: enabled VFs
 * @param vfRateLimit what VF rate limits mean on this PF: {@code min+max}, {@code max} or {@code
 *     none}
 * @param eswitchMode {@code legacy} or {@code switchdev}
 * @param vfs the enabled VFs, by index
 */
public record PhysicalFunction(
    String name,
    String pciAddress,
    String rdmaDevice,
    String uverbsDevice,
    String vendorId,
    String deviceId,
    String driver,
    LinkLayer linkLayer,
    String portState,
    int numaNode,
    Long capacityMbps,
    int totalVfs,
    int numVfs,
    String vfRateLimit,
    String eswitchMode,
    List<VirtualFunction> vfs) {

  public PhysicalFunction {
    vfs = List.copyOf(vfs);
  }

  /** The same PF with other VFs. */
  public PhysicalFunction withVfs(List<VirtualFunction> newVfs) {
    return new PhysicalFunction(
        name,
        pciAddress,
        rdmaDevice,
        uverbsDevice,
        vendorId,
        deviceId,
        driver,
        linkLayer,
        portState,
        numaNode,
        capacityMbps,
        totalVfs,
        numVfs,
        vfRateLimit,
        eswitchMode,
        newVfs);
  }

  /** True when {@code nameOrPci} is this PF's netdev name or PCI address. */
  public boolean matches(String nameOrPci) {
    return nameOrPci.equals(name) || nameOrPci.equalsIgnoreCase(pciAddress);
  }
}
