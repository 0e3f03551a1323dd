package io.k8srdma.helm;

import static io.k8srdma.charttest.HelmChart.Node.at;
import static io.k8srdma.charttest.HelmChart.Node.env;
import static io.k8srdma.charttest.HelmChart.Node.list;
import static io.k8srdma.charttest.HelmChart.Node.map;
import static io.k8srdma.charttest.HelmChart.Node.named;
import static io.k8srdma.charttest.HelmChart.Node.strings;
import static org.assertj.core.api.Assertions.assertThat;

import io.k8srdma.charttest.HelmChart;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AgentDaemonSetTest {

  private static final String AGENT = "k8s-rdma-agent";

  private static Map<String, Object> podSpec(HelmChart.Manifests manifests) {
    return map(manifests.get("DaemonSet", AGENT), "spec.template.spec");
  }

  private static Map<String, Object> server(Map<String, Object> podSpec) {
    return named(podSpec, "containers", "agent");
  }

  private static Map<String, Object> withPolicy() {
    return Map.of(
        "agent.vfPolicy.enabled", true,
        "agent.vfPolicy.policies[0].vendorId", "15b3",
        "agent.vfPolicy.policies[0].linkLayer", "InfiniBand",
        "agent.vfPolicy.policies[0].numVfs", 8,
        "agent.vfPolicy.policies[1].pciAddress", "0000:3b:00.0",
        "agent.vfPolicy.policies[1].numVfs", "max");
  }

  @Test
  void runsOnTheHostNetworkWithClusterDns() {
    Map<String, Object> spec = podSpec(HelmChart.render());

    assertThat(spec).containsEntry("hostNetwork", true);
    assertThat(spec).containsEntry("dnsPolicy", "ClusterFirstWithHostNet");
  }

  @Test
  void serverContainerHasLeastPrivilege() {
    Map<String, Object> security = map(server(podSpec(HelmChart.render())), "securityContext");

    assertThat(security)
        .containsEntry("privileged", false)
        .containsEntry("readOnlyRootFilesystem", true)
        .containsEntry("allowPrivilegeEscalation", false);
    assertThat(at(security, "capabilities.drop")).isEqualTo(List.of("ALL"));
    assertThat(at(security, "capabilities.add")).isNull();
  }

  @Test
  void serverMountsTheHostReadOnlyUnderHostRoot() {
    Map<String, Object> spec = podSpec(HelmChart.render());
    Map<String, Object> server = server(spec);

    for (String hostPath : List.of("/sys", "/dev/infiniband", "/var/lib/cni", "/var/run/netns")) {
      Map<String, Object> volume =
          list(spec, "volumes").stream()
              .filter(v -> hostPath.equals(at(v, "hostPath.path")))
              .findFirst()
              .orElseThrow(() -> new AssertionError("no hostPath volume " + hostPath));
      Map<String, Object> mount = named(server, "volumeMounts", (String) volume.get("name"));
      assertThat(mount).as(hostPath).containsEntry("mountPath", "/host" + hostPath);
      assertThat(mount).as(hostPath).containsEntry("readOnly", true);
    }
    assertThat(at(env(server).get("K8S_RDMA_AGENT_HOST_ROOT"), "value")).isEqualTo("/host");
  }

  @Test
  void tmpIsAWritableEmptyDirForJna() {
    Map<String, Object> spec = podSpec(HelmChart.render());

    Map<String, Object> mount =
        list(server(spec), "volumeMounts").stream()
            .filter(m -> "/tmp".equals(m.get("mountPath")))
            .findFirst()
            .orElseThrow();
    assertThat(mount.get("readOnly")).isNotEqualTo(true);
    assertThat(at(named(spec, "volumes", (String) mount.get("name")), "emptyDir")).isNotNull();
  }

  @Test
  void probesUseTheActuatorPathsOnTheAgentPort() {
    Map<String, Object> server = server(podSpec(HelmChart.render()));

    assertThat(at(server, "livenessProbe.httpGet.path")).isEqualTo("/actuator/health/liveness");
    assertThat(at(server, "livenessProbe.httpGet.port")).isEqualTo(8089);
    assertThat(at(server, "readinessProbe.httpGet.path")).isEqualTo("/actuator/health/readiness");
    assertThat(at(server, "readinessProbe.httpGet.port")).isEqualTo(8089);
    assertThat(list(server, "ports").get(0)).containsEntry("containerPort", 8089);
    assertThat(at(env(server).get("SERVER_PORT"), "value")).isEqualTo("8089");
  }

  @Test
  void agentPortValueMovesPortProbesAndTheExtendersAgentPort() {
    HelmChart.Manifests manifests = HelmChart.render(Map.of("agent.port", 9099));
    Map<String, Object> server = server(podSpec(manifests));
    Map<String, Object> extender =
        named(
            manifests.get("Deployment", "k8s-rdma-extender"),
            "spec.template.spec.containers",
            "extender");

    assertThat(at(server, "readinessProbe.httpGet.port")).isEqualTo(9099);
    assertThat(at(env(server).get("SERVER_PORT"), "value")).isEqualTo("9099");
    assertThat(at(env(extender).get("K8S_RDMA_EXTENDER_AGENT_PORT"), "value")).isEqualTo("9099");
  }

  @Test
  void nodeNameComesFromTheDownwardApi() {
    Map<String, Object> nodeName = env(server(podSpec(HelmChart.render()))).get("NODE_NAME");

    assertThat(at(nodeName, "valueFrom.fieldRef.fieldPath")).isEqualTo("spec.nodeName");
  }

  @Test
  void resourcesAndHeapCapDefaults() {
    Map<String, Object> server = server(podSpec(HelmChart.render()));

    assertThat(at(server, "resources.requests.cpu")).isEqualTo("50m");
    assertThat(at(server, "resources.requests.memory")).isEqualTo("160Mi");
    assertThat(at(server, "resources.limits.memory")).isEqualTo("256Mi");
    assertThat((String) at(env(server).get("JAVA_TOOL_OPTIONS"), "value"))
        .contains("-Xmx48m")
        .contains("-XX:TieredStopAtLevel=1");
  }

  @Test
  void schedulingValuesReachThePod() {
    Map<String, Object> spec =
        podSpec(
            HelmChart.render(
                Map.of(
                    "agent.nodeSelector.rdma", "enabled",
                    "agent.tolerations[0].operator", "Exists",
                    "agent.priorityClassName", "system-node-critical")));

    assertThat(at(spec, "nodeSelector.rdma")).isEqualTo("enabled");
    assertThat(list(spec, "tolerations").get(0)).containsEntry("operator", "Exists");
    assertThat(spec).containsEntry("priorityClassName", "system-node-critical");
  }

  @Test
  void noInitContainerWithoutAVfPolicy() {
    HelmChart.Manifests manifests = HelmChart.render();

    assertThat(podSpec(manifests)).doesNotContainKey("initContainers");
    assertThat(manifests.ofKind("ConfigMap"))
        .noneMatch(c -> String.valueOf(at(c, "metadata.name")).endsWith("-vf-policy"));
  }

  @Test
  void vfPolicyInitContainerIsPrivilegedRunsInitAndWritesSys() {
    Map<String, Object> spec = podSpec(HelmChart.render(withPolicy()));
    Map<String, Object> init = named(spec, "initContainers", "vf-policy");

    assertThat(at(init, "securityContext.privileged")).isEqualTo(true);
    assertThat(strings(init, "args").get(0)).isEqualTo("init");
    assertThat(strings(init, "args"))
        .contains("--spring.config.additional-location=file:/etc/k8s-rdma/policy.yaml");
    Map<String, Object> sys = named(init, "volumeMounts", "host-sys");
    assertThat(sys).containsEntry("mountPath", "/host/sys");
    assertThat(sys.get("readOnly")).isNotEqualTo(true);
    assertThat(at(named(spec, "volumes", "host-sys"), "hostPath.path")).isEqualTo("/sys");
    // sriov-cni's records, so that init sees VFs held by DPDK pods too.
    assertThat(named(init, "volumeMounts", "host-var-lib-cni"))
        .containsEntry("mountPath", "/host/var/lib/cni")
        .containsEntry("readOnly", true);
    assertThat(named(init, "volumeMounts", "host-var-run-netns"))
        .containsEntry("mountPath", "/host/var/run/netns")
        .containsEntry("readOnly", true);
  }

  @Test
  void vfPolicyIsRenderedAsAgentInitProperties() {
    HelmChart.Manifests manifests = HelmChart.render(withPolicy());
    String policyYaml =
        (String) map(manifests.get("ConfigMap", AGENT + "-vf-policy"), "data").get("policy.yaml");

    List<Map<String, Object>> policies =
        list(
            HelmChart.Manifests.parse(policyYaml).documents().get(0),
            "k8s-rdma.agent.init.policies");
    assertThat(policies)
        .containsExactly(
            Map.of("vendor-id", "15b3", "link-layer", "InfiniBand", "num-vfs", "8"),
            Map.of("pci-address", "0000:3b:00.0", "num-vfs", "max"));
  }

  @Test
  void removingVfsInUseIsOffUnlessAsked() {
    assertThat(removeVfsInUse(withPolicy())).isEqualTo(false);

    Map<String, Object> asked = new LinkedHashMap<>(withPolicy());
    asked.put("agent.vfPolicy.removeVfsInUse", true);
    assertThat(removeVfsInUse(asked)).isEqualTo(true);
  }

  private static Object removeVfsInUse(Map<String, Object> values) {
    HelmChart.Manifests manifests = HelmChart.render(values);
    String policyYaml =
        (String) map(manifests.get("ConfigMap", AGENT + "-vf-policy"), "data").get("policy.yaml");
    return map(HelmChart.Manifests.parse(policyYaml).documents().get(0), "k8s-rdma.agent.init")
        .get("remove-vfs-in-use");
  }
}
