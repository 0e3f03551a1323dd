package io.k8srdma.extender.chart;

import static io.k8srdma.charttest.HelmChart.Node.list;
import static io.k8srdma.charttest.HelmChart.Node.map;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.k8srdma.charttest.ContainerEnvironment;
import io.k8srdma.charttest.ContainerFiles;
import io.k8srdma.charttest.HelmChart;
import io.k8srdma.charttest.RenderedContainer;
import io.k8srdma.extender.Await;
import io.k8srdma.extender.BindingApiServer;
import io.k8srdma.extender.ExtenderHttp;
import io.k8srdma.extender.LateApiServer;
import io.k8srdma.extender.SchedulerExtenderApplication;
import io.k8srdma.extender.TestAgents;
import io.k8srdma.extender.TestInventories;
import io.k8srdma.extender.TestNodes;
import io.k8srdma.extender.TestPods;
import io.k8srdma.extender.config.ExtenderProperties;
import io.k8srdma.extender.tls.TlsClient;
import io.k8srdma.model.Annotations;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.ssl.PemSslBundleProperties;
import org.springframework.boot.autoconfigure.ssl.SslProperties;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The extender as the chart deploys it and kube-scheduler calls it: the Deployment's container
 * (arguments and environment, with extender.extraEnv) starts the real application against fabric8's
 * mock API server; it polls the agents of the Nodes that agent.nodeSelector (or
 * extender.agentNodeSelector) selects on agent.port, and answers the verbs at the URLs that the
 * rendered KubeSchedulerConfiguration (either scheduler mode) makes of urlPrefix and the verbs.
 * With TLS (the default) the extender reads its certificate from the mounted Secret, and is called
 * with the files the scheduler's tlsConfig names, where the chart's kube-scheduler mounts them (or
 * where an operator copies them, in config-only mode), checked against the urlPrefix's host.
 */
class ChartExtenderContractTest {

  private static final String EXTENDER = HelmChart.RELEASE + "-extender";
  private static final String CLIENT_SECRET = EXTENDER + "-client-tls";

  /** The host of urlPrefix, which the extender's certificate must name. */
  private static final String SERVICE_HOST = EXTENDER + "." + HelmChart.NAMESPACE + ".svc";

  private static final List<String> PROBES =
      List.of("startupProbe", "livenessProbe", "readinessProbe");

  /** Scheduler ConfigMaps of the two modes, and their key holding the {@code extenders} list. */
  private static final Map<String, List<String>> SCHEDULER_CONFIG =
      Map.of(
          "second-scheduler",
              List.of(HelmChart.RELEASE + "-scheduler-config", "scheduler-config.yaml"),
          "config-only", List.of(HelmChart.RELEASE + "-scheduler-extenders", "extenders.yaml"));

  /** The chart's variables that no k8s-rdma property binds, and what reads them instead. */
  private static final Map<String, String> READ_ELSEWHERE =
      Map.of(
          "SERVER_PORT", "Spring Boot, as server.port",
          "JAVA_TOOL_OPTIONS", "the JVM",
          "SERVER_SSL_BUNDLE", "Spring Boot, as server.ssl.bundle",
          "SERVER_SSL_CLIENT_AUTH", "Spring Boot, as server.ssl.client-auth",
          "SPRING_SSL_BUNDLE_PEM_EXTENDER_KEYSTORE_CERTIFICATE", "Spring Boot's SSL bundle",
          "SPRING_SSL_BUNDLE_PEM_EXTENDER_KEYSTORE_PRIVATEKEY", "Spring Boot's SSL bundle",
          "SPRING_SSL_BUNDLE_PEM_EXTENDER_TRUSTSTORE_CERTIFICATE", "Spring Boot's SSL bundle",
          "SPRING_SSL_BUNDLE_PEM_EXTENDER_RELOADONUPDATE", "Spring Boot's SSL bundle");

  @TempDir Path tmp;
  private WireMockServer agent;
  private KubernetesMockServer api;
  private KubernetesClient client;

