package io.k8srdma.extender.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.k8srdma.model.PodEssentials;
import io.k8srdma.model.request.PodRequestCodec;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The extender's Kubernetes client, against fabric8's mock API server in CRUD mode. */
@EnableKubernetesMockClient(crud = true, https = false)
class KubernetesAccessTest {

  KubernetesMockServer server;
  KubernetesClient plain;

  @Test
  void readsEveryPodAsItsEssentialsWhetherGotListedOrWatched() throws Exception {
    try (KubernetesAccess access = connect()) {
      KubernetesClient client = access.client().orElseThrow();
      List<Pod> watched = new CopyOnWriteArrayList<>();
      try (var watch = client.pods().inNamespace("ml").watch(collect(watched))) {
        Pod whole = plain.pods().inNamespace("ml").resource(trainingWorker()).create();

        Pod got = client.pods().inNamespace("ml").withName("worker-0").get();
        Pod listed = client.pods().inNamespace("ml").list().getItems().get(0);
        await().atMost(Duration.ofSeconds(10)).until(() -> !watched.isEmpty());

        Pod essentials =
            PodEssentials.trim(plain.pods().inNamespace("ml").withName("worker-0").get());
        assertThat(List.of(got, listed, watched.get(0)))
            .allSatisfy(
                p -> {
                  assertThat(p).isEqualTo(essentials);
                  assertThat(p.getMetadata().getLabels()).isEmpty();
                  assertThat(p.getSpec().getContainers().get(0).getImage()).isNull();
                  assertThat(PodRequestCodec.vfResourceCount(p)).isEqualTo(2);
                });
        assertThat(whole.getMetadata().getLabels()).containsEntry("job-name", "pretrain");
      }
    }
  }

  @Test
  void withoutACluster_thereIsNoClient() {
    try (KubernetesAccess access =
        KubernetesAccess.from(new ExtenderProperties.Kubernetes("false", null), Map.of())) {
      assertThat(access.client()).isEmpty();
    }
  }

  @Test
  void aMasterUrlChangesOnlyTheAddressNotTheCredentialsOrTheTlsChecks(@TempDir Path home)
      throws Exception {
    Path kubeconfig = home.resolve("config");
    Files.writeString(
        kubeconfig,
        """
        apiVersion: v1
        kind: Config
        clusters:
        - name: c
          cluster:
            server: "https://elsewhere.example:6443"
            proxy-url: "http://proxy.elsewhere.example:3128"
        users:
        - name: u
          user: {token: kubeconfig-token}
        contexts:
        - name: x
          context: {cluster: c, user: u}
        current-context: x
        """);
    String before = System.getProperty(Config.KUBERNETES_KUBECONFIG_FILE);
    System.setProperty(Config.KUBERNETES_KUBECONFIG_FILE, kubeconfig.toString());
    try (KubernetesAccess access =
        KubernetesAccess.from(
            new ExtenderProperties.Kubernetes("true", URI.create("https://api.example:6443")),
            Map.of())) {
      Config config = access.client().orElseThrow().getConfiguration();
      assertThat(config.getMasterUrl()).startsWith("https://api.example:6443");
      assertThat(config.getAutoOAuthToken()).isEqualTo("kubeconfig-token");
      assertThat(config.isTrustCerts()).isFalse();
      // The kubeconfig cluster's proxy belongs to its own address.
      assertThat(config.getHttpsProxy()).isNull();
      assertThat(config.getHttpProxy()).isNull();
    } finally {
      if (before == null) {
        System.clearProperty(Config.KUBERNETES_KUBECONFIG_FILE);
      } else {
        System.setProperty(Config.KUBERNETES_KUBECONFIG_FILE, before);
      }
    }
  }

  private KubernetesAccess connect() {
    URI master = URI.create(plain.getMasterUrl().toString());
    return KubernetesAccess.from(new ExtenderProperties.Kubernetes("true", master), Map.of());
  }

  private static Pod trainingWorker() {
    return new PodBuilder()
        .withNewMetadata()
        .withName("worker-0")
        .withNamespace("ml")
        .addToLabels("job-name", "pretrain")
        .addToAnnotations("k8s-rdma.io/interfaces", "[{\"name\":\"net1\"},{\"name\":\"net2\"}]")
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("trainer")
        .withImage("registry.example.com/llm:1")
        .withCommand("torchrun", "train.py")
        .withNewResources()
        .addToRequests("cpu", new Quantity("96"))
        .addToLimits(PodRequestCodec.VF_RESOURCE, new Quantity("2"))
        .endResources()
        .endContainer()
        .endSpec()
        .build();
  }

  private static Watcher<Pod> collect(List<Pod> into) {
    return new Watcher<>() {
      @Override
      public void eventReceived(Action action, Pod pod) {
        into.add(pod);
      }

      @Override
      public void onClose(WatcherException cause) {}
    };
  }
}
