package io.k8srdma.agent.netlink;

/** Per-VF settings the PF reports over rtnetlink (placeholder until the netlink branch lands). */
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
