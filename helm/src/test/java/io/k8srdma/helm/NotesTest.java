package io.k8srdma.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.InstallCommand;
import io.k8srdma.charttest.HelmChart;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** NOTES.txt, rendered by a client-only dry-run install (helm template does not render it). */
class NotesTest {

  private static String notes(Map<String, Object> values) {
    InstallCommand install =
        HelmChart.helm()
            .install()
            .withName(HelmChart.RELEASE)
            .withNamespace(HelmChart.NAMESPACE)
            .withKubeVersion(HelmChart.KUBE_VERSION)
            .dryRun()
            .clientOnly();
    values.forEach(install::set);
    return install.call().getOutput();
  }

  @Test
  void tellHowToCheckTheAgentAndTheExtender() {
    String notes = notes(Map.of());

    assertThat(notes)
        .contains("kubectl -n k8s-rdma get ds,deploy")
        .contains("http://<node-ip>:8089/vfs")
        .contains("kubectl -n k8s-rdma port-forward svc/k8s-rdma-extender 8888")
        .contains("curl -sk https://localhost:8888/inventory")
        .contains("the verbs answer only kube-scheduler's client certificate")
        .contains("schedulerName: k8s-rdma-scheduler");
  }

  @Test
  void configOnlyPointsAtTheSnippet() {
    String notes = notes(Map.of("scheduler.mode", "config-only"));

    assertThat(notes)
        .contains("get configmap k8s-rdma-scheduler-extenders")
        .as("the client key readable by root only")
        .contains("mkdir -p -m 0700 /etc/kubernetes/k8s-rdma")
        .contains(
            "kubectl -n k8s-rdma get secret k8s-rdma-extender-client-tls"
                + " -o jsonpath='{.data.tls\\.key}' | base64 -d > /etc/kubernetes/k8s-rdma/tls.key")
        .doesNotContain("schedulerName:");
    assertThat(notes(Map.of("scheduler.mode", "config-only", "extender.tls.enabled", false)))
        .contains("curl -s localhost:8888/inventory")
        .doesNotContain("jsonpath='{.data.tls");
  }

  @Test
  void warnAboutMoreThanOneExtender() {
    assertThat(notes(Map.of("extender.replicas", 2))).contains("WARNING: extender.replicas=2");
    assertThat(notes(Map.of())).doesNotContain("WARNING");
  }
}
