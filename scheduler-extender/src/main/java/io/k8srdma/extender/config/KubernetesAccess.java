package io.k8srdma.extender.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.k8srdma.model.PodEssentials;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The Kubernetes API client, when there is a cluster to talk to. Found the standard fabric8 way
 * (in-cluster service account, {@code KUBECONFIG}, {@code ~/.kube/config}) or from {@code
 * k8s-rdma.extender.kubernetes.master-url}. The client runs on a Vert.x instance of its own with
 * one event loop ({@link SingleLoopVertx}), closed with it, and decodes every pod straight to its
 * essentials ({@link PodEssentials#module()}): the extender reads no other field of a pod and never
 * writes one back whole (bind patches).
 */
public final class KubernetesAccess implements AutoCloseable {

  private final KubernetesClient client;
  private final Vertx vertx;

  private KubernetesAccess(KubernetesClient client, Vertx vertx) {
    this.client = client;
    this.vertx = vertx;
  }

  /** Connects as {@code settings} say; {@code env} is the process environment. */
  public static KubernetesAccess from(
      ExtenderProperties.Kubernetes settings, Map<String, String> env) {
    boolean wanted =
        switch (settings.enabled()) {
          case "true" -> true;
          case "false" -> false;
          default -> settings.masterUrl() != null || clusterDiscoverable(env);
        };
    if (!wanted) {
      return new KubernetesAccess(null, null);
    }
    Config config = Config.autoConfigure(null);
    if (settings.masterUrl() != null) {
      // Another address: the credentials and CA of the service account or kubeconfig still
      // apply, and certificates are still verified, but the proxy of the kubeconfig's cluster
      // belongs to that cluster's address, not this one.
      // Set on the built config: a builder fills fields left null from the kubeconfig again.
      config.setMasterUrl(settings.masterUrl().toString());
      config.setHttpProxy(null);
      config.setHttpsProxy(null);
    }
    Vertx vertx = SingleLoopVertx.create();
    KubernetesClient client =
        new KubernetesClientBuilder()
            .withConfig(config)
            .withHttpClientFactory(SingleLoopVertx.clientsOn(vertx))
            .withKubernetesSerialization(serialization())
            .build();
    return new KubernetesAccess(client, vertx);
  }

  /** fabric8's serialization, with every pod decoded to its essentials, in watch events too. */
  static KubernetesSerialization serialization() {
    return new KubernetesSerialization(
        new ObjectMapper().registerModule(PodEssentials.module()), true);
  }

  private static boolean clusterDiscoverable(Map<String, String> env) {
    if (env.containsKey("KUBERNETES_SERVICE_HOST") || env.containsKey("KUBECONFIG")) {
      return true;
    }
    String home = System.getProperty("user.home");
    return home != null && Files.isRegularFile(Path.of(home, ".kube", "config"));
  }

  /** The client; empty when no cluster is configured. */
  public Optional<KubernetesClient> client() {
    return Optional.ofNullable(client);
  }

  @Override
  public void close() {
    if (client != null) {
      client.close();
      vertx.close();
    }
  }
}
