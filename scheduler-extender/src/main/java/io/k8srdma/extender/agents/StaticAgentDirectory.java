package io.k8srdma.extender.agents;

import java.net.URI;
import java.util.Map;

/** Agents from {@code k8s-rdma.extender.static-agents}: for clusters without API access. */
public final class StaticAgentDirectory implements AgentDirectory {

  private final Map<String, URI> agents;

  public StaticAgentDirectory(Map<String, URI> agents) {
    this.agents = Map.copyOf(agents);
  }

  @Override
  public Map<String, URI> agents() {
    return agents;
  }
}
