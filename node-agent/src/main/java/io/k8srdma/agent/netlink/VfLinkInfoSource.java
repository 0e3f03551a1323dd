package io.k8srdma.agent.netlink;

import java.util.Map;

/**
 * Source of per-VF configuration for a PF netdev.
 *
 * <p>Implementations never throw: VF details are optional enrichment of the inventory, so a PF that
 * lives in another network namespace, a host without rtnetlink, or a driver without {@code
 * ndo_get_vf_config} all yield an empty map rather than failing discovery.
 */
@FunctionalInterface
public interface VfLinkInfoSource {

  /**
   * Returns the VF configuration of {@code pfNetdev}, keyed by VF index.
   *
   * @param pfNetdev PF netdev name in the agent's network namespace, e.g. {@code ens1f0np0}
   * @return VF index to info; empty when the netdev does not exist here, netlink is unavailable, or
   *     the driver reports no VF list
   */
  Map<Integer, VfLinkInfo> vfInfo(String pfNetdev);

  /** A source that knows nothing, for platforms or tests where rtnetlink must not be used. */
  static VfLinkInfoSource none() {
    return pfNetdev -> Map.of();
  }
}
