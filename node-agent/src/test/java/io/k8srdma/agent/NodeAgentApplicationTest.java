package io.k8srdma.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.k8srdma.agent.config.AgentProperties.Mode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** How {@code main} chooses the mode before Spring starts. */
class NodeAgentApplicationTest {

  private static final Properties NO_SYS_PROPS = new Properties();

  @Test
  void serveIsTheDefault() {
    assertThat(mode(new String[] {}, Map.of())).isEqualTo(Mode.SERVE);
    assertThat(mode(new String[] {"--server.port=0"}, Map.of())).isEqualTo(Mode.SERVE);
  }

  @Test
  void aFirstArgumentInitSelectsInitAndBecomesTheProperty() {
    String[] args = {"init", "--k8s-rdma.agent.host-root=/host"};

    assertThat(mode(args, Map.of("K8S_RDMA_AGENT_MODE", "serve"))).isEqualTo(Mode.INIT);
    assertThat(NodeAgentApplication.springArgs(args))
        .containsExactly("--k8s-rdma.agent.mode=init", "--k8s-rdma.agent.host-root=/host");
  }

  @Test
  void initLaterInTheArgumentsIsNotAMode() {
    assertThat(mode(new String[] {"--x=1", "init"}, Map.of())).isEqualTo(Mode.SERVE);
  }

  @Test
  void thePropertyOnTheCommandLineSelectsTheMode() {
    String[] args = {"--k8s-rdma.agent.mode=INIT"};

    assertThat(mode(args, Map.of())).isEqualTo(Mode.INIT);
    assertThat(NodeAgentApplication.springArgs(args)).containsExactly(args);
  }

  @Test
  void aSystemPropertyOrTheEnvironmentSelectTheMode() {
    Properties sys = new Properties();
    sys.setProperty("k8s-rdma.agent.mode", "init");

    assertThat(NodeAgentApplication.modeOf(new String[] {}, sys::getProperty, Map.of()))
        .isEqualTo(Mode.INIT);
    assertThat(mode(new String[] {}, Map.of("K8S_RDMA_AGENT_MODE", "init"))).isEqualTo(Mode.INIT);
  }

  @Test
  void anUnknownModeIsRefusedWithTheKey() {
    assertThatThrownBy(() -> mode(new String[] {}, Map.of("K8S_RDMA_AGENT_MODE", "apply")))
        .hasMessage("k8s-rdma.agent.mode must be serve or init, got 'apply'");
  }

  @Test
  void mainReportsAnUnknownModeInOneLineAndExitsWithAUsageError() throws Exception {
    Process agent =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                NodeAgentApplication.class.getName(),
                "--k8s-rdma.agent.mode=apply")
            .redirectErrorStream(true)
            .start();
    try {
      assertThat(agent.waitFor(60, TimeUnit.SECONDS)).as("exited").isTrue();
      String output = new String(agent.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

      assertThat(agent.exitValue()).isEqualTo(NodeAgentApplication.BAD_MODE);
      // Contains, not equals: the JVM may print a line of its own (JAVA_TOOL_OPTIONS).
      assertThat(output)
          .contains(
              "APPLICATION FAILED TO START: k8s-rdma.agent.mode must be serve or init, got"
                  + " 'apply'")
          .doesNotContain("Exception")
          .doesNotContain("\tat ");
    } finally {
      agent.destroyForcibly();
    }
  }

  private static Mode mode(String[] args, Map<String, String> env) {
    return NodeAgentApplication.modeOf(args, NO_SYS_PROPS::getProperty, env);
  }
}
