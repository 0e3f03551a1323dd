package io.k8srdma.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.k8srdma.agent.NodeAgentApplication;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.bind.UnboundConfigurationPropertiesException;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

/** Start-up validation: a bad value stops the agent with a message naming the key. */
@ExtendWith(OutputCaptureExtension.class)
class AgentPropertiesTest {

  @Test
  void defaults() {
    try (ConfigurableApplicationContext ctx = start("--k8s-rdma.agent.node-name=n1")) {
      AgentProperties props = ctx.getBean(AgentProperties.class);
      assertThat(props.hostRootPath()).isEqualTo(Path.of("/"));
      assertThat(props.scanInterval()).isEqualTo(Duration.ofSeconds(10));
      assertThat(props.mode()).isEqualTo(AgentProperties.Mode.SERVE);
    }
  }

  @Test
  void nodeNameDefaultsToTheDownwardApiVariable() {
    try (ConfigurableApplicationContext ctx = start("--NODE_NAME=worker-9")) {
      assertThat(ctx.getBean(AgentProperties.class).nodeName()).isEqualTo("worker-9");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"0s", "-5s", "500us"})
  void scanIntervalBelowOneMillisecondIsRejectedNamingTheKey(String interval) {
    // The scanner's timer counts in milliseconds: 500us would have been 0, and crashed start-up.
    assertThatThrownBy(() -> start("--k8s-rdma.agent.scan-interval=" + interval))
        .rootCause()
        .hasMessageContaining("k8s-rdma.agent.scan-interval must be at least 1ms");
  }

  @Test
  void unparsableScanIntervalIsRejectedNamingTheKey() {
    assertThatThrownBy(() -> start("--k8s-rdma.agent.scan-interval=soon"))
        .hasMessageContaining("k8s-rdma.agent");
  }

  @Test
  void blankNodeNameIsRejectedNamingTheField() {
    assertThatThrownBy(() -> start("--k8s-rdma.agent.node-name= "))
        .hasStackTraceContaining("nodeName");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "--k8s-rdma.agent.scan-intervall=1s",
        "--spring.application.json={\"k8s-rdma\":{\"agent\":{\"scan-intervall\":\"1s\"}}}"
      })
  void aMisspeltKeyStopsTheStartNamingIt(String arg, CapturedOutput output) {
    // Ignored, it would leave the default interval in force without a word.
    assertThatThrownBy(() -> start(arg))
        .rootCause()
        .isInstanceOf(UnboundConfigurationPropertiesException.class)
        .hasMessageContaining("k8s-rdma.agent.scan-intervall");
    assertThat(output)
        .contains("APPLICATION FAILED TO START")
        .contains("Property: k8s-rdma.agent.scan-intervall")
        .doesNotContain("Application run failed");
  }

  @Test
  void initSettingsAreNoUnknownKeysWhenServing() {
    // The chart may give both containers the policy; init mode checks those keys itself.
    try (ConfigurableApplicationContext ctx =
        start(
            "--k8s-rdma.agent.init.vf-timeout=5s",
            "--k8s-rdma.agent.init.policies[0].name=ibp26s0",
            "--k8s-rdma.agent.init.policies[0].num-vfs=8",
            "--k8s-rdma.agent.init.policies[0].link-layr=InfiniBand")) {
      assertThat(ctx.getBean(AgentProperties.class).mode()).isEqualTo(AgentProperties.Mode.SERVE);
    }
  }

  private static ConfigurableApplicationContext start(String... args) {
    return new SpringApplicationBuilder(NodeAgentApplication.class)
        .web(WebApplicationType.NONE)
        .run(concat(args, "--k8s-rdma.agent.netlink=false", "--spring.main.banner-mode=off"));
  }

  private static String[] concat(String[] a, String... b) {
    String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}
