package io.k8srdma.agent.netlink;

import java.util.Map;

/** Reads per-VF settings of a PF netdev; empty when unavailable. */
public interface VfLinkInfoSource {

  Map<Integer, VfLinkInfo> vfInfo(String pfNetdev);

  static VfLinkInfoSource none() {
    return pf -> Map.of();
  }
}
