package io.k8srdma.extender;

import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;

/** Pods and API answers the extender's tests against fabric8's mock API server share. */
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

  /**
   * Makes the mock answer the pod's Binding POST as the API server does. The CRUD mock does not
   * implement the {@code pods/binding} subresource (it would take the POST for a second pod of that
   * name); tests then check the request the extender sent from the server's request log.
   */
  public static void answerBinding(KubernetesMockServer server, String namespace, String name) {
    server
        .expect()
        .post()
        .withPath("/api/v1/namespaces/" + namespace + "/pods/" + name + "/binding")
        .andReturn(201, "{\"kind\":\"Status\",\"status\":\"Success\"}")
        .always();
  }
}
