package io.k8srdma.helm;

import static io.k8srdma.charttest.HelmChart.Node.at;
import static io.k8srdma.charttest.HelmChart.Node.env;
import static io.k8srdma.charttest.HelmChart.Node.list;
import static io.k8srdma.charttest.HelmChart.Node.map;
import static io.k8srdma.charttest.HelmChart.Node.named;
import static io.k8srdma.charttest.HelmChart.Node.strings;
import static org.assertj.core.api.Assertions.assertThat;

import io.k8srdma.charttest.HelmChart;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class SchedulerWiringTest {

  private static final String SCHEDULER = "k8s-rdma-scheduler";
  private static final Path EXTENDER_SOURCES =
      HelmChart.chartDir().getParent().getParent().resolve("scheduler-extender/src/main");

  /** The KubeSchedulerConfiguration in the second scheduler's ConfigMap. */
  private static Map<String, Object> schedulerConfig(HelmChart.Manifests manifests) {
    return schedulerConfig(manifests, SCHEDULER);
  }

  private static Map<String, Object> schedulerConfig(
      HelmChart.Manifests manifests, String scheduler) {
    String yaml =
        (String)
            map(manifests.get("ConfigMap", scheduler + "-config"), "data")
                .get("scheduler-config.yaml");
    return HelmChart.Manifests.parse(yaml).documents().get(0);
  }

  private static Map<String, Object> extenderEntry(Map<String, Object> config) {
    List<Map<String, Object>> extenders = list(config, "extenders");
    assertThat(extenders).hasSize(1);
    return extenders.get(0);
  }

  /**
   * The extender's built-in path of a verb: the {@code @DefaultValue} of the verb's component in
   * {@code ExtenderProperties.Verbs}, unless application.yaml sets the key.
   */
  private static String extenderDefaultPath(String verb) {
    Pattern component =
        Pattern.compile(
            "@DefaultValue\\(\"(/[^\"]*)\"\\)\\s+@NotNull\\s+String\\s+" + verb + "\\b");
    Path properties =
        EXTENDER_SOURCES.resolve("java/io/k8srdma/extender/config/ExtenderProperties.java");
    try {
      Optional<String> path = firstMatch(component, properties);
      assertThat(path).as("default path of verb %s in %s", verb, properties).isPresent();
      String applicationYaml =
          Files.readString(EXTENDER_SOURCES.resolve("resources/application.yaml"));
      assertThat(applicationYaml).as("application.yaml overrides verbs").doesNotContain("verbs");
      return path.get();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Optional<String> firstMatch(Pattern pattern, Path file) {
    try {
      Matcher m = pattern.matcher(Files.readString(file));
      return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void secondSchedulerIsTheDefaultMode() {
    HelmChart.Manifests manifests = HelmChart.render();
    Map<String, Object> container =
        named(
            manifests.get("Deployment", SCHEDULER),
            "spec.template.spec.containers",
            "kube-scheduler");

    assertThat(container).containsEntry("image", "registry.k8s.io/kube-scheduler:v1.31.0");
    assertThat(strings(container, "command"))
        .contains("--config=/etc/kubernetes/scheduler-config.yaml");
    assertThat(named(container, "volumeMounts", "config"))
        .containsEntry("mountPath", "/etc/kubernetes");
    assertThat(
            at(
                named(
                    manifests.get("Deployment", SCHEDULER), "spec.template.spec.volumes", "config"),
                "configMap.name"))
        .isEqualTo(SCHEDULER + "-config");
  }

  @Test
  void theSchedulerPullsWithTheChartsPullSecrets() {
    HelmChart.Manifests manifests =
        HelmChart.render(Map.of("imagePullSecrets[0].name", "mirror-credentials"));

    assertThat(list(manifests.get("Deployment", SCHEDULER), "spec.template.spec.imagePullSecrets"))
        .containsExactly(Map.of("name", "mirror-credentials"));
  }

  @Test
  void profileAndLeaderElectionUseTheSchedulerName() {
    Map<String, Object> config = schedulerConfig(HelmChart.render());

    assertThat(config)
        .containsEntry("apiVersion", "kubescheduler.config.k8s.io/v1")
        .containsEntry("kind", "KubeSchedulerConfiguration");
    assertThat(list(config, "profiles"))
        .containsExactly(Map.of("schedulerName", "k8s-rdma-scheduler"));
    assertThat(map(config, "leaderElection"))
        .containsEntry("leaderElect", true)
        .containsEntry("resourceName", "k8s-rdma-scheduler")
        .containsEntry("resourceNamespace", HelmChart.NAMESPACE);
  }

  @Test
  void extenderEntryPointsAtTheServiceWithTheDefaults() {
    Map<String, Object> entry = extenderEntry(schedulerConfig(HelmChart.render()));

    assertThat(entry)
        .containsEntry("urlPrefix", "https://k8s-rdma-extender.k8s-rdma.svc:8888")
        .containsEntry("weight", 1)
        .containsEntry("enableHTTPS", true)
        .containsEntry("httpTimeout", "5s")
        .containsEntry("nodeCacheCapable", true)
        .containsEntry("ignorable", false);
    assertThat(list(entry, "managedResources"))
        .containsExactly(Map.of("name", "k8s-rdma.io/vf", "ignoredByScheduler", true));
  }

  @Test
  void verbsMatchTheExtendersPaths() {
    HelmChart.Manifests manifests = HelmChart.render();
    Map<String, Object> entry = extenderEntry(schedulerConfig(manifests));
    Map<String, Map<String, Object>> extenderEnv =
        env(
            named(
                manifests.get("Deployment", "k8s-rdma-extender"),
                "spec.template.spec.containers",
                "extender"));

    for (String verb : List.of("filter", "prioritize", "bind")) {
      String path = "/" + entry.get(verb + "Verb");
      assertThat(path).as("%sVerb", verb).isEqualTo(extenderDefaultPath(verb));
      assertThat(at(extenderEnv.get("K8S_RDMA_EXTENDER_VERBS_" + verb.toUpperCase()), "value"))
          .as("extender env for %s", verb)
          .isEqualTo(path);
    }
  }

  @Test
  void urlPrefixFollowsNamespaceAndPort() {
    Map<String, Object> entry =
        extenderEntry(
            schedulerConfig(
                HelmChart.Manifests.parse(
                    HelmChart.helm()
                        .template()
                        .withName("rdma")
                        .withNamespace("infra")
                        .withKubeVersion(HelmChart.KUBE_VERSION)
                        .set("extender.port", 9000)
                        .call()),
                "rdma-k8s-rdma-scheduler"));

    assertThat(entry).containsEntry("urlPrefix", "https://rdma-k8s-rdma-extender.infra.svc:9000");
  }

  @Test
  void extenderSettingsComeFromValues() {
    Map<String, Object> entry =
        extenderEntry(
            schedulerConfig(
                HelmChart.render(
                    Map.of(
                        "scheduler.extender.weight",
                        5,
                        "scheduler.extender.httpTimeout",
                        "10s",
                        "scheduler.extender.nodeCacheCapable",
                        false,
                        "scheduler.extender.managedResources",
                        "null"))));

    assertThat(entry)
        .containsEntry("weight", 5)
        .containsEntry("httpTimeout", "10s")
        .containsEntry("nodeCacheCapable", false);
    assertThat(at(entry, "managedResources")).as("rendered as an empty list").isEqualTo(List.of());
  }

  @Test
  void schedulerServiceAccountHasTheBuiltInRolesAndItsLease() {
    HelmChart.Manifests manifests = HelmChart.render();

    assertThat(
            at(
                manifests.get("ClusterRoleBinding", SCHEDULER + "-as-kube-scheduler"),
                "roleRef.name"))
        .isEqualTo("system:kube-scheduler");
    assertThat(
            at(
                manifests.get("ClusterRoleBinding", SCHEDULER + "-as-volume-scheduler"),
                "roleRef.name"))
        .isEqualTo("system:volume-scheduler");
    List<Map<String, Object>> rules = list(manifests.get("Role", SCHEDULER), "rules");
    assertThat(rules)
        .anySatisfy(
            r -> {
              assertThat(r.get("resources")).isEqualTo(List.of("leases"));
              assertThat(r.get("resourceNames")).isEqualTo(List.of(SCHEDULER));
            });
    assertThat(at(manifests.get("Deployment", SCHEDULER), "spec.template.spec.serviceAccountName"))
        .isEqualTo(SCHEDULER);
  }

  @Test
  void configOnlyRendersTheSnippetAndNoScheduler() {
    HelmChart.Manifests manifests = HelmChart.render(Map.of("scheduler.mode", "config-only"));
    String snippet =
        (String)
            map(manifests.get("ConfigMap", SCHEDULER + "-extenders"), "data").get("extenders.yaml");
    Map<String, Object> entry =
        extenderEntry(HelmChart.Manifests.parse(snippet).documents().get(0));

    assertThat(manifests.ofKind("Deployment"))
        .extracting(d -> at(d, "metadata.name"))
        .containsExactly("k8s-rdma-extender");
    assertThat(manifests.names())
        .noneMatch(n -> n.contains(SCHEDULER + "-config") || n.startsWith("Role/"));
    assertThat(entry)
        .containsEntry("urlPrefix", "https://k8s-rdma-extender.k8s-rdma.svc:8888")
        .containsEntry("bindVerb", "bind");
  }
}
