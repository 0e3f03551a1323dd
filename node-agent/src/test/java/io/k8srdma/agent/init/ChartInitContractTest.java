package io.k8srdma.agent.init;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.k8srdma.agent.NodeAgentApplication;
import io.k8srdma.agent.config.AgentProperties.Mode;
import io.k8srdma.agent.testhost.FakeHost;
import io.k8srdma.agent.testhost.Mlx5;
import io.k8srdma.agent.testhost.PciFunction;
import io.k8srdma.agent.testhost.VfKind;
import io.k8srdma.charttest.ContainerEnvironment;
import io.k8srdma.charttest.ContainerFiles;
import io.k8srdma.charttest.HelmChart;
import io.k8srdma.charttest.RenderedContainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The chart's VF policy, as the agent's init container gets it: the DaemonSet's {@code vf-policy}
 * init container (its arguments, environment and mounts) and the ConfigMap's {@code policy.yaml}
 * start the real application in init mode against a fake host. Every policy field the template can
 * write is bound by {@link InitProperties}, which refuses unknown keys in files, and applied.
 */
class ChartInitContractTest {

  private static final String IB = "0000:1a:00.0";
  private static final String ROCE = "0000:3b:00.0";

  /** The chart's variables that no k8s-rdma property binds, and what reads them instead. */
  private static final Map<String, String> READ_ELSEWHERE =
      Map.of(
          "NODE_NAME", "application.yaml, as the default of k8s-rdma.agent.node-name",
          "JAVA_TOOL_OPTIONS", "the JVM");

  @TempDir Path tmp;
  private Path host;
  private final SimulatedKernel kernel = new SimulatedKernel();

  /**
   * A ConnectX-7 InfiniBand PF with SR-IOV on and no VFs yet, and a ConnectX-6 Dx RoCE port with 2
   * of 8 VFs enabled.
   */
  @BeforeEach
  void host() throws IOException {
    host = Files.createDirectories(tmp.resolve("host"));
    FakeHost fake = FakeHost.at(host);
    PciFunction ib =
        Mlx5.ibPf(
            fake, "pci0000:15/0000:15:01.0", IB, "ibp26s0", "mlx5_0", 0, "400 Gb/sec (4X NDR)");
    Mlx5.enableVfs(ib, "ibp26s0", true, 16, 0, 1, 10, n -> VfKind.FREE);
    PciFunction roce =
        Mlx5.rocePf(
            fake,
            "pci0000:3a/0000:3a:01.0",
            ROCE,
            "enp59s0f0np0",
            "mlx5_1",
            1,
            100000,
            "100 Gb/sec (4X EDR)");
    Mlx5.enableVfs(roce, "enp59s0f0np0", false, 8, 2, 2, 30, n -> VfKind.FREE);
    kernel.pf(ib, "ibp26s0", true, 10).pf(roce, "enp59s0f0np0", false, 30);
  }

  @AfterEach
  void settle() throws InterruptedException {
    kernel.settle();
  }

