package io.k8srdma.agent.init;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.k8srdma.agent.NodeAgentApplication;
import io.k8srdma.agent.config.AgentProperties.Mode;
import io.k8srdma.agent.inventory.InventoryService;
import io.k8srdma.agent.testhost.FakeHost;
import io.k8srdma.agent.testhost.Mlx5;
import io.k8srdma.agent.testhost.PciFunction;
import io.k8srdma.agent.testhost.VfKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Starts the real application the way {@code main} does, against a fake host root, with the policy
 * in a YAML file given by {@code --spring.config.additional-location}.
 */
@ExtendWith(OutputCaptureExtension.class)
class InitModeApplicationTest {

  @TempDir Path root;
  @TempDir Path config;
  private final SimulatedKernel kernel = new SimulatedKernel();

  @BeforeEach
  void host() {
    FakeHost host = FakeHost.at(root);
    PciFunction pf =
        Mlx5.ibPf(
            host,
            "pci0000:15/0000:15:01.0",
            "0000:1a:00.0",
            "ibp26s0",
            "mlx5_0",
            0,
            "400 Gb/sec (4X NDR)");
    Mlx5.enableVfs(pf, "ibp26s0", true, 16, 4, 1, 10, n -> VfKind.FREE);
    kernel.pf(pf, "ibp26s0", true, 10);
  }

  @AfterEach
  void settle() throws InterruptedException {
    kernel.settle();
  }

  @Test
  void initAppliesThePolicyWithoutAWebServerAndExitsZero() throws IOException {
    String[] args = args("init", policy("ibp26s0", "max"));
    Mode mode = NodeAgentApplication.modeOf(args, k -> null, Map.of());

    try (ConfigurableApplicationContext ctx = start(NodeAgentApplication.application(mode), args)) {
      assertThat(mode).isEqualTo(Mode.INIT);
      assertThat(ctx).isNotInstanceOf(WebServerApplicationContext.class);
      assertThat(ctx.getBeansOfType(InventoryService.class)).as("serve beans").isEmpty();
      assertThat(kernel.writes()).containsExactly("0000:1a:00.0=0", "0000:1a:00.0=16");
      assertThat(SpringApplication.exit(ctx)).isZero();
    }
  }

  @Test
  void initExitsOneWhenAPolicyFails() throws IOException {
    String[] args = args("init", policy("ibp99s0", "4"));

    try (ConfigurableApplicationContext ctx =
        start(NodeAgentApplication.application(Mode.INIT), args)) {
      assertThat(ctx.getBean(InitRunner.class).report().failures())
          .containsExactly("policy #0 (name=ibp99s0) matched no PF");
      assertThat(SpringApplication.exit(ctx)).isEqualTo(1);
    }
  }

  @Test
  void anInvalidPolicyStopsTheStartNamingTheKey() throws IOException {
    String[] args = args("init", policy("ibp26s0", "-2"));

    assertThatThrownBy(() -> start(NodeAgentApplication.application(Mode.INIT), args).close())
        .rootCause()
        .hasMessageContaining("k8s-rdma.agent.init.policies[0].num-vfs: must not be negative");
    assertThat(kernel.writes()).isEmpty();
  }

  @Test
  void aMisspeltPolicyKeyStopsTheStartNamingIt() throws IOException {
    Path file = config.resolve("typo.yaml");
    Files.writeString(
        file,
        """
        k8s-rdma:
          agent:
            init:
              policies:
                - name: ibp26s0
                  num-vfs: 8
                  link-layr: InfiniBand
        """);

    assertThatThrownBy(
            () -> start(NodeAgentApplication.application(Mode.INIT), args("init", file)).close())
        .hasStackTraceContaining("k8s-rdma.agent.init.policies[0].link-layr");
    assertThat(kernel.writes()).isEmpty();
  }

  @Test
  void aMisspeltAgentKeyStopsInitTooNamingIt() throws IOException {
    String[] withTypo = args("init", policy("ibp26s0", "4"));
    String[] args = Arrays.copyOf(withTypo, withTypo.length + 1);
    args[withTypo.length] = "--k8s-rdma.agent.host-rot=/";

    assertThatThrownBy(() -> start(NodeAgentApplication.application(Mode.INIT), args).close())
        .rootCause()
        .hasMessageContaining("k8s-rdma.agent.host-rot");
    assertThat(kernel.writes()).isEmpty();
  }

  @Test
  void serveModeLoadsNoInitBeansAndIgnoresInitSettings() throws IOException {
    String[] args = args("serve", policy("ibp26s0", "-2"));
    SpringApplication app = NodeAgentApplication.application(Mode.SERVE);
    app.setWebApplicationType(WebApplicationType.NONE); // no port needed to check the beans

    try (ConfigurableApplicationContext ctx = start(app, args)) {
      assertThat(ctx.getBeansOfType(InventoryService.class)).hasSize(1);
      assertThat(ctx.getBeansOfType(InitRunner.class)).isEmpty();
      assertThat(ctx.getBeansOfType(InitProperties.class)).isEmpty();
      assertThat(kernel.writes()).isEmpty();
    }
  }

  @Test
  void initSetOnlyInAConfigFileIsRefusedRatherThanServingForever(CapturedOutput output)
      throws IOException {
    Path file = policy("ibp26s0", "4");
    Files.writeString(
        file, "k8s-rdma.agent.mode: init\nserver.port: 0\n", StandardOpenOption.APPEND);
    String[] withMode = args("serve", file);
    String[] args = Arrays.copyOfRange(withMode, 1, withMode.length); // no mode on the command line

    assertThatThrownBy(() -> start(NodeAgentApplication.application(Mode.SERVE), args).close())
        .rootCause()
        .isInstanceOf(InvalidConfigurationPropertyValueException.class)
        .hasMessageContaining("init mode must be chosen before start-up");
    assertThat(kernel.writes()).isEmpty();
    assertThat(output)
        .contains("APPLICATION FAILED TO START")
        .contains("Invalid value 'init' for configuration property 'k8s-rdma.agent.mode'")
        .doesNotContain("Application run failed");
  }

  private ConfigurableApplicationContext start(SpringApplication app, String[] args) {
    // Stands in for the kernel; InitConfiguration's default writer backs off when one exists.
    app.addInitializers(ctx -> ctx.getBeanFactory().registerSingleton("sriovWriter", kernel));
    return app.run(NodeAgentApplication.springArgs(args));
  }

  private String[] args(String mode, Path policyFile) {
    return new String[] {
      mode,
      "--k8s-rdma.agent.host-root=" + root,
      "--k8s-rdma.agent.netlink=false",
      "--spring.config.additional-location=file:" + policyFile,
      "--spring.jmx.enabled=false"
    };
  }

  private Path policy(String name, String numVfs) throws IOException {
    Path file = config.resolve("policy.yaml");
    Files.writeString(
        file,
        """
        k8s-rdma:
          agent:
            init:
              vf-timeout: 5s
              poll-interval: 10ms
              policies:
                - name: %s
                  num-vfs: %s
        """
            .formatted(name, numVfs));
    return file;
  }
}
