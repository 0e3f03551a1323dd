package io.k8srdma.agent.inventory;

import io.k8srdma.model.inventory.NodeInventory;
import io.k8srdma.model.inventory.PhysicalFunction;
import io.k8srdma.model.inventory.VfState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Prometheus metrics of the scan: {@code k8s_rdma_agent_scan_seconds}, {@code
 * k8s_rdma_agent_scan_failures_total}, {@code k8s_rdma_agent_pfs} and {@code
 * k8s_rdma_agent_vfs{state}}.
 */
public class ScanMetrics {

  private final Timer scanTimer;
  private final Counter failures;
  private final AtomicLong pfs = new AtomicLong();
  private final Map<VfState, AtomicLong> vfsByState = new EnumMap<>(VfState.class);

  public ScanMetrics(MeterRegistry registry) {
    scanTimer =
        Timer.builder("k8s_rdma_agent_scan")
            .description("Time to scan the host's sysfs")
            .register(registry);
    failures =
        Counter.builder("k8s_rdma_agent_scan_failures")
            .description("Scans that failed")
            .register(registry);
    gauge(registry, "k8s_rdma_agent_pfs", Tags.empty(), pfs);
    for (VfState state : VfState.values()) {
      AtomicLong count = new AtomicLong();
      vfsByState.put(state, count);
      gauge(registry, "k8s_rdma_agent_vfs", Tags.of("state", state.name()), count);
    }
  }

  /**
   * A gauge that holds its value strongly: {@code registry.gauge} holds it weakly, and reads NaN
   * once nothing else does.
   */
  private static void gauge(MeterRegistry registry, String name, Tags tags, AtomicLong value) {
    Gauge.builder(name, value, AtomicLong::get).tags(tags).strongReference(true).register(registry);
  }

  void recordScan(Duration took, NodeInventory inventory) {
    scanTimer.record(took);
    pfs.set(inventory.pfs().size());
    // Counted apart and set once each: a scrape reads the gauges while this runs, and must not see
    // a state's count at zero or half counted on an unchanged node.
    long[] counts = new long[VfState.values().length];
    for (PhysicalFunction pf : inventory.pfs()) {
      pf.vfs().forEach(vf -> counts[vf.state().ordinal()]++);
    }
    vfsByState.forEach((state, gauge) -> gauge.set(counts[state.ordinal()]));
  }

  void recordFailure() {
    failures.increment();
  }
}
