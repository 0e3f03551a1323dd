package io.k8srdma.agent.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import io.k8srdma.agent.discovery.HostScanner;
import io.k8srdma.agent.discovery.Sysfs;
import io.k8srdma.agent.netlink.VfLinkInfo;
import io.k8srdma.agent.netlink.VfLinkInfoSource;
import io.k8srdma.agent.testhost.Hosts;
import io.k8srdma.model.inventory.NodeInventory;
import io.k8srdma.model.testing.Races;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.Status;

class InventoryServiceTest {

  private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");

  @TempDir Path dir;
  Path root;
  SimpleMeterRegistry registry = new SimpleMeterRegistry();
  InventoryService service;
  InventoryHealthIndicator health;

  @BeforeEach
  void setUp() {
    root = dir.resolve("host");
    Hosts.ibNdr(root);
    HostScanner scanner = new HostScanner(new Sysfs(root), VfLinkInfoSource.none());
    service =
        new InventoryService(
            "worker-7", scanner, Clock.fixed(T0, ZoneOffset.UTC), new ScanMetrics(registry));
    health = new InventoryHealthIndicator(service);
  }

  @Test
  void notReadyBeforeTheFirstScan() {
    assertThat(service.current()).isEmpty();
    Health h = health.health();
    assertThat(h.getStatus()).isEqualTo(Status.DOWN);
    assertThat(h.getDetails()).containsEntry("reason", "no scan has completed yet");
  }

  @Test
  void aScanFailingBeforeAnySucceededHasNoGeneration() throws Exception {
    Files.move(root, dir.resolve("moved-away"));

    ScanOutcome failed = service.rescan();

    assertThat(failed.ok()).isFalse();
    assertThat(failed.generation()).isNull();
    assertThat(failed.error()).isEqualTo(service.status().error());
  }

  @Test
  void firstScanPublishesAndMakesReady() {
    assertThat(service.rescan()).isEqualTo(new ScanOutcome(true, true, T0.toEpochMilli(), null));
    NodeInventory inv = service.current().orElseThrow();
    assertThat(inv.node()).isEqualTo("worker-7");
    assertThat(inv.generation()).isEqualTo(T0.toEpochMilli());
    assertThat(inv.pfs()).hasSize(2);
    assertThat(health.health().getStatus()).isEqualTo(Status.UP);
    assertThat(registry.get("k8s_rdma_agent_pfs").gauge().value()).isEqualTo(2.0);
    assertThat(registry.get("k8s_rdma_agent_vfs").tag("state", "FREE").gauge().value())
        .isEqualTo(4.0);
  }

  @Test
  void generationChangesOnlyWhenTheInventoryChanges() throws Exception {
    service.rescan();
    long g1 = service.current().orElseThrow().generation();
    assertThat(service.rescan()).isEqualTo(new ScanOutcome(true, false, g1, null));
    assertThat(service.current().orElseThrow().generation()).isEqualTo(g1);

    Files.delete(root.resolve("var/lib/cni/sriov/pci/0000:1a:00.4"));
    assertThat(service.rescan()).isEqualTo(new ScanOutcome(true, true, g1 + 1, null));
    assertThat(service.current().orElseThrow().generation()).isEqualTo(g1 + 1);
  }

  @Test
  void failedScanKeepsTheLastGoodInventoryAndReportsDownWithTheReason() throws Exception {
    service.rescan();
    NodeInventory good = service.current().orElseThrow();
    Files.move(root, dir.resolve("moved-away"));

    ScanOutcome failed = service.rescan();

    assertThat(failed.ok()).isFalse();
    assertThat(failed.changed()).isFalse();
    assertThat(failed.generation()).as("the inventory still served").isEqualTo(good.generation());
    assertThat(failed.error()).contains("sys/bus/pci/devices");
    assertThat(service.current()).contains(good);
    assertThat(service.status().ok()).isFalse();
    assertThat(service.status().hasInventory()).isTrue();
    Health h = health.health();
    assertThat(h.getStatus()).isEqualTo(Status.DOWN);
    assertThat((String) h.getDetails().get("reason")).contains("sys/bus/pci/devices");
    assertThat(registry.get("k8s_rdma_agent_scan_failures").counter().count()).isEqualTo(1.0);

    Files.move(dir.resolve("moved-away"), root);
    service.rescan();
    assertThat(health.health().getStatus()).as("recovers").isEqualTo(Status.UP);
  }

