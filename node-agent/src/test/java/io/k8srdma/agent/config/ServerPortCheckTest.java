package io.k8srdma.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.k8srdma.agent.NodeAgentApplication;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

/** A port no socket can have stops the start with one paragraph naming it, not a stack trace. */
@ExtendWith(OutputCaptureExtension.class)
class ServerPortCheckTest {

  @TempDir Path root;

  @ParameterizedTest
  @ValueSource(ints = {70000, 65536, -2})
  void aPortOutOfRangeStopsTheStartNamingThePropertyAndTheRange(int port, CapturedOutput output) {
    assertThatThrownBy(() -> start("--server.port=" + port).close())
        .rootCause()
        .isInstanceOf(InvalidConfigurationPropertyValueException.class)
        .hasMessageContaining("server.port");
    assertThat(output)
        .contains("APPLICATION FAILED TO START")
        .contains("Invalid value '" + port + "' for configuration property 'server.port'")
        .contains("must be between 0 and 65535")
        .doesNotContain("Application run failed")
        .doesNotContain("port out of range");
  }

  private ConfigurableApplicationContext start(String port) {
    return new SpringApplicationBuilder(NodeAgentApplication.class)
        .web(WebApplicationType.SERVLET)
        .run(
            port,
            "--k8s-rdma.agent.host-root=" + root,
            "--k8s-rdma.agent.netlink=false",
            "--k8s-rdma.agent.node-name=n1",
            "--spring.jmx.enabled=false");
  }
}