  /**
   * Values of {@code agent.vfPolicy.policies} (YAML, as in a values file), the VF counts the PFs
   * end with, and the policies as {@link InitProperties} binds them.
   */
  static Stream<Arguments> policies() {
    return Stream.of(
        Arguments.of(
            "name, numVfs a number",
            "[{name: ibp26s0, numVfs: 4}]",
            counts(4, 2),
            List.of(new VfPolicy("ibp26s0", null, null, null, null, "4"))),
        Arguments.of(
            "pciAddress in capitals, numVfs max",
            "[{pciAddress: \"0000:3B:00.0\", numVfs: max}]",
            counts(0, 8),
            List.of(new VfPolicy(null, "0000:3B:00.0", null, null, null, "max"))),
        Arguments.of(
            "vendorId with 0x, deviceId",
            "[{vendorId: \"0x15b3\", deviceId: \"1021\", numVfs: 6}]",
            counts(6, 2),
            List.of(new VfPolicy(null, null, "0x15b3", "1021", null, "6"))),
        Arguments.of(
            "linkLayer, numVfs 0",
            "[{linkLayer: Ethernet, numVfs: 0}]",
            counts(0, 0),
            List.of(new VfPolicy(null, null, null, null, "Ethernet", "0"))),
        Arguments.of(
            "every selector in one policy, the first match wins",
            """
            [{name: ibp26s0, pciAddress: "0000:1a:00.0", vendorId: "15b3", deviceId: "1021",
              linkLayer: InfiniBand, numVfs: max},
             {vendorId: "15b3", numVfs: 3}]""",
            counts(16, 3),
            List.of(
                new VfPolicy("ibp26s0", IB, "15b3", "1021", "InfiniBand", "max"),
                new VfPolicy(null, null, "15b3", null, null, "3"))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("policies")
  void theInitContainerAppliesTheRenderedPolicy(
      String what, String policies, Map<String, Integer> counts, List<VfPolicy> bound)
      throws IOException {
    Launch init = initContainer(HelmChart.render(tmp, values(policies)));

    Mode mode = NodeAgentApplication.modeOf(init.args(), key -> null, init.env());
    try (ConfigurableApplicationContext ctx = start(mode, init)) {
      assertThat(mode).isEqualTo(Mode.INIT);
      InitProperties props = ctx.getBean(InitProperties.class);
      assertThat(props.policies()).isEqualTo(bound);
      assertThat(props.vfTimeout()).isEqualTo(Duration.ofSeconds(90));
      assertThat(unbound(init.env(), ctx)).isEmpty();
      assertThat(ctx.getBean(InitRunner.class).report().failures()).isEmpty();
      assertThat(SpringApplication.exit(ctx)).as("exit code").isZero();
      assertThat(numVfs()).as("sriov_numvfs, writes %s", kernel.writes()).isEqualTo(counts);
    }
  }

  @ParameterizedTest(name = "removeVfsInUse: {0}")
  @ValueSource(strings = {"", "false", "true"})
  void removingVfsInUseReachesInitAsRendered(String removeVfsInUse) throws IOException {
    String values =
        """
        agent:
          vfPolicy:
            enabled: true
            policies: [{name: ibp26s0, numVfs: 4}]
            %s
        """
            .formatted(removeVfsInUse.isEmpty() ? "" : "removeVfsInUse: " + removeVfsInUse);
    Launch init = initContainer(HelmChart.render(tmp, values));

    try (ConfigurableApplicationContext ctx = start(Mode.INIT, init)) {
      assertThat(ctx.getBean(InitProperties.class).removeVfsInUse())
          .isEqualTo(removeVfsInUse.equals("true"));
    }
  }

  /**
   * Values at the edges of what values.schema.json accepts: each is refused by the schema, at
   * {@code helm install}, or bound by init; none may pass the one and crash-loop in the other.
   */
  static Stream<Arguments> edges() {
    return Stream.of(
        Arguments.of("vfTimeout: 0s", "[{name: ibp26s0, numVfs: 0}]", "/agent/vfPolicy/vfTimeout"),
        Arguments.of("vfTimeout: 1ms", "[{name: ibp26s0, numVfs: 0}]", null),
        // A PF's TotalVFs is a 16-bit register; helm formats numbers from 1e6 up as 1e+06.
        Arguments.of("vfTimeout: 90s", "[{name: ibp26s0, numVfs: 65535}]", null),
        Arguments.of(
            "vfTimeout: 90s", "[{name: ibp26s0, numVfs: 65536}]", "/agent/vfPolicy/policies/0"),
        Arguments.of(
            "vfTimeout: 90s", "[{name: ibp26s0, numVfs: 1000000}]", "/agent/vfPolicy/policies/0"));
  }

  @ParameterizedTest(name = "{0}, {1}")
  @MethodSource("edges")
  void whatTheSchemaAcceptsInitBinds(String timeout, String policies, String refusedAt)
      throws IOException {
    String values =
        """
        agent:
          vfPolicy:
            enabled: true
            %s
            policies: %s
        """
            .formatted(timeout, policies);
    if (refusedAt != null) {
      assertThatThrownBy(() -> HelmChart.render(tmp, values))
          .hasMessageContaining("values don't meet the specifications of the schema")
          .hasMessageContaining(refusedAt);
      return;
    }
    Launch init = initContainer(HelmChart.render(tmp, values));

    // Bound; applying 65535 VFs then fails on a PF with 16, as it should.
    try (ConfigurableApplicationContext ctx = start(Mode.INIT, init)) {
      assertThat(ctx.getBean(InitProperties.class).policies()).hasSize(1);
    }
  }

  /** What the kubelet would start the init container with, its paths on the fake host. */
  private record Launch(String[] args, Map<String, String> env) {}

  private Launch initContainer(HelmChart.Manifests chart) throws IOException {
    Map<String, Object> podSpec = chart.podSpec("DaemonSet", HelmChart.RELEASE + "-agent");
    RenderedContainer init = RenderedContainer.of(podSpec, "initContainers", "vf-policy");
    ContainerFiles files = ContainerFiles.mount(init, podSpec, chart, host, tmp);
    return new Launch(
        files.args(init.args()), files.env(init.env(Map.of("spec.nodeName", "worker-1"))));
  }

  private ConfigurableApplicationContext start(Mode mode, Launch init) {
    SpringApplication app = NodeAgentApplication.application(mode);
    app.setEnvironment(new ContainerEnvironment(init.env()));
    // Stands in for the kernel; InitConfiguration's default writer backs off when one exists.
    app.addInitializers(ctx -> ctx.getBeanFactory().registerSingleton("sriovWriter", onFakeHost()));
    return app.run(NodeAgentApplication.springArgs(init.args()));
  }

  /**
   * The simulated kernel, refusing any file outside the fake host: with a host root the chart got
   * wrong, the agent would scan this machine's own {@code /sys}, and its PFs must stay untouched.
   */
  private SriovWriter onFakeHost() {
    return (file, n) -> {
      if (!file.toRealPath().startsWith(host.toRealPath())) {
        throw new AssertionError("init wrote outside the fake host: " + file);
      }
      kernel.write(file, n);
    };
  }

  private static String values(String policies) {
    return """
        agent:
          vfPolicy:
            enabled: true
            vfTimeout: 90s
            policies: %s
        """
        .formatted(policies.indent(8).strip());
  }

  /** The variables of {@code env} that neither a k8s-rdma property nor a known reader takes. */
  private static Set<String> unbound(Map<String, String> env, ConfigurableApplicationContext ctx) {
    Set<String> unbound = new TreeSet<>(env.keySet());
    unbound.removeAll(ContainerEnvironment.boundVariables(ctx));
    unbound.removeAll(READ_ELSEWHERE.keySet());
    return unbound;
  }

  private Map<String, Integer> numVfs() throws IOException {
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (String pf : Arrays.asList(IB, ROCE)) {
      Path file = host.resolve("sys/bus/pci/devices").resolve(pf).resolve("sriov_numvfs");
      counts.put(pf, Integer.parseInt(Files.readString(file).strip()));
    }
    return counts;
  }

  private static Map<String, Integer> counts(int ib, int roce) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    counts.put(IB, ib);
    counts.put(ROCE, roce);
    return counts;
  }
}
