package io.k8srdma.agent.netlink;

/**
 * The configuration of one SR-IOV VF as reported by its PF driver in an {@code IFLA_VF_INFO} nest.
 *
 * <p>Every field except {@code vf} is {@code null} when the kernel did not report it: the attribute
 * was absent, or (for spoof check and trust) the driver left the kernel's preset {@code 0xffffffff}
 * in place.
 *
 * @param vf VF index on the PF (the {@code vf} field of the VF attributes)
 * @param mac administrative MAC as lowercase colon hex (20 bytes on IPoIB PFs, otherwise 6), or
 *     {@code null} when all-zero or absent
 * @param minTxRateMbps guaranteed TX rate in Mbps, 0 meaning none; {@code null} when only the
 *     legacy {@code IFLA_VF_TX_RATE} was reported
 * @param maxTxRateMbps TX rate limit in Mbps, 0 meaning unlimited
 * @param nodeGuid IB node GUID formatted like sysfs ({@code xxxx:xxxx:xxxx:xxxx}), or {@code null}
 *     when absent or zero
 * @param portGuid IB port GUID formatted like sysfs, or {@code null} when absent or zero
 * @param vlan VLAN id, 0 meaning untagged
 * @param qos VLAN priority (802.1p)
 * @param linkState {@code "auto"}, {@code "enable"} or {@code "disable"}
 * @param spoofCheck whether MAC spoof checking is on
 * @param trust whether the VF is trusted (may set promiscuous mode and change its MAC)
 */
public record VfLinkInfo(
    int vf,
    String mac,
    Integer minTxRateMbps,
    Integer maxTxRateMbps,
    String nodeGuid,
    String portGuid,
    Integer vlan,
    Integer qos,
    String linkState,
    Boolean spoofCheck,
    Boolean trust) {}
