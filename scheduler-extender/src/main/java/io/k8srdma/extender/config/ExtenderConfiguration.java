package io.k8srdma.extender.config;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.k8srdma.extender.agents.AgentDirectory;
import io.k8srdma.extender.agents.NodeAgentDirectory;
import io.k8srdma.extender.agents.StaticAgentDirectory;
import io.k8srdma.extender.api.VerbMetrics;
import io.k8srdma.extender.bind.BindService;
import io.k8srdma.extender.ledger.Ledger;
import io.k8srdma.extender.ledger.LedgerUpkeep;
import io.k8srdma.extender.ledger.PodLedgerSync;
import io.k8srdma.extender.poller.AgentClient;
import io.k8srdma.extender.poller.InventoryCache;
import io.k8srdma.extender.poller.InventoryPoller;
import io.k8srdma.extender.poller.PollMetrics;
import io.k8srdma.extender.scheduling.NodeEvaluator;
import io.k8srdma.model.placement.PlacementOptions;
import io.k8srdma.model.placement.ScoringPolicy;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;

/** Wires the extender: agents, poller, cache, ledger, evaluator and binder. */
@Configuration(proxyBeanMethods = false)
public class ExtenderConfiguration {

  private static final Logger log = LoggerFactory.getLogger(ExtenderConfiguration.class);

  /** Monotonic, so that a step of the system clock changes no staleness or in-flight expiry. */
  @Bean
  Clock clock() {
    return new MonotonicClock();
  }

  @Bean(destroyMethod = "close")
  KubernetesAccess kubernetesAccess(ExtenderProperties props) {
    KubernetesAccess access = KubernetesAccess.from(props.kubernetes(), System.getenv());
    log.info(
        "Kubernetes API: {}",
        access.client().map(c -> c.getMasterUrl().toString()).orElse("none (bind disabled)"));
    return access;
  }

  /**
   * The environment variables Spring binds from: its property source of them, which tests replace,
   * else the process's.
   */
  private static Map<String, Object> systemEnvironment(ConfigurableEnvironment environment) {
    PropertySource<?> source =
        environment
            .getPropertySources()
            .get(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME);
    return source instanceof MapPropertySource map
        ? map.getSource()
        : environment.getSystemEnvironment();
  }

  /** Spring closes a {@link NodeAgentDirectory} (its informer) before the client it uses. */
  @Bean
  AgentDirectory agentDirectory(
      ExtenderProperties props,
      KubernetesAccess k8s,
      MeterRegistry registry,
      ConfigurableEnvironment environment) {
    ExtenderProperties.refuseStaticAgentsFromEnvironment(systemEnvironment(environment));
    if (!props.staticAgents().isEmpty()) {
      log.info("agents from k8s-rdma.extender.static-agents: {}", props.staticAgents().keySet());
      return new StaticAgentDirectory(props.staticAgentUrls());
    }
    Optional<KubernetesClient> client = k8s.client();
    if (client.isPresent()) {
      NodeAgentDirectory nodes =
          new NodeAgentDirectory(client.get(), props.agentPort(), props.agentNodeSelector());
      if (!props.agentNodeSelector().isBlank()) {
        log.info("agents on the Nodes matching {}", props.agentNodeSelector());
      }
      watchingGauge(registry, "nodes", nodes, NodeAgentDirectory::watching);
      return nodes;
    }
    log.warn("no agents: set k8s-rdma.extender.static-agents.<node>=<url> or run in a cluster");
    return new StaticAgentDirectory(Map.of());
  }

  @Bean
  InventoryCache inventoryCache() {
    return new InventoryCache();
  }

  @Bean
  Ledger ledger(ExtenderProperties props, Clock clock) {
    return new Ledger(clock, props.inFlightTimeout());
  }

