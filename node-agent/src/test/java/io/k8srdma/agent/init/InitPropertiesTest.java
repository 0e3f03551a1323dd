package io.k8srdma.agent.init;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/** Binding and start-up validation of {@code k8s-rdma.agent.init}. */
class InitPropertiesTest {

  @Test
  void defaults() {
    InitProperties props = bind(Map.of());

    assertThat(props.policies()).isEmpty();
    assertThat(props.vfTimeout()).isEqualTo(Duration.ofSeconds(120));
    assertThat(props.pollInterval()).isEqualTo(Duration.ofMillis(500));
  }

  @Test
  void bindsPoliciesWithNumbersAndMax() {
    InitProperties props =
        bind(
            Map.of(
                "k8s-rdma.agent.init.policies[0].name", "ibp26s0",
                "k8s-rdma.agent.init.policies[0].num-vfs", "8",
                "k8s-rdma.agent.init.policies[1].link-layer", "InfiniBand",
                "k8s-rdma.agent.init.policies[1].vendor-id", "15b3",
                "k8s-rdma.agent.init.policies[1].num-vfs", "max",
                "k8s-rdma.agent.init.vf-timeout", "30s",
                "k8s-rdma.agent.init.poll-interval", "100ms"));

    assertThat(props.policies()).hasSize(2);
    assertThat(props.policies().get(0).vfCount()).isEqualTo(new VfCount(8));
    assertThat(props.policies().get(1).vfCount()).isEqualTo(VfCount.MAX);
    assertThat(props.policies().get(1).describeSelector())
        .isEqualTo("vendor-id=15b3,link-layer=InfiniBand");
    assertThat(props.vfTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(props.pollInterval()).isEqualTo(Duration.ofMillis(100));
  }

  @Test
  void bindsPoliciesFromEnvironmentVariables() {
    SystemEnvironmentPropertySource env =
        new SystemEnvironmentPropertySource(
            "systemEnvironment",
            Map.of(
                "K8S_RDMA_AGENT_INIT_POLICIES_0_PCI_ADDRESS", "0000:1a:00.0",
                "K8S_RDMA_AGENT_INIT_POLICIES_0_NUM_VFS", "4",
                "K8S_RDMA_AGENT_INIT_VF_TIMEOUT", "10s"));
    MutablePropertySources sources = new MutablePropertySources();
    sources.addFirst(env);

    InitProperties props =
        new Binder(ConfigurationPropertySources.from(sources))
            .bindOrCreate(InitProperties.PREFIX, InitProperties.class);

    assertThat(props.policies())
        .singleElement()
        .extracting(VfPolicy::pciAddress)
        .isEqualTo("0000:1a:00.0");
    assertThat(props.policies().get(0).vfCount()).isEqualTo(new VfCount(4));
    assertThat(props.vfTimeout()).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void rejectsAPolicyWithoutSelector() {
    assertThatThrownBy(() -> bind(Map.of("k8s-rdma.agent.init.policies[0].num-vfs", "4")))
        .isInstanceOf(BindException.class)
        .rootCause()
        .hasMessageContaining(
            "k8s-rdma.agent.init.policies[0].name|pci-address|vendor-id|device-id|link-layer:"
                + " no selector given");
  }

  @Test
  void rejectsANegativeCountNamingTheKey() {
    assertThatThrownBy(
            () ->
                bind(
                    Map.of(
                        "k8s-rdma.agent.init.policies[0].name", "ibp26s0",
                        "k8s-rdma.agent.init.policies[0].num-vfs", "-1")))
        .rootCause()
        .hasMessage("k8s-rdma.agent.init.policies[0].num-vfs: must not be negative, got -1");
  }

  @Test
  void rejectsAWordOtherThanMax() {
    assertThatThrownBy(
            () ->
                bind(
                    Map.of(
                        "k8s-rdma.agent.init.policies[0].name", "ibp26s0",
                        "k8s-rdma.agent.init.policies[0].num-vfs", "all")))
        .rootCause()
        .hasMessage(
            "k8s-rdma.agent.init.policies[0].num-vfs:"
                + " must be a non-negative integer or 'max', got 'all'");
  }

  @Test
  void reportsEveryProblemAtOnce() {
    assertThatThrownBy(
            () ->
                bind(
                    Map.of(
                        "k8s-rdma.agent.init.policies[0].name", "ibp26s0",
                        "k8s-rdma.agent.init.policies[1].link-layer", "Unknown",
                        "k8s-rdma.agent.init.policies[1].num-vfs", "2",
                        "k8s-rdma.agent.init.poll-interval", "0s")))
        .rootCause()
        .hasMessage(
            "k8s-rdma.agent.init.policies[0].num-vfs: is required (a non-negative integer or"
                + " 'max'); k8s-rdma.agent.init.policies[1].link-layer: must be InfiniBand or"
                + " Ethernet, got 'Unknown'; k8s-rdma.agent.init.poll-interval: must be positive,"
                + " got PT0S");
  }

  @Test
  void vfCountParsesNumbersAndMax() {
    assertThat(VfCount.parse(" 12 ").resolve(16)).isEqualTo(12);
    assertThat(VfCount.parse("MAX").resolve(16)).isEqualTo(16);
    assertThat(VfCount.parse("0")).hasToString("0");
    assertThat(VfCount.MAX).hasToString("max");
    assertThatThrownBy(() -> VfCount.parse("1.5")).isInstanceOf(IllegalArgumentException.class);
  }

  private static InitProperties bind(Map<String, String> properties) {
    ConfigurationPropertySource source = new MapConfigurationPropertySource(properties);
    return new Binder(source).bindOrCreate(InitProperties.PREFIX, InitProperties.class);
  }
}
