package io.k8srdma.helm;

import static io.k8srdma.charttest.HelmChart.Node.at;
import static io.k8srdma.charttest.HelmChart.Node.env;
import static io.k8srdma.charttest.HelmChart.Node.list;
import static io.k8srdma.charttest.HelmChart.Node.map;
import static io.k8srdma.charttest.HelmChart.Node.named;
import static io.k8srdma.charttest.HelmChart.Node.strings;
import static org.assertj.core.api.Assertions.assertThat;

import io.k8srdma.charttest.HelmChart;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class ExtenderTest {

  private static final String EXTENDER = "k8s-rdma-extender";

  private static Map<String, Object> container(HelmChart.Manifests manifests) {
    return named(
        manifests.get("Deployment", EXTENDER), "spec.template.spec.containers", "extender");
  }

  @Test
  void clusterRoleGrantsExactlyWhatTheExtenderCalls() {
    List<Map<String, Object>> rules =
        list(HelmChart.render().get("ClusterRole", EXTENDER), "rules");

    assertThat(rules)
        .containsExactlyInAnyOrder(
            rule("nodes", "get", "list", "watch"),
            rule("pods", "get", "list", "watch", "patch"),
            rule("pods/binding", "create"));
  }

  private static Map<String, Object> rule(String resource, String... verbs) {
    return Map.of(
        "apiGroups", List.of(""), "resources", List.of(resource), "verbs", List.of(verbs));
  }

  @Test
  void noRoleOfTheChartUsesWildcards() {
    HelmChart.Manifests manifests = HelmChart.render();
    List<Map<String, Object>> roles =
        Stream.concat(manifests.ofKind("ClusterRole").stream(), manifests.ofKind("Role").stream())
            .toList();

    assertThat(roles).isNotEmpty();
    for (Map<String, Object> role : roles) {
      for (Map<String, Object> rule : list(role, "rules")) {
        List<String> words =
            rule.keySet().stream().flatMap(key -> strings(rule, key).stream()).toList();
        assertThat(words).as("%s", at(role, "metadata.name")).doesNotContain("*");
      }
    }
  }

  @Test
  void bindingGivesTheRoleToTheExtendersServiceAccount() {
    HelmChart.Manifests manifests = HelmChart.render();
    Map<String, Object> binding = manifests.get("ClusterRoleBinding", EXTENDER);

    assertThat(at(binding, "roleRef.name")).isEqualTo(EXTENDER);
    assertThat(list(binding, "subjects").get(0))
        .containsEntry("kind", "ServiceAccount")
        .containsEntry("name", EXTENDER)
        .containsEntry("namespace", HelmChart.NAMESPACE);
    assertThat(at(manifests.get("Deployment", EXTENDER), "spec.template.spec.serviceAccountName"))
        .isEqualTo(EXTENDER);
    assertThat(manifests.get("ServiceAccount", EXTENDER)).isNotNull();
  }

  @Test
  void probesUseTheActuatorPathsOnTheExtenderPort() {
    Map<String, Object> extender = container(HelmChart.render());

    assertThat(at(extender, "livenessProbe.httpGet.path")).isEqualTo("/actuator/health/liveness");
    assertThat(at(extender, "livenessProbe.httpGet.port")).isEqualTo(8888);
    assertThat(at(extender, "readinessProbe.httpGet.path")).isEqualTo("/actuator/health/readiness");
    assertThat(at(extender, "readinessProbe.httpGet.port")).isEqualTo(8888);
    assertThat(at(extender, "readinessProbe.httpGet.scheme")).isEqualTo("HTTPS");
  }

  @Test
  void jvmUsesTheParallelCollectorC2OnlyAndAHeapShareOfTheMemoryLimit() {
    Map<String, Object> extender = container(HelmChart.render());

    assertThat((String) at(env(extender).get("JAVA_TOOL_OPTIONS"), "value"))
        .contains("-XX:+UseParallelGC")
        .contains("-XX:-TieredCompilation")
        .contains("-XX:ReservedCodeCacheSize=128m")
        .contains("-XX:MaxRAMPercentage=60");
    assertThat(at(extender, "resources.limits.memory")).isEqualTo("512Mi");
  }

  @Test
  void pollsOnlyTheNodesTheAgentRunsOn() {
    assertThat(env(container(HelmChart.render())))
        .as("the agent on every node")
        .doesNotContainKey("K8S_RDMA_EXTENDER_AGENT_NODE_SELECTOR");
    Map<String, Object> fromAgent =
        container(
            HelmChart.render(
                Map.of("agent.nodeSelector.zone", "a", "agent.nodeSelector.rdma", "cx7")));
    assertThat(at(env(fromAgent).get("K8S_RDMA_EXTENDER_AGENT_NODE_SELECTOR"), "value"))
        .isEqualTo("rdma=cx7,zone=a");
    Map<String, Object> own =
        container(
            HelmChart.render(
                Map.of(
                    "agent.nodeSelector.rdma",
                    "cx7",
                    "extender.agentNodeSelector",
                    "nic in (cx7)")));
    assertThat(at(env(own).get("K8S_RDMA_EXTENDER_AGENT_NODE_SELECTOR"), "value"))
        .isEqualTo("nic in (cx7)");
  }

  @Test
  void runsAsNonRootWithAReadOnlyRootAndNoCapabilities() {
    HelmChart.Manifests manifests = HelmChart.render();
    Map<String, Object> pod =
        map(manifests.get("Deployment", EXTENDER), "spec.template.spec.securityContext");
    Map<String, Object> security = map(container(manifests), "securityContext");

    assertThat(pod).containsEntry("runAsNonRoot", true);
    assertThat(at(pod, "seccompProfile.type")).isEqualTo("RuntimeDefault");
    assertThat(security)
        .containsEntry("readOnlyRootFilesystem", true)
        .containsEntry("allowPrivilegeEscalation", false);
    assertThat(at(security, "capabilities.drop")).isEqualTo(List.of("ALL"));
  }

  @Test
  void oneReplicaByDefaultReplacedNotRolled() {
    Map<String, Object> deployment = HelmChart.render().get("Deployment", EXTENDER);

    assertThat(at(deployment, "spec.replicas")).isEqualTo(1);
    assertThat(at(deployment, "spec.strategy.type")).isEqualTo("Recreate");
  }

  @Test
  void serviceExposesTheExtenderPort() {
    Map<String, Object> service = HelmChart.render().get("Service", EXTENDER);

    assertThat(list(service, "spec.ports").get(0))
        .containsEntry("port", 8888)
        .containsEntry("name", "https")
        .containsEntry("targetPort", "https");
    assertThat(map(service, "spec.selector"))
        .containsEntry("app.kubernetes.io/component", "extender");
  }

  @Test
  void podDisruptionBudgetFromValues() {
    Map<String, Object> byDefault = HelmChart.render().get("PodDisruptionBudget", EXTENDER);
    Map<String, Object> minAvailable =
        HelmChart.render(
                Map.of(
                    "extender.podDisruptionBudget.minAvailable",
                    1,
                    "extender.podDisruptionBudget.maxUnavailable",
                    "null"))
            .get("PodDisruptionBudget", EXTENDER);

    assertThat(map(byDefault, "spec")).containsEntry("maxUnavailable", 1);
    assertThat(map(minAvailable, "spec"))
        .containsEntry("minAvailable", 1)
        .doesNotContainKey("maxUnavailable");
  }

  @Test
  void imagesDefaultToTheAppVersion() {
    HelmChart.Manifests manifests = HelmChart.render();

    assertThat(container(manifests))
        .containsEntry("image", "ghcr.io/k8s-rdma/scheduler-extender:0.1.0")
        .containsEntry("imagePullPolicy", "IfNotPresent");
    assertThat(
            named(
                manifests.get("DaemonSet", "k8s-rdma-agent"),
                "spec.template.spec.containers",
                "agent"))
        .containsEntry("image", "ghcr.io/k8s-rdma/node-agent:0.1.0");
  }
}
