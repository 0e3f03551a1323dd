package io.k8srdma.extender.agents;

import java.net.URI;
import java.util.Map;

/** Where each node's agent listens: node name to base URL (the poller appends {@code /vfs}). */
public interface AgentDirectory {

  /** A snapshot of the known agents. */
  Map<String, URI> agents();

  /**
   * Whether {@link #agents()} is complete: false while the directory is still learning the nodes
   * (its informer has not listed them yet).
   */
  default boolean synced() {
    return true;
  }
}