  @Test
  void aScrapeDuringAScanOfAnUnchangedNodeReadsTheNodesCounts() throws Exception {
    service.rescan();
    NodeInventory unchanged = service.current().orElseThrow();
    SimpleMeterRegistry scraped = new SimpleMeterRegistry();
    ScanMetrics metrics = new ScanMetrics(scraped);
    metrics.recordScan(Duration.ofMillis(1), unchanged);
    Gauge free = scraped.get("k8s_rdma_agent_vfs").tag("state", "FREE").gauge();

    List<String> misread =
        Races.readWhileWriting(
            20_000,
            () -> metrics.recordScan(Duration.ofMillis(1), unchanged),
            () -> free.value() == 4.0 ? null : "free VFs read " + free.value());

    assertThat(misread).isEmpty();
  }

  @Test
  void callsThatComeWhileAScanRunsShareTheNextScanWhichStartsAfterThem() throws Exception {
    HeldLinks links = new HeldLinks();
    InventoryService held =
        new InventoryService(
            "worker-7",
            new HostScanner(new Sysfs(root), links),
            Clock.fixed(T0, ZoneOffset.UTC),
            new ScanMetrics(new SimpleMeterRegistry()));
    long initial = held.rescan().generation();
    int callsPerScan = links.calls.get();
    assertThat(callsPerScan).as("the fake host's PFs have netdevs").isPositive();
    int later = 8;
    ExecutorService pool = Executors.newFixedThreadPool(1 + later);
    try {
      links.holdNext();
      Future<ScanOutcome> running = pool.submit(held::rescan);
      assertThat(links.held.await(20, TimeUnit.SECONDS)).as("the scan is running").isTrue();
      // A change the running scan may have missed: the calls that come now must see it.
      Files.delete(root.resolve("var/lib/cni/sriov/pci/0000:1a:00.4"));
      List<Future<ScanOutcome>> waiting = new ArrayList<>();
      for (int i = 0; i < later; i++) {
        waiting.add(pool.submit(held::rescan));
      }
      awaitParked(later);
      links.release.countDown();

      assertThat(running.get(20, TimeUnit.SECONDS).ok()).isTrue();
      List<ScanOutcome> shared = new ArrayList<>();
      for (Future<ScanOutcome> f : waiting) {
        shared.add(f.get(20, TimeUnit.SECONDS));
      }
      long now = held.current().orElseThrow().generation();
      assertThat(now).as("the change is published").isNotEqualTo(initial);
      assertThat(shared)
          .allSatisfy(o -> assertThat(o.ok()).isTrue())
          .extracting(ScanOutcome::generation)
          .containsOnly(now);
    } finally {
      links.release.countDown();
      pool.shutdownNow();
    }
    assertThat(links.calls.get())
        .as("three scans: the first, the running one, and the one the eight calls shared")
        .isEqualTo(3 * callsPerScan);
  }

  /**
   * Waits, bounded, until {@code count} threads are parked in the service (for the scan's lock or
   * the next scan): then they have all called before the next scan started.
   */
  private static void awaitParked(int count) throws InterruptedException {
    for (int i = 0; i < 2_000; i++) {
      long parked =
          Thread.getAllStackTraces().keySet().stream()
              .filter(InventoryServiceTest::isParked)
              .filter(t -> isIn(t, "InventoryService"))
              // Not the scan held in the fake host's netlink source.
              .filter(t -> !isIn(t, "InventoryServiceTest$HeldLinks"))
              .count();
      if (parked >= count) {
        return;
      }
      Thread.sleep(10);
    }
    throw new AssertionError(count + " calls did not all wait for the next scan within 20 s");
  }

  private static boolean isParked(Thread t) {
    return t.getState() == Thread.State.WAITING || t.getState() == Thread.State.BLOCKED;
  }

  private static boolean isIn(Thread t, String className) {
    for (StackTraceElement frame : t.getStackTrace()) {
      if (frame.getClassName().endsWith("." + className)) {
        return true;
      }
    }
    return false;
  }

  /** VF details of nobody, counting its calls, that can hold the next scan until released. */
  private static final class HeldLinks implements VfLinkInfoSource {
    final AtomicInteger calls = new AtomicInteger();
    final CountDownLatch held = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    private final AtomicBoolean holdNext = new AtomicBoolean();

    void holdNext() {
      holdNext.set(true);
    }

    @Override
    public Map<Integer, VfLinkInfo> vfInfo(String pfNetdev) {
      calls.incrementAndGet();
      if (holdNext.compareAndSet(true, false)) {
        held.countDown();
        try {
          release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return Map.of();
    }
  }
}
