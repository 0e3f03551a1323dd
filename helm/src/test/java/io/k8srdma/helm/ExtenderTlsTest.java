package io.k8srdma.helm;

import static io.k8srdma.charttest.HelmChart.Node.at;
import static io.k8srdma.charttest.HelmChart.Node.env;
import static io.k8srdma.charttest.HelmChart.Node.list;
import static io.k8srdma.charttest.HelmChart.Node.map;
import static io.k8srdma.charttest.HelmChart.Node.named;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.k8srdma.charttest.HelmChart;
import java.io.ByteArrayInputStream;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Mutual TLS between the chart's kube-scheduler and the extender: the generated CA and
 * certificates, who mounts which, and what each side is told. (The extender started with these
 * files and called as kube-scheduler calls it: ChartExtenderContractTest in scheduler-extender.)
 */
class ExtenderTlsTest {

  private static final String EXTENDER = "k8s-rdma-extender";
  private static final String SCHEDULER = "k8s-rdma-scheduler";
  private static final String SERVER_SECRET = EXTENDER + "-tls";
  private static final String CLIENT_SECRET = EXTENDER + "-client-tls";

  @Test
  void oneGeneratedCaSignsTheExtendersAndTheSchedulersCertificates() throws Exception {
    HelmChart.Manifests chart = HelmChart.render();
    Map<String, Object> server = chart.get("Secret", SERVER_SECRET);
    Map<String, Object> client = chart.get("Secret", CLIENT_SECRET);

    for (Map<String, Object> secret : List.of(server, client)) {
      assertThat(secret.get("type")).isEqualTo("kubernetes.io/tls");
      assertThat(map(secret, "data")).containsOnlyKeys("tls.crt", "tls.key", "ca.crt");
    }
    X509Certificate ca = certificate(server, "ca.crt");
    assertThat(certificate(client, "ca.crt")).isEqualTo(ca);
    X509Certificate extender = certificate(server, "tls.crt");
    X509Certificate scheduler = certificate(client, "tls.crt");
    extender.verify(ca.getPublicKey());
    scheduler.verify(ca.getPublicKey());
    assertThat(ca.getBasicConstraints()).as("a CA").isGreaterThanOrEqualTo(0);
    assertThat(dnsNames(extender))
        .as("the host of urlPrefix among them")
        .contains(EXTENDER + ".k8s-rdma.svc", EXTENDER + ".k8s-rdma.svc.cluster.local");
    assertThat(extender.getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.1"); // serverAuth
    assertThat(scheduler.getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.2"); // clientAuth
    assertThat(
            Duration.between(
                    extender.getNotBefore().toInstant(), extender.getNotAfter().toInstant())
                .toDays())
        .as("extender.tls.validityDays")
        .isBetween(3649L, 3650L);
  }

  @Test
  void theSchedulerRestartsWhenTheGeneratedCaChanges() throws Exception {
    HelmChart.Manifests chart = HelmChart.render();
    String ca = (String) map(chart.get("Secret", CLIENT_SECRET), "data").get("ca.crt");
    Map<String, Object> annotations =
        map(chart.get("Deployment", SCHEDULER), "spec.template.metadata.annotations");

    assertThat(annotations)
        .as("the CA the Secrets hold, from one generation per render")
        .containsEntry("checksum/extender-ca", sha256Hex(ca));
    assertThat(
            map(
                HelmChart.render(
                        Map.of(
                            "extender.tls.serverSecret", "own",
                            "extender.tls.clientSecret", "own-client"))
                    .get("Deployment", SCHEDULER),
                "spec.template.metadata.annotations"))
        .as("own Secrets: the chart does not know their CA")
        .doesNotContainKey("checksum/extender-ca");
  }

  private static String sha256Hex(String text) throws Exception {
    byte[] digest =
        java.security.MessageDigest.getInstance("SHA-256")
            .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    return java.util.HexFormat.of().formatHex(digest);
  }

  @Test
  void theExtenderServesItsCertificateAndTrustsTheCaOfTheSchedulers() {
    HelmChart.Manifests chart = HelmChart.render();
    Map<String, Object> pod = map(chart.get("Deployment", EXTENDER), "spec.template.spec");
    Map<String, Object> container = named(pod, "containers", "extender");
    Map<String, Map<String, Object>> env = env(container);

    assertThat(at(named(pod, "volumes", "tls"), "secret.secretName")).isEqualTo(SERVER_SECRET);
    assertThat(named(container, "volumeMounts", "tls"))
        .containsEntry("mountPath", "/etc/k8s-rdma/tls");
    assertThat(value(env, "SERVER_SSL_BUNDLE")).isEqualTo("extender");
    assertThat(value(env, "SERVER_SSL_CLIENT_AUTH"))
        .as("probes and metrics come without a certificate")
        .isEqualTo("want");
    assertThat(value(env, "SPRING_SSL_BUNDLE_PEM_EXTENDER_KEYSTORE_CERTIFICATE"))
        .isEqualTo("file:/etc/k8s-rdma/tls/tls.crt");
    assertThat(value(env, "SPRING_SSL_BUNDLE_PEM_EXTENDER_KEYSTORE_PRIVATEKEY"))
        .isEqualTo("file:/etc/k8s-rdma/tls/tls.key");
    assertThat(value(env, "SPRING_SSL_BUNDLE_PEM_EXTENDER_TRUSTSTORE_CERTIFICATE"))
        .isEqualTo("file:/etc/k8s-rdma/tls/ca.crt");
    assertThat(value(env, "K8S_RDMA_EXTENDER_VERBS_REQUIRE_CLIENT_CERTIFICATE")).isEqualTo("true");
    for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
      assertThat(at(container, probe + ".httpGet.scheme")).as(probe).isEqualTo("HTTPS");
    }
  }

  @Test
  void theChartsSchedulerPresentsTheClientCertificate() {
    HelmChart.Manifests chart = HelmChart.render();
    Map<String, Object> pod = map(chart.get("Deployment", SCHEDULER), "spec.template.spec");
    Map<String, Object> container = named(pod, "containers", "kube-scheduler");

    assertThat(at(named(pod, "volumes", "extender-client-tls"), "secret.secretName"))
        .isEqualTo(CLIENT_SECRET);
    assertThat(named(container, "volumeMounts", "extender-client-tls"))
        .containsEntry("mountPath", "/etc/k8s-rdma/extender-client");
    assertThat(tlsConfig(schedulerConfig(chart, "-config", "scheduler-config.yaml")))
        .containsEntry("serverName", EXTENDER + ".k8s-rdma.svc")
        .containsEntry("certFile", "/etc/k8s-rdma/extender-client/tls.crt")
        .containsEntry("keyFile", "/etc/k8s-rdma/extender-client/tls.key")
        .containsEntry("caFile", "/etc/k8s-rdma/extender-client/ca.crt");
  }

  @Test
  void configOnlyPointsTheClustersSchedulerAtTlsDir() {
    HelmChart.Manifests chart =
        HelmChart.render(
            Map.of("scheduler.mode", "config-only", "scheduler.extender.tlsDir", "/etc/rdma"));

    assertThat(tlsConfig(schedulerConfig(chart, "-extenders", "extenders.yaml")))
        .containsEntry("serverName", EXTENDER + ".k8s-rdma.svc")
        .containsEntry("certFile", "/etc/rdma/tls.crt")
        .containsEntry("keyFile", "/etc/rdma/tls.key")
        .containsEntry("caFile", "/etc/rdma/ca.crt");
    assertThat(chart.get("Secret", CLIENT_SECRET)).as("to copy from").isNotNull();
  }

  /**
   * A control-plane scheduler on the host network may not resolve the Service's name, and
   * install.md has the operator put the ClusterIP into urlPrefix then. The generated certificate
   * names no IP (the ClusterIP is not known when it is made), so kube-scheduler must check it
   * against a name it holds: tlsConfig.serverName, which Go's TLS client uses over the URL's host.
   */
  @Test
  void theSchedulerChecksTheCertificateAgainstANameItHoldsWhateverHostUrlPrefixHas()
      throws Exception {
    HelmChart.Manifests chart = HelmChart.render(Map.of("scheduler.mode", "config-only"));
    Map<String, Object> entry = entry(schedulerConfig(chart, "-extenders", "extenders.yaml"));
    X509Certificate extender = certificate(chart.get("Secret", SERVER_SECRET), "tls.crt");

    assertThat(dnsNames(extender)).contains((String) map(entry, "tlsConfig").get("serverName"));
    assertThat(extender.getSubjectAlternativeNames())
        .as("no IP address: only serverName keeps a ClusterIP in urlPrefix verifiable")
        .noneMatch(name -> (Integer) name.get(0) == 7);
  }

  @Test
  void tlsOffServesPlainHttpWithNothingToMount() {
    HelmChart.Manifests chart = HelmChart.render(Map.of("extender.tls.enabled", false));
    Map<String, Object> container =
        named(chart.get("Deployment", EXTENDER), "spec.template.spec.containers", "extender");
    Map<String, Object> entry = entry(schedulerConfig(chart, "-config", "scheduler-config.yaml"));

    assertThat(chart.ofKind("Secret")).isEmpty();
    assertThat(env(container))
        .doesNotContainKeys(
            "SERVER_SSL_BUNDLE", "K8S_RDMA_EXTENDER_VERBS_REQUIRE_CLIENT_CERTIFICATE");
    assertThat(at(container, "readinessProbe.httpGet.scheme")).isEqualTo("HTTP");
    assertThat(entry)
        .containsEntry("urlPrefix", "http://k8s-rdma-extender.k8s-rdma.svc:8888")
        .containsEntry("enableHTTPS", false)
        .doesNotContainKey("tlsConfig");
    assertThat(list(chart.get("Service", EXTENDER), "spec.ports").get(0))
        .containsEntry("targetPort", "http");
  }

  @Test
  void secretsOfTheOperatorsOwnAreMountedAndNoneGenerated() {
    HelmChart.Manifests chart =
        HelmChart.render(
            Map.of(
                "extender.tls.serverSecret", "extender-cert",
                "extender.tls.clientSecret", "scheduler-cert"));

    assertThat(chart.ofKind("Secret")).isEmpty();
    assertThat(
            at(
                named(
                    at(chart.get("Deployment", EXTENDER), "spec.template.spec"), "volumes", "tls"),
                "secret.secretName"))
        .isEqualTo("extender-cert");
    assertThat(
            at(
                named(
                    at(chart.get("Deployment", SCHEDULER), "spec.template.spec"),
                    "volumes",
                    "extender-client-tls"),
                "secret.secretName"))
        .isEqualTo("scheduler-cert");
  }

  @Test
  void oneOwnSecretWithoutTheOtherIsRefused() {
    assertThatThrownBy(() -> HelmChart.render(Map.of("extender.tls.serverSecret", "extender-cert")))
        .hasMessageContaining("extender.tls: set both serverSecret and clientSecret");
  }

  // --- helpers ---------------------------------------------------------------------------------

  private static X509Certificate certificate(Map<String, Object> secret, String key)
      throws Exception {
    byte[] pem = Base64.getDecoder().decode((String) map(secret, "data").get(key));
    return (X509Certificate)
        CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(pem));
  }

  private static List<String> dnsNames(X509Certificate certificate) throws Exception {
    return certificate.getSubjectAlternativeNames().stream()
        .filter(name -> (Integer) name.get(0) == 2)
        .map(name -> (String) name.get(1))
        .toList();
  }

  private static String value(Map<String, Map<String, Object>> env, String name) {
    assertThat(env).containsKey(name);
    return (String) env.get(name).get("value");
  }

  private static Map<String, Object> schedulerConfig(
      HelmChart.Manifests chart, String suffix, String key) {
    String yaml = (String) map(chart.get("ConfigMap", SCHEDULER + suffix), "data").get(key);
    return HelmChart.Manifests.parse(yaml).documents().get(0);
  }

  private static Map<String, Object> entry(Map<String, Object> config) {
    return list(config, "extenders").get(0);
  }

  private static Map<String, Object> tlsConfig(Map<String, Object> config) {
    Map<String, Object> entry = entry(config);
    assertThat(entry).containsEntry("enableHTTPS", true);
    assertThat((String) entry.get("urlPrefix")).startsWith("https://");
    return map(entry, "tlsConfig");
  }
}
