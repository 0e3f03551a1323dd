package io.k8srdma.extender;

import io.fabric8.kubernetes.api.model.NodeBuilder;

/** Nodes the extender's tests against fabric8's mock API server share. */
public final class TestNodes {

  private TestNodes() {}

  /**
   * Node {@code name} whose InternalIP is 127.0.0.1, where the tests' agents listen; add labels on
   * top.
   */
  public static NodeBuilder onLoopback(String name) {
    return new NodeBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .withNewStatus()
        .addNewAddress()
        .withType("InternalIP")
        .withAddress("127.0.0.1")
        .endAddress()
        .endStatus();
  }
}
