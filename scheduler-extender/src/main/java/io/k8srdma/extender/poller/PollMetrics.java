package io.k8srdma.extender.poller;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Metrics of polling: {@code k8s_rdma_extender_poll_round_seconds}, {@code
 * k8s_rdma_extender_agents}, {@code k8s_rdma_extender_agents_reachable}, {@code
 * k8s_rdma_extender_agents_stale} and {@code k8s_rdma_extender_poll_answer_memory_bytes}.
 */
public class PollMetrics {

  private final Timer round;
  private final AtomicLong agents = new AtomicLong();
  private final AtomicLong reachable = new AtomicLong();
  private final AtomicLong stale = new AtomicLong();
  private final Duration staleness;
  private final MeterRegistry registry;

  public PollMetrics(MeterRegistry registry, Duration staleness) {
    this.staleness = staleness;
    this.registry = registry;
    round =
        Timer.builder("k8s_rdma_extender_poll_round")
            .description("Time to poll every agent once")
            .register(registry);
    gauge(registry, "k8s_rdma_extender_agents", agents);
    gauge(registry, "k8s_rdma_extender_agents_reachable", reachable);
    gauge(registry, "k8s_rdma_extender_agents_stale", stale);
  }

  /**
   * A gauge that holds its value strongly: {@code registry.gauge} holds it weakly, and reads NaN
   * once nothing else does.
   */
  private static void gauge(MeterRegistry registry, String name, AtomicLong value) {
    Gauge.builder(name, value, AtomicLong::get).strongReference(true).register(registry);
  }

  /** What the answers in flight hold of {@code poll.answer-memory}, read from {@code client}. */
  void watchAnswerMemory(AgentClient client) {
    Gauge.builder(
            "k8s_rdma_extender_poll_answer_memory_bytes", client, AgentClient::answerMemoryTaken)
        .description("Heap the agents' answers in flight hold, of poll.answer-memory")
        .strongReference(true)
        .register(registry);
  }

  void recordRound(Duration took, Collection<NodeState> nodes, Instant now) {
    round.record(took);
    agents.set(nodes.size());
    reachable.set(nodes.stream().filter(n -> n.lastError() == null).count());
    stale.set(nodes.stream().filter(n -> n.unusableReason(now, staleness) != null).count());
  }
}
