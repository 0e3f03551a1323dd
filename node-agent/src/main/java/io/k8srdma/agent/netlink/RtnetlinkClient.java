package io.k8srdma.agent.netlink;

import java.util.Map;

/** Placeholder until the netlink branch lands. */
public class RtnetlinkClient implements VfLinkInfoSource {
  @Override
  public Map<Integer, VfLinkInfo> vfInfo(String pfNetdev) {
    return Map.of();
  }
}
