package io.k8srdma.extender.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.fabric8.kubernetes.api.model.Pod;
import io.k8srdma.extender.Await;
import io.k8srdma.extender.ExtenderHttp;
import io.k8srdma.extender.SchedulerExtenderApplication;
import io.k8srdma.extender.TestAgents;
import io.k8srdma.extender.TestInventories;
import io.k8srdma.extender.TestPods;
import io.k8srdma.model.json.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The extender serving HTTPS with {@code k8s-rdma.extender.verbs.require-client-certificate}, as
 * the chart runs it: the verbs answer only kube-scheduler's client certificate, probes, metrics and
 * {@code /inventory} answer anyone, and a renewed certificate in a Secret volume is served without
 * a restart.
 */
class MutualTlsTest {

  private static final String HOST = "localhost";

  @TempDir static Path tmp;
  private static WireMockServer agent;
  private static TestPki ca;
  private static Path serverSecret;
  private static ConfigurableApplicationContext extender;
  private static int port;

  @BeforeAll
  static void start() throws IOException {
    agent = TestAgents.start();
    TestAgents.serve(agent, TestInventories.ibNode("node-a", 0x1a, 2, 400_000));
    ca = TestPki.authority("k8s-rdma-test-ca");
    serverSecret = SecretVolume.create(tmp.resolve("server-tls"));
    SecretVolume.update(
        serverSecret, ca.issue(tmp.resolve("server-1"), "extender", List.of(HOST, "127.0.0.1")));
    ca.issue(tmp.resolve("scheduler"), "k8s-rdma-scheduler", List.of());
    extender = run(tlsArgs(serverSecret, "want", true));
    port = ((WebServerApplicationContext) extender).getWebServer().getPort();
  }

  @AfterAll
  static void stop() {
    if (extender != null) {
      extender.close();
    }
    agent.stop();
  }

  @Test
  void theSchedulersCertificateGetsFilterPrioritizeAndBindAnswers() throws Exception {
    TlsClient scheduler = new TlsClient(schedulerContext(), HOST, port);
    Pod pod = TestPods.pendingRdmaPod("ml", "trainer");
    String args = Json.mapper().writeValueAsString(ExtenderHttp.args(pod, List.of("node-a")));

    Await.until(
        "node-a polled and passing filter",
        Duration.ofSeconds(30),
        attempt(() -> json(scheduler.send("POST", "/filter", args)).path("nodenames").size() == 1));
    TlsClient.Response priorities = scheduler.send("POST", "/prioritize", args);
    assertThat(priorities.status()).isEqualTo(200);
    assertThat(json(priorities).findValuesAsText("host")).containsExactly("node-a");
    // Without a Kubernetes API bind answers with an error, but it is bind that answers.
    TlsClient.Response bound =
        scheduler.send(
            "POST", "/bind", "{\"PodName\":\"p\",\"PodNamespace\":\"ml\",\"Node\":\"node-a\"}");
    assertThat(bound.status()).isEqualTo(200);
    assertThat(json(bound).path("error").asText()).doesNotContain("client certificate");
  }

  @ParameterizedTest
  @ValueSource(strings = {"/filter", "/prioritize", "/bind", "/filter/", "/./filter", "/nowhere"})
  void aClientWithoutACertificateIsRefusedEveryPost(String path) throws Exception {
    TlsClient anonymous = new TlsClient(anonymousContext(), HOST, port);

    TlsClient.Response refused = anonymous.send("POST", path, "{}");

    assertThat(refused.status()).isEqualTo(403);
    assertThat(json(refused).path("error").asText())
        .contains("POST " + path)
        .contains("needs a client certificate signed by the extender's CA")
        .contains("k8s-rdma.extender.verbs.require-client-certificate");
  }

