package io.k8srdma.extender.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.k8srdma.extender.bind.AssignmentWrite;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

/**
 * Binding and validation of {@code k8s-rdma.extender.*} through Spring Boot's real binder (with
 * bean validation, as {@code @Validated} asks), without starting the whole extender.
 */
class ExtenderPropertiesTest {

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner().withUserConfiguration(PropertiesOnly.class);

  @Configuration(proxyBeanMethods = false)
  @EnableConfigurationProperties(ExtenderProperties.class)
  static class PropertiesOnly {}

  @Test
  void defaults() {
    ExtenderProperties p = bind();

    assertThat(p.agentPort()).isEqualTo(8089);
    assertThat(p.staticAgents()).isEmpty();
    assertThat(p.poll())
        .isEqualTo(
            new ExtenderProperties.Poll(Duration.ofSeconds(5), Duration.ofSeconds(2), 64, 0.2));
    assertThat(p.staleness()).isEqualTo(Duration.ofSeconds(30));
    assertThat(p.inFlightTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(p.placement()).isEqualTo(new ExtenderProperties.Placement("binpack", 1.0, true));
    assertThat(p.kubernetes()).isEqualTo(new ExtenderProperties.Kubernetes("auto", null));
    assertThat(p.bind().assignmentWrite()).isEqualTo(AssignmentWrite.BEFORE_BINDING);
  }

  @Test
  void bindsEverySetting() {
    ExtenderProperties p =
        bind(
            "k8s-rdma.extender.agent-port=9099",
            "k8s-rdma.extender.static-agents.worker-1=http://10.0.0.7:8089",
            "k8s-rdma.extender.static-agents.worker-2=https://[fd00::2]:8443/agent/",
            "k8s-rdma.extender.poll.interval=750ms",
            "k8s-rdma.extender.poll.timeout=250ms",
            "k8s-rdma.extender.poll.concurrency=8",
            "k8s-rdma.extender.poll.jitter=0.5",
            "k8s-rdma.extender.poll.answer-memory=16MB",
            "k8s-rdma.extender.staleness=1m",
            "k8s-rdma.extender.in-flight-timeout=45s",
            "k8s-rdma.extender.placement.policy=spread",
            "k8s-rdma.extender.placement.oversubscription=1.5",
            "k8s-rdma.extender.placement.numa-bonus=false",
            "k8s-rdma.extender.kubernetes.enabled=false",
            "k8s-rdma.extender.kubernetes.master-url=https://api.example:6443",
            "k8s-rdma.extender.bind.write-assignment=with-binding");

    assertThat(p.agentPort()).isEqualTo(9099);
    assertThat(p.staticAgentUrls())
        .isEqualTo(
            Map.of(
                "worker-1", URI.create("http://10.0.0.7:8089"),
                "worker-2", URI.create("https://[fd00::2]:8443/agent/")));
    assertThat(p.poll())
        .isEqualTo(
            new ExtenderProperties.Poll(
                Duration.ofMillis(750),
                Duration.ofMillis(250),
                8,
                0.5,
                org.springframework.util.unit.DataSize.ofMegabytes(16)));
    assertThat(p.staleness()).isEqualTo(Duration.ofMinutes(1));
    assertThat(p.inFlightTimeout()).isEqualTo(Duration.ofSeconds(45));
    assertThat(p.placement()).isEqualTo(new ExtenderProperties.Placement("spread", 1.5, false));
    assertThat(p.kubernetes())
        .isEqualTo(
            new ExtenderProperties.Kubernetes("false", URI.create("https://api.example:6443")));
    assertThat(p.bind().assignmentWrite()).isEqualTo(AssignmentWrite.WITH_BINDING);
  }

  @Test
  void anInFlightTimeoutShorterThanAPollRoundIsAccepted() {
    // The ledger's upkeep runs on a timer of its own, a quarter of the timeout apart.
    assertThat(bind("k8s-rdma.extender.in-flight-timeout=2s").inFlightTimeout())
        .isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void dottedNodeNamesStayWholeStaticAgentKeys() {
    // Node names are DNS subdomains, e.g. ip-10-0-0-7.ec2.internal on EKS.
    ExtenderProperties p =
        bind("k8s-rdma.extender.static-agents.ip-10-0-0-7.ec2.internal=http://10.0.0.7:8089");

    assertThat(p.staticAgentUrls())
        .containsExactly(Map.entry("ip-10-0-0-7.ec2.internal", URI.create("http://10.0.0.7:8089")));
  }

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          staleness              | 0s          | k8s-rdma.extender.staleness must be positive
          in-flight-timeout      | -1s         | k8s-rdma.extender.in-flight-timeout must be positive
          staleness              | 7500ms      | k8s-rdma.extender.staleness (7.5s) must be longer than k8s-rdma.extender.poll.interval plus its jitter plus k8s-rdma.extender.poll.timeout (8s): every node would turn stale
          poll.interval          | 1m          | k8s-rdma.extender.staleness (30s) must be longer than k8s-rdma.extender.poll.interval plus its jitter plus k8s-rdma.extender.poll.timeout (74s)
          poll.interval          | 0ms         | k8s-rdma.extender.poll.interval must be positive
          poll.interval          | 5           | k8s-rdma.extender.poll.interval must be at least 0.1s, got 0.005s (a number without a unit means milliseconds)
          poll.timeout           | 2           | k8s-rdma.extender.poll.timeout must be at least 0.01s, got 0.002s
          in-flight-timeout      | 30          | k8s-rdma.extender.in-flight-timeout must be at least 1s, got 0.03s
          poll.intervall         | 1s          | k8s-rdma.extender.poll.intervall
          static.agents.node.1   | http://x:1  | k8s-rdma.extender.static.agents.node.1
          poll.timeout           | -5s         | k8s-rdma.extender.poll.timeout must be positive
          placement.policy       | random      | k8s-rdma.extender.placement.policy must be binpack or spread
          placement.policy       | BinPack     | k8s-rdma.extender.placement.policy must be binpack or spread
          kubernetes.enabled     | maybe       | k8s-rdma.extender.kubernetes.enabled must be auto, true or false
          static-agents.n1       | ftp://x     | k8s-rdma.extender.static-agents.n1 must be an http(s) URL
          static-agents.n1       | http:///vfs | k8s-rdma.extender.static-agents.n1 must be an http(s) URL
          static-agents.n1       | 10.0.0.7    | k8s-rdma.extender.static-agents.n1 must be an http(s) URL
          static-agents.n1       | not a url   | k8s-rdma.extender.static-agents.n1 must be an http(s) URL
          static-agents.n1       | http://10.0.0.7:99999 | k8s-rdma.extender.static-agents.n1 must be an http(s) URL
          poll.jitter            | 0.6         | k8s-rdma.extender.poll.jitter
          poll.jitter            | -0.1        | k8s-rdma.extender.poll.jitter
          poll.concurrency       | 0           | k8s-rdma.extender.poll.concurrency
          poll.answer-memory     | 1MB         | k8s-rdma.extender.poll.answer-memory must be at least 8MB (one answer at the size limit), got 1MB
          agent-port             | 70000       | k8s-rdma.extender.agent-port
          placement.oversubscription | 0       | k8s-rdma.extender.placement.oversubscription
          bind.write-assignment  | after       | k8s-rdma.extender.bind.write-assignment must be before-binding or with-binding
          verbs.filter           | /           | k8s-rdma.extender.verbs.filter must be a path like /filter, got '/'
          verbs.bind             | /v1/bind/   | k8s-rdma.extender.verbs.bind must be a path like /bind, got '/v1/bind/'
          verbs.prioritize       | /actuator/health | k8s-rdma.extender.verbs.prioritize must not be a path the extender serves otherwise (/inventory, /error, /actuator/...), got '/actuator/health'
          verbs.filter           | /inventory  | k8s-rdma.extender.verbs.filter must not be a path the extender serves otherwise
          verbs.bind             | /filter     | k8s-rdma.extender.verbs.filter, .prioritize and .bind must be three different paths, got /filter, /prioritize and /filter
          verbs.prioritize       | /bind       | k8s-rdma.extender.verbs.filter, .prioritize and .bind must be three different paths, got /filter, /bind and /bind
          """)
  void invalidSettingIsRefusedNamingItsKey(String key, String value, String expected) {
    runner
        .withPropertyValues("k8s-rdma.extender." + key + "=" + value)
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(messages(context.getStartupFailure())).contains(expected);
            });
  }

  @Test
  void staticAgentsCannotComeFromEnvironmentVariables() {
    ExtenderProperties.refuseStaticAgentsFromEnvironment(
        Map.of("K8S_RDMA_EXTENDER_AGENT_PORT", "9099", "PATH", "/bin"));
    assertThatThrownBy(
            () ->
                ExtenderProperties.refuseStaticAgentsFromEnvironment(
                    Map.of("K8S_RDMA_EXTENDER_STATIC_AGENTS_NODE_1", "http://10.0.0.7:8089")))
        .hasMessageContaining(
            "Property k8s-rdma.extender.static-agents with value 'environment variable"
                + " K8S_RDMA_EXTENDER_STATIC_AGENTS_NODE_1' is invalid: an environment variable"
                + " cannot spell a node name");
  }

  // --- helpers ---------------------------------------------------------------------------------

  private ExtenderProperties bind(String... properties) {
    List<ExtenderProperties> bound = new ArrayList<>();
    runner
        .withPropertyValues(properties)
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              bound.add(context.getBean(ExtenderProperties.class));
            });
    return bound.getFirst();
  }

  /** Every message of the exception and its causes, one line each: what the operator sees. */
  private static String messages(Throwable failure) {
    StringBuilder all = new StringBuilder();
    for (Throwable t = failure; t != null; t = t.getCause()) {
      all.append(t.getMessage()).append('\n');
    }
    return all.toString();
  }
}