  @Bean(destroyMethod = "close")
  PodLedgerSync podLedgerSync(KubernetesAccess k8s, Ledger ledger, MeterRegistry registry) {
    PodLedgerSync sync = new PodLedgerSync(k8s.client().orElse(null), ledger);
    if (k8s.client().isPresent()) {
      watchingGauge(registry, "pods", sync, PodLedgerSync::watching);
    }
    return sync;
  }

  @Bean
  PollMetrics pollMetrics(MeterRegistry registry, ExtenderProperties props, Ledger ledger) {
    registry.gauge("k8s_rdma_extender_ledger_pods", ledger, Ledger::size);
    return new PollMetrics(registry, props.staleness());
  }

  /**
   * {@code k8s_rdma_extender_informer_watching{informer}}: 1 while the informer watches the API, 0
   * while it does not. A pod watch that stays down means bind's decisions are held unconfirmed; a
   * node watch that stays down means new nodes go unseen. The sources are singletons, so the
   * gauge's weak reference to them holds.
   */
  private static <T> void watchingGauge(
      MeterRegistry registry, String informer, T source, Predicate<T> watching) {
    Gauge.builder("k8s_rdma_extender_informer_watching", source, s -> watching.test(s) ? 1 : 0)
        .tag("informer", informer)
        .description("1 while the informer is watching the API, 0 while it is not")
        .register(registry);
  }

  /** The poller's event loop, its own so that poll rounds never delay bind's API calls. */
  @Bean(destroyMethod = "close")
  Vertx agentVertx() {
    return SingleLoopVertx.create();
  }

  /** The poller's client for the agents; Spring closes it before its event loop. */
  @Bean(destroyMethod = "close")
  AgentClient agentClient(Vertx agentVertx, ExtenderProperties props) {
    return new AgentClient(agentVertx, props.poll());
  }

  @Bean
  InventoryPoller inventoryPoller(
      AgentDirectory directory,
      InventoryCache cache,
      AgentClient client,
      ExtenderProperties props,
      Clock clock,
      PollMetrics metrics) {
    return new InventoryPoller(directory, cache, client, props.poll(), clock, metrics);
  }

  @Bean
  LedgerUpkeep ledgerUpkeep(
      PodLedgerSync sync, Ledger ledger, InventoryCache cache, ExtenderProperties props) {
    return new LedgerUpkeep(sync, ledger, props.inFlightTimeout(), cache::knows);
  }

  @Bean
  NodeEvaluator nodeEvaluator(
      InventoryCache cache, Ledger ledger, ExtenderProperties props, Clock clock) {
    ExtenderProperties.Placement p = props.placement();
    PlacementOptions options =
        PlacementOptions.defaults()
            .withPolicy(ScoringPolicy.valueOf(p.policy().toUpperCase(Locale.ROOT)))
            .withOversubscription(p.oversubscription())
            .withNumaBonus(p.numaBonus());
    return new NodeEvaluator(cache, ledger, options, props.staleness(), clock);
  }

  @Bean
  BindService bindService(
      KubernetesAccess k8s,
      NodeEvaluator evaluator,
      Ledger ledger,
      PodLedgerSync sync,
      ExtenderProperties props) {
    return new BindService(
        k8s.client().orElse(null), evaluator, ledger, sync::cached, props.bind().assignmentWrite());
  }

  @Bean
  VerbMetrics verbMetrics(MeterRegistry registry) {
    return new VerbMetrics(registry);
  }

  /**
   * Readiness: the nodes are known, a poll round over all of them is done and, with an API, the pod
   * ledger is complete.
   */
  @Bean("extender")
  HealthIndicator extenderReadiness(
      AgentDirectory directory, InventoryPoller poller, PodLedgerSync sync) {
    return () -> {
      if (!directory.synced()) {
        return Health.down().withDetail("reason", "node informer not synced yet").build();
      }
      if (!poller.firstRoundDone()) {
        return Health.down().withDetail("reason", "first poll round not done yet").build();
      }
      if (!sync.synced()) {
        return Health.down().withDetail("reason", "pod informer not synced yet").build();
      }
      return Health.up().build();
    };
  }
}
