package io.k8srdma.extender.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.k8srdma.extender.SchedulerExtenderApplication;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * An environment variable meant to set {@code static-agents.<node>} stops the start with Spring
 * Boot's one-paragraph failure report, as every other bad setting does.
 */
@ExtendWith(OutputCaptureExtension.class)
class StaticAgentsFromEnvironmentTest {

  @Test
  void stopsTheStartNamingTheVariableWithoutAStackTrace(CapturedOutput output) {
    StandardEnvironment environment = new StandardEnvironment();
    environment
        .getPropertySources()
        .replace(
            StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
            new SystemEnvironmentPropertySource(
                StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                Map.of("K8S_RDMA_EXTENDER_STATIC_AGENTS_NODE_1", "http://127.0.0.1:8089")));

    assertThatThrownBy(
            () ->
                new SpringApplicationBuilder(SchedulerExtenderApplication.class)
                    .environment(environment)
                    .web(WebApplicationType.SERVLET)
                    .run(
                        "--server.port=0",
                        "--k8s-rdma.extender.kubernetes.enabled=false",
                        "--spring.jmx.enabled=false")
                    .close())
        .rootCause()
        .isInstanceOf(InvalidConfigurationPropertyValueException.class);
    assertThat(output)
        .contains("APPLICATION FAILED TO START")
        .contains(
            "Invalid value 'environment variable K8S_RDMA_EXTENDER_STATIC_AGENTS_NODE_1' for"
                + " configuration property 'k8s-rdma.extender.static-agents'")
        .contains("an environment variable cannot spell a node name")
        .doesNotContain("Application run failed");
  }
}