  @Test
  void aCertificateOfAnotherCaIsNotTakenForTheSchedulers() throws Exception {
    Path stranger =
        TestPki.authority("someone-else")
            .issue(tmp.resolve("stranger"), "k8s-rdma-scheduler", List.of());
    Path ca = serverSecret.resolve("ca.crt");
    Path cert = stranger.resolve("tls.crt");
    Path key = stranger.resolve("tls.key");

    // The server names the CA it accepts, so a client leaves such a certificate out...
    TlsClient.Response refused =
        new TlsClient(TlsClient.context(ca, cert, key), HOST, port).send("POST", "/filter", "{}");
    assertThat(refused.status()).isEqualTo(403);
    // ...and presented anyway, the handshake fails.
    TlsClient insisting = new TlsClient(TlsClient.presentingAnyway(ca, cert, key), HOST, port);
    assertThatThrownBy(() -> insisting.send("POST", "/filter", "{}"))
        .as("the server's alert, or the connection it closed: no answer either way")
        .isInstanceOf(IOException.class);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/actuator/health/liveness",
        "/actuator/health/readiness",
        "/actuator/prometheus",
        "/inventory"
      })
  void probesMetricsAndTheInventoryNeedNoCertificate(String path) throws Exception {
    TlsClient anonymous = new TlsClient(anonymousContext(), HOST, port);

    Await.until(
        path + " answers 200",
        Duration.ofSeconds(30),
        attempt(() -> anonymous.send("GET", path, null).status() == 200));
  }

  @Test
  void theServerNamesItselfAsItsCertificateSays() throws Exception {
    TlsClient elsewhere = new TlsClient(anonymousContext(), "k8s-rdma-extender.other.svc", port);

    assertThatThrownBy(elsewhere::connect)
        .as("the certificate names localhost and 127.0.0.1 only")
        .isInstanceOf(SSLException.class)
        .hasMessageContaining("k8s-rdma-extender.other.svc");
  }

  /** Twice: kubelet removes the directory that the first renewal replaced. */
  @Test
  void aRenewedCertificateInTheSecretVolumeIsServedWithoutARestart() throws Exception {
    TlsClient anonymous = new TlsClient(anonymousContext(), HOST, port);
    for (String renewal : List.of("server-2", "server-3")) {
      X509Certificate before = served(anonymous);

      SecretVolume.update(
          serverSecret, ca.issue(tmp.resolve(renewal), "extender", List.of(HOST, "127.0.0.1")));

      Await.until(
          "the renewed certificate served (" + renewal + ")",
          Duration.ofSeconds(30),
          attempt(() -> !served(anonymous).getSerialNumber().equals(before.getSerialNumber())));
    }
    assertThat(new TlsClient(schedulerContext(), HOST, port).send("POST", "/filter", "{}").status())
        .as("the scheduler's certificate still verifies against the same CA")
        .isEqualTo(400);
  }

  @Test
  void requiringClientCertificatesOverPlainHttpStopsTheStart() {
    assertThatThrownBy(
            () -> run(List.of("--k8s-rdma.extender.verbs.require-client-certificate=true")).close())
        .rootCause()
        .hasMessageContaining("k8s-rdma.extender.verbs.require-client-certificate")
        .hasMessageContaining("the server serves plain HTTP");
  }

  @Test
  void requiringClientCertificatesWithoutAskingForThemStopsTheStart() {
    assertThatThrownBy(() -> run(tlsArgs(serverSecret, "none", true)).close())
        .rootCause()
        .hasMessageContaining("k8s-rdma.extender.verbs.require-client-certificate")
        .hasMessageContaining("server.ssl.client-auth is none");
  }

  /**
   * Without a trust store of its own, JSSE verifies client certificates against the JVM's cacerts:
   * a certificate that any public CA issued with the clientAuth usage would pass for the
   * scheduler's. Whichever way SSL is configured, the start must fail instead.
   */
  @ParameterizedTest
  @ValueSource(strings = {"bundle", "server.ssl.certificate"})
  void requiringClientCertificatesWithoutATrustStoreStopsTheStart(String configuredBy) {
    List<String> args =
        configuredBy.equals("bundle")
            ? tlsArgs(serverSecret, "want", true).stream()
                .filter(a -> !a.contains(".truststore."))
                .toList()
            : certificateArgs(serverSecret, false);

    assertThatThrownBy(() -> run(args).close())
        .rootCause()
        .hasMessageContaining("k8s-rdma.extender.verbs.require-client-certificate")
        .hasMessageContaining("no trust store")
        .hasMessageContaining("JVM's default CAs");
  }

  @Test
  void serverSslCertificateWithATrustCertificateServesTheVerbsToTheScheduler() throws Exception {
    try (ConfigurableApplicationContext other = run(certificateArgs(serverSecret, true))) {
      int otherPort = ((WebServerApplicationContext) other).getWebServer().getPort();

      assertThat(
              new TlsClient(schedulerContext(), HOST, otherPort)
                  .send("POST", "/filter", "{}")
                  .status())
          .as("the verb answers (400: an empty ExtenderArgs)")
          .isEqualTo(400);
      assertThat(
              new TlsClient(anonymousContext(), HOST, otherPort)
                  .send("POST", "/filter", "{}")
                  .status())
          .isEqualTo(403);
    }
  }

  // --- helpers ---------------------------------------------------------------------------------

  /** The server.ssl.* way, without a bundle, with or without server.ssl.trust-certificate. */
  static List<String> certificateArgs(Path dir, boolean trust) {
    String files = "file:" + dir.toAbsolutePath() + "/";
    List<String> args =
        new ArrayList<>(
            List.of(
                "--server.ssl.certificate=" + files + "tls.crt",
                "--server.ssl.certificate-private-key=" + files + "tls.key",
                "--server.ssl.client-auth=want",
                "--k8s-rdma.extender.verbs.require-client-certificate=true"));
    if (trust) {
      args.add("--server.ssl.trust-certificate=" + files + "ca.crt");
    }
    return args;
  }

  /** The Spring Boot settings the chart sets, for the Secret volume in {@code dir}. */
  static List<String> tlsArgs(Path dir, String clientAuth, boolean require) {
    String files = "file:" + dir.toAbsolutePath() + "/";
    return List.of(
        "--server.ssl.bundle=extender",
        "--server.ssl.client-auth=" + clientAuth,
        "--spring.ssl.bundle.pem.extender.reload-on-update=true",
        "--spring.ssl.bundle.pem.extender.keystore.certificate=" + files + "tls.crt",
        "--spring.ssl.bundle.pem.extender.keystore.private-key=" + files + "tls.key",
        "--spring.ssl.bundle.pem.extender.truststore.certificate=" + files + "ca.crt",
        "--spring.ssl.bundle.watch.file.quiet-period=200ms",
        "--k8s-rdma.extender.verbs.require-client-certificate=" + require);
  }

  private static ConfigurableApplicationContext run(List<String> extra) {
    List<String> args = new ArrayList<>(extra);
    args.addAll(
        List.of(
            "--server.port=0",
            "--spring.jmx.enabled=false",
            "--k8s-rdma.extender.kubernetes.enabled=false",
            "--k8s-rdma.extender.poll.interval=500ms",
            "--k8s-rdma.extender.static-agents.node-a=http://127.0.0.1:" + agent.port()));
    return new SpringApplicationBuilder(SchedulerExtenderApplication.class)
        .web(WebApplicationType.SERVLET)
        .run(args.toArray(String[]::new));
  }

  /** A condition whose I/O may fail while it is not yet true (a port not yet open, a reload). */
  private static BooleanSupplier attempt(Callable<Boolean> condition) {
    return () -> {
      try {
        return condition.call();
      } catch (Exception e) {
        return false;
      }
    };
  }

  private static SSLContext schedulerContext() {
    return TlsClient.fromSecretFiles(tmp.resolve("scheduler"));
  }

  private static SSLContext anonymousContext() {
    return TlsClient.context(serverSecret.resolve("ca.crt"), null, null);
  }

  private static X509Certificate served(TlsClient client) throws IOException {
    try (SSLSocket socket = client.connect()) {
      return (X509Certificate) socket.getSession().getPeerCertificates()[0];
    }
  }

  private static JsonNode json(TlsClient.Response response) throws IOException {
    return Json.mapper().readTree(response.body());
  }
}