  /**
   * An API with two Nodes on 127.0.0.1: {@code node-in} carries every label of the agent's node
   * selector and runs an agent; {@code node-out} lacks one, so polling it would be a mistake.
   */
  @BeforeEach
  void cluster() {
    agent = TestAgents.start();
    TestAgents.serve(agent, TestInventories.ibNode("node-in", 0x1a, 2, 400_000));
    api = BindingApiServer.start().server();
    client = api.createClient();
    client
        .nodes()
        .resource(
            node("node-in", Map.of("rdma.example.com/capable", "true", "k8s-rdma.io/agent", "yes")))
        .create();
    client.nodes().resource(node("node-out", Map.of("rdma.example.com/capable", "true"))).create();
  }

  @AfterEach
  void stop() {
    agent.stop();
    client.close();
    api.destroy();
  }

  /** Values besides the ports (YAML, under the top level). */
  static Stream<Arguments> values() {
    return Stream.of(
        Arguments.of(
            "the defaults, agents placed by agent.nodeSelector",
            """
            agent:
              nodeSelector:
                rdma.example.com/capable: "true"
                k8s-rdma.io/agent: "yes"
            """),
        Arguments.of(
            "TLS off: plain HTTP",
            """
            agent:
              nodeSelector:
                rdma.example.com/capable: "true"
                k8s-rdma.io/agent: "yes"
            extender:
              tls:
                enabled: false
            """),
        Arguments.of(
            "every extender setting",
            """
            extender:
              agentNodeSelector: k8s-rdma.io/agent=yes
              verbs:
                filter: rdma/filter
                prioritize: rdma/prioritize
                bind: rdma/bind
              extraEnv:
                - name: K8S_RDMA_EXTENDER_PLACEMENT_POLICY
                  value: spread
                - name: K8S_RDMA_EXTENDER_BIND_WRITE_ASSIGNMENT
                  value: with-binding
            """));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("values")
  void theExtenderAnswersTheSchedulerAtTheRenderedUrls(String what, String values)
      throws Exception {
    int port = LateApiServer.freePort();
    String ports = "agent:\n  port: %d\nextender:\n  port: %d\n".formatted(agent.port(), port);
    HelmChart.Manifests chart = HelmChart.render(tmp, ports, values);
    Map<String, Object> podSpec = chart.podSpec("Deployment", EXTENDER);
    RenderedContainer extender = RenderedContainer.of(podSpec, "containers", "extender");
    ContainerFiles files =
        ContainerFiles.mount(extender, podSpec, chart, tmp, tmp.resolve("extender"));
    Map<String, String> env = new LinkedHashMap<>(files.env(extender.env(Map.of())));
    // In a cluster fabric8 finds the API from the pod's service account.
    env.put("K8S_RDMA_EXTENDER_KUBERNETES_MASTER_URL", api.url("/"));
    boolean tls = extender.hasPort("https");

    try (ConfigurableApplicationContext ctx = start(List.of(files.args(extender.args())), env)) {
      assertThat(unbound(env, ctx)).isEmpty();
      int served = ((WebServerApplicationContext) ctx).getWebServer().getPort();
      assertThat(served)
          .isEqualTo(port)
          .isEqualTo(extender.containerPort(tls ? "https" : "http"))
          .isEqualTo(servicePort(chart, tls ? "https" : "http"));
      ExtenderProperties props = ctx.getBean(ExtenderProperties.class);
      assertThat(props.agentPort()).isEqualTo(agent.port());
      assertThat(props.verbs().requireClientCertificate()).isEqualTo(tls);
      if (tls) {
        // READ_ELSEWHERE leaves Spring's variables out of the unbound check. The key store and
        // trust store show theirs bound by the calls below (and the start-up check); a
        // misspelt reload flag would show nothing until a renewal was not served.
        PemSslBundleProperties bundle =
            ctx.getBean(SslProperties.class).getBundle().getPem().get("extender");
        assertThat(bundle.isReloadOnUpdate())
            .as("SPRING_SSL_BUNDLE_PEM_EXTENDER_RELOADONUPDATE bound")
            .isTrue();
      }
      Caller anonymous =
          tls ? Caller.tls(anonymousContext(chart), SERVICE_HOST, port) : Caller.http(port);
      for (String probe : PROBES) {
        assertThat(extender.probePort(probe)).as(probe).isEqualTo(port);
        assertThat(extender.probeScheme(probe)).as(probe).isEqualTo(tls ? "HTTPS" : "HTTP");
        Await.until(
            probe + " answers 200",
            Duration.ofSeconds(30),
            () -> anonymous.status("GET", extender.probePath(probe), null) == 200);
      }
      for (String mode : SCHEDULER_CONFIG.keySet()) {
        String scheduler = "scheduler:\n  mode: " + mode + "\n";
        HelmChart.Manifests withMode = HelmChart.render(tmp, ports, values, scheduler);
        Map<String, Object> entry = extenderEntry(withMode, mode);
        assertThat(URI.create((String) entry.get("urlPrefix")))
            .as(mode)
            .isEqualTo(
                URI.create("%s://%s:%d".formatted(tls ? "https" : "http", SERVICE_HOST, port)));
        assertThat(entry.get("enableHTTPS")).as(mode).isEqualTo(tls);
        Caller kubeScheduler =
            tls
                ? Caller.tls(
                    schedulerContext(chart, withMode, entry, mode), serverName(entry), port)
                : anonymous;
        answersTheVerbs(kubeScheduler, entry, mode);
        if (tls) {
          assertThat(anonymous.status("POST", "/filter", "{}"))
              .as("the verbs without the scheduler's certificate")
              .isEqualTo(403);
        }
      }
    }
  }

  /**
   * What kube-scheduler presents: the files its tlsConfig names, where the chart's scheduler mounts
   * them (second-scheduler), or where the operator copied the client Secret's files (config-only).
   * The extender's Secret comes from {@code chart}: the render that started it.
   */
  private SSLContext schedulerContext(
      HelmChart.Manifests chart,
      HelmChart.Manifests withMode,
      Map<String, Object> entry,
      String mode)
      throws IOException {
    Map<String, Object> tlsConfig = map(entry, "tlsConfig");
    ContainerFiles files;
    if (mode.equals("second-scheduler")) {
      Map<String, Object> podSpec =
          withMode.podSpec("Deployment", HelmChart.RELEASE + "-scheduler");
      RenderedContainer scheduler = RenderedContainer.of(podSpec, "containers", "kube-scheduler");
      // The same certificates as the running extender's: each render generates new ones.
      files =
          ContainerFiles.mount(scheduler, podSpec, chart, tmp, tmp.resolve("scheduler-" + mode));
    } else {
      String dir = Path.of((String) tlsConfig.get("caFile")).getParent().toString();
      files = ContainerFiles.copied(chart, CLIENT_SECRET, dir, tmp.resolve("operator"));
    }
    return TlsClient.context(
        files.path((String) tlsConfig.get("caFile")),
        files.path((String) tlsConfig.get("certFile")),
        files.path((String) tlsConfig.get("keyFile")));
  }

  /**
   * The name kube-scheduler checks the extender's certificate against: tlsConfig.serverName, the
   * urlPrefix host. The client connects to 127.0.0.1 and checks this name, as kube-scheduler does
   * when an operator puts the Service's ClusterIP into urlPrefix (install.md, config-only).
   */
  private static String serverName(Map<String, Object> entry) {
    String serverName = (String) map(entry, "tlsConfig").get("serverName");
    assertThat(serverName)
        .as("tlsConfig.serverName")
        .isEqualTo(URI.create((String) entry.get("urlPrefix")).getHost())
        .isEqualTo(SERVICE_HOST);
    return serverName;
  }

  /** A client that trusts the chart's CA and has no certificate (kubelet, Prometheus, curl). */
  private SSLContext anonymousContext(HelmChart.Manifests chart) throws IOException {
    Path dir =
        ContainerFiles.copied(chart, CLIENT_SECRET, "/ca", tmp.resolve("anonymous")).path("/ca");
    return TlsClient.context(dir.resolve("ca.crt"), null, null);
  }

  /**
   * Filter, prioritize and bind at the paths kube-scheduler calls: {@code urlPrefix + "/" + verb}
   * (its HTTPExtender trims a trailing slash of urlPrefix).
   */
  private void answersTheVerbs(Caller http, Map<String, Object> entry, String mode)
      throws Exception {
    String base = URI.create((String) entry.get("urlPrefix")).getPath().replaceAll("/+$", "");
    String filter = base + "/" + entry.get("filterVerb");
    String prioritize = base + "/" + entry.get("prioritizeVerb");
    String bind = base + "/" + entry.get("bindVerb");
    Pod pod = pod("trainer-" + mode);

    // The first poll round may run before the node informer has listed node-in.
    Await.until(
        "node-in polled and passing " + filter,
        Duration.ofSeconds(30),
        () ->
            ExtenderHttp.names(
                    http.post(filter, ExtenderHttp.args(pod, List.of("node-in"))).get("nodenames"))
                .equals(List.of("node-in")));
    JsonNode filtered = http.post(filter, ExtenderHttp.args(pod, List.of("node-in", "node-out")));
    assertThat(ExtenderHttp.names(filtered.get("nodenames"))).containsExactly("node-in");
    assertThat(filtered.at("/failedAndUnresolvableNodes/node-out").asText())
        .as("a node outside the agents' selector is never polled")
        .contains("no k8s-rdma node agent is known for this node");

    if (!filter.equals("/filter")) {
      assertThat(http.status("POST", "/filter", "{}"))
          .as("the default path, once the verbs moved")
          .isEqualTo(404);
    }

    JsonNode priorities = http.post(prioritize, ExtenderHttp.args(pod, List.of("node-in")));
    assertThat(priorities.findValuesAsText("host")).containsExactly("node-in");

    JsonNode bound =
        http.post(
            bind,
            Map.of(
                "PodName", pod.getMetadata().getName(),
                "PodNamespace", pod.getMetadata().getNamespace(),
                "PodUID", pod.getMetadata().getUid(),
                "Node", "node-in"));
    assertThat(bound.has("error")).as(bound.toString()).isFalse();
    Pod after = client.pods().inNamespace("ml").withName(pod.getMetadata().getName()).get();
    assertThat(after.getSpec().getNodeName()).isEqualTo("node-in");
    assertThat(after.getMetadata().getAnnotations()).containsKey(Annotations.ASSIGNMENT);
  }

  private static ConfigurableApplicationContext start(List<String> args, Map<String, String> env) {
    SpringApplication app = new SpringApplication(SchedulerExtenderApplication.class);
    app.setEnvironment(new ContainerEnvironment(env));
    return app.run(args.toArray(String[]::new));
  }

  /** The variables of {@code env} that neither a k8s-rdma property nor a known reader takes. */
  private static Set<String> unbound(Map<String, String> env, ConfigurableApplicationContext ctx) {
    Set<String> unbound = new TreeSet<>(env.keySet());
    unbound.removeAll(ContainerEnvironment.boundVariables(ctx));
    unbound.removeAll(READ_ELSEWHERE.keySet());
    return unbound;
  }

  /** The Service's port, which must lead to the container's port named {@code name}. */
  private static int servicePort(HelmChart.Manifests chart, String name) {
    Map<String, Object> port = list(chart.get("Service", EXTENDER), "spec.ports").getFirst();
    assertThat(port.get("targetPort")).isEqualTo(name);
    return ((Number) port.get("port")).intValue();
  }

  /** The one entry of {@code extenders} in the scheduler ConfigMap of {@code mode}. */
  private static Map<String, Object> extenderEntry(HelmChart.Manifests chart, String mode) {
    List<String> configMap = SCHEDULER_CONFIG.get(mode);
    // The key has dots: no dotted path to it.
    Object config = map(chart.get("ConfigMap", configMap.get(0)), "data").get(configMap.get(1));
    Map<String, Object> parsed =
        new Yaml(new SafeConstructor(new LoaderOptions())).load((String) config);
    List<Map<String, Object>> extenders = list(parsed, "extenders");
    assertThat(extenders).as(mode).hasSize(1);
    return extenders.getFirst();
  }

  private Pod pod(String name) {
    return client.pods().inNamespace("ml").resource(TestPods.pendingRdmaPod("ml", name)).create();
  }

  private static Node node(String name, Map<String, String> labels) {
    return TestNodes.onLoopback(name).editMetadata().withLabels(labels).endMetadata().build();
  }
}
