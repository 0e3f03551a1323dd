/**
 * Reads per-VF configuration (MAC, rates, VLAN, GUIDs, link state, spoof check, trust) from the
 * kernel over rtnetlink ({@code RTM_GETLINK} with {@code RTEXT_FILTER_VF}), the same data {@code ip
 * link show} prints as {@code vf N ...} lines. Sysfs does not expose these settings on upstream
 * kernels, so this is the only source that works without MLNX_OFED.
 */
package io.k8srdma.agent.netlink;
