package io.k8srdma.extender;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.k8srdma.model.Annotations;

/** Pods the extender's tests against fabric8's mock API server share. */
public final class TestPods {

  private TestPods() {}

  /** A pod with one busybox container, in {@code phase}; add annotations or a spec on top. */
  public static PodBuilder pod(String namespace, String name, String uid, String phase) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(namespace)
        .withUid(uid)
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("main")
        .withImage("busybox")
        .endContainer()
        .endSpec()
        .withNewStatus()
        .withPhase(phase)
        .endStatus();
  }

  /** A pending pod that asks for one interface of 1 Gb/s (uid {@code uid-<name>}). */
  public static Pod pendingRdmaPod(String namespace, String name) {
    return pod(namespace, name, "uid-" + name, "Pending")
        .editMetadata()
        .addToAnnotations(Annotations.INTERFACES, "[{\"name\":\"net1\",\"minTxRateMbps\":1000}]")
        .endMetadata()
        .build();
  }
}
