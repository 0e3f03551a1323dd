package io.k8srdma.extender.informer;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.k8srdma.extender.Await;
import io.k8srdma.extender.LateApiServer;
import io.k8srdma.extender.TestPods;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackgroundStartTest {

  @Test
  void anInformerWhoseListFailsKeepsTryingUntilTheApiAnswers() {
    int port = LateApiServer.freePort();
    KubernetesMockServer api = LateApiServer.crud();
    // No request retries inside the client: every failed list reaches the informer's handler.
    try (KubernetesClient client =
        new KubernetesClientBuilder()
            .withConfig(
                new ConfigBuilder()
                    .withMasterUrl("http://127.0.0.1:" + port)
                    .withRequestRetryBackoffLimit(0)
                    .withWatchReconnectInterval(100)
                    .build())
            .build()) {
      SharedIndexInformer<Pod> informer =
          BackgroundStart.start(client.pods().inAnyNamespace().runnableInformer(0), "pod");

      assertThat(informer.hasSynced()).isFalse();
      assertThat(informer.isRunning()).isTrue();

      api.init(InetAddress.getLoopbackAddress(), port);
      try (KubernetesClient admin = api.createClient()) {
        admin
            .pods()
            .inNamespace("ml")
            .resource(TestPods.pod("ml", "p", "uid-p", "Pending").build())
            .create();
      }
      Await.until("listed once the API answers", Duration.ofSeconds(30), informer::hasSynced);
      Await.until(
          "the pod in the store",
          Duration.ofSeconds(10),
          () -> informer.getStore().getByKey("ml/p") != null);
      informer.close();
    } finally {
      api.destroy();
    }
  }

  @Test
  void describesAFailureByItsMessageAndItsRootCause() {
    Exception e =
        new IllegalStateException(
            "Operation: [list] for kind: [Pod] failed.",
            new IOException("wrapped", new ConnectException("Connection refused")));

    assertThat(BackgroundStart.describe(e))
        .isEqualTo(
            "Operation: [list] for kind: [Pod] failed. (java.net.ConnectException: Connection refused)");
    assertThat(BackgroundStart.describe(new IllegalStateException("alone"))).isEqualTo("alone");
  }
}
