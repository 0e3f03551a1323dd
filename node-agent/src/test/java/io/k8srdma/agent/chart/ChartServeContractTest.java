package io.k8srdma.agent.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.k8srdma.agent.NodeAgentApplication;
import io.k8srdma.agent.config.AgentProperties;
import io.k8srdma.agent.config.AgentProperties.Mode;
import io.k8srdma.agent.netlink.RtnetlinkClient;
import io.k8srdma.agent.netlink.VfLinkInfoSource;
import io.k8srdma.agent.testhost.Hosts;
import io.k8srdma.charttest.ContainerEnvironment;
import io.k8srdma.charttest.ContainerFiles;
import io.k8srdma.charttest.HelmChart;
import io.k8srdma.charttest.RenderedContainer;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The agent's serving container as the chart renders it: the DaemonSet's {@code agent} container
 * (arguments, environment, host mounts) starts the real application against a fake host; it listens
 * on the port the probes and the extender use, its probes answer, and so does {@code /vfs}.
 */
class ChartServeContractTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final List<String> PROBES =
      List.of("startupProbe", "livenessProbe", "readinessProbe");

  /** The chart's variables that no k8s-rdma property binds, and what reads them instead. */
  private static final Map<String, String> READ_ELSEWHERE =
      Map.of(
          "SERVER_PORT", "Spring Boot, as server.port",
          "NODE_NAME", "application.yaml, as the default of k8s-rdma.agent.node-name",
          "JAVA_TOOL_OPTIONS", "the JVM");

  @TempDir Path tmp;

  /** Values under {@code agent} besides its port (YAML), and the node {@code /vfs} reports. */
  static Stream<Arguments> values() {
    return Stream.of(
        Arguments.of("the defaults", "", "worker-1"),
        Arguments.of(
            "every setting of the agent",
            """
            hostRoot: /rootfs
            scanInterval: 250ms
            netlink: false
            extraEnv:
              - name: K8S_RDMA_AGENT_NODE_NAME
                value: renamed-node
            """,
            "renamed-node"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("values")
  void theAgentContainerServesOnTheRenderedPort(String what, String agentValues, String node)
      throws Exception {
    // The rendered port is used as it is, so that the probes' port is checked too.
    int port = freePort();
    HelmChart.Manifests chart =
        HelmChart.render(tmp, "agent:\n  port: %d\n%s".formatted(port, agentValues.indent(2)));
    RenderedContainer agent = agentContainer(chart);
    ContainerFiles files = onFakeHost(agent, chart);
    String[] args = files.args(agent.args());
    Map<String, String> env = files.env(agent.env(Map.of("spec.nodeName", "worker-1")));

    Mode mode = NodeAgentApplication.modeOf(args, key -> null, env);
    try (ConfigurableApplicationContext ctx = start(mode, args, env)) {
      assertThat(mode).isEqualTo(Mode.SERVE);
      assertThat(unbound(env, ctx)).isEmpty();
      assertThat(((WebServerApplicationContext) ctx).getWebServer().getPort())
          .isEqualTo(port)
          .isEqualTo(agent.containerPort("http"));
      for (String probe : PROBES) {
        assertThat(agent.probePort(probe)).as(probe).isEqualTo(port);
        awaitOk(port, agent.probePath(probe));
      }
      JsonNode vfs = JSON.readTree(awaitOk(port, "/vfs"));
      assertThat(vfs.get("node").asText()).isEqualTo(node);
      assertThat(vfs.get("pfs").findValuesAsText("name")).contains("ibp26s0", "ibp60s0");
      assertSettings(ctx, env);
    }
  }

  /** The settings the agent runs with are the rendered ones. */
  private static void assertSettings(ConfigurableApplicationContext ctx, Map<String, String> env) {
    AgentProperties props = ctx.getBean(AgentProperties.class);
    assertThat(props.hostRootPath()).isEqualTo(Path.of(env.get("K8S_RDMA_AGENT_HOST_ROOT")));
    assertThat(props.hostRootPath().resolve("sys/bus/pci/devices")).isDirectory();
    assertThat(props.scanInterval())
        .isEqualTo(DurationStyle.detectAndParse(env.get("K8S_RDMA_AGENT_SCAN_INTERVAL")));
    boolean netlink = Boolean.parseBoolean(env.get("K8S_RDMA_AGENT_NETLINK"));
    assertThat(props.netlink()).isEqualTo(netlink);
    assertThat(ctx.getBean(VfLinkInfoSource.class) instanceof RtnetlinkClient)
        .as("rtnetlink in use")
        .isEqualTo(netlink);
  }

  /**
   * The shortest scan intervals: each is refused by values.schema.json, at {@code helm install}, or
   * bound by the agent; none may pass the one and crash-loop in the other.
   */
  @ParameterizedTest(name = "scanInterval {0}")
  @CsvSource(
      value = {"0ms, /agent/scanInterval", "1ms, "},
      nullValues = "")
  void whatTheSchemaAcceptsTheAgentBinds(String interval, String refusedAt) throws Exception {
    String values = "agent:\n  scanInterval: " + interval + "\n";
    if (refusedAt != null) {
      assertThatThrownBy(() -> HelmChart.render(tmp, values))
          .hasMessageContaining("values don't meet the specifications of the schema")
          .hasMessageContaining(refusedAt);
      return;
    }
    HelmChart.Manifests chart = HelmChart.render(tmp, values);
    RenderedContainer agent = agentContainer(chart);
    ContainerFiles files = onFakeHost(agent, chart);
    Map<String, String> env =
        new LinkedHashMap<>(files.env(agent.env(Map.of("spec.nodeName", "n"))));
    env.put("SERVER_PORT", "0"); // only the binding matters here

    try (ConfigurableApplicationContext ctx = start(Mode.SERVE, files.args(agent.args()), env)) {
      assertThat(ctx.getBean(AgentProperties.class).scanInterval())
          .isEqualTo(DurationStyle.detectAndParse(interval));
    }
  }

  private static RenderedContainer agentContainer(HelmChart.Manifests chart) {
    return RenderedContainer.of(agentPod(chart), "containers", "agent");
  }

  private static Map<String, Object> agentPod(HelmChart.Manifests chart) {
    return chart.podSpec("DaemonSet", HelmChart.RELEASE + "-agent");
  }

  /** The container's volumes, its host paths on a fake host with two InfiniBand PFs. */
  private ContainerFiles onFakeHost(RenderedContainer agent, HelmChart.Manifests chart)
      throws IOException {
    Path host = Files.createDirectories(tmp.resolve("host"));
    Hosts.ibNdr(host);
    return ContainerFiles.mount(agent, agentPod(chart), chart, host, tmp);
  }

  private static ConfigurableApplicationContext start(
      Mode mode, String[] args, Map<String, String> env) {
    SpringApplication app = NodeAgentApplication.application(mode);
    app.setEnvironment(new ContainerEnvironment(env));
    return app.run(NodeAgentApplication.springArgs(args));
  }

  /** The variables of {@code env} that neither a k8s-rdma property nor a known reader takes. */
  private static Set<String> unbound(Map<String, String> env, ConfigurableApplicationContext ctx) {
    Set<String> unbound = new TreeSet<>(env.keySet());
    unbound.removeAll(ContainerEnvironment.boundVariables(ctx));
    unbound.removeAll(READ_ELSEWHERE.keySet());
    return unbound;
  }

  /**
   * GETs {@code path} until it answers 200 and returns the body; readiness waits for the first
   * scan, which runs on its own thread.
   */
  private static String awaitOk(int port, String path) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(10))
            .build();
    HttpResponse<String> response = null;
    for (int attempt = 0; attempt < 300; attempt++) {
      response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() == 200) {
        return response.body();
      }
      Thread.sleep(100);
    }
    throw new AssertionError(path + " answered " + response.statusCode() + ": " + response.body());
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
