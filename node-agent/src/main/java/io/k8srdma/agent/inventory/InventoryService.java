package io.k8srdma.agent.inventory;

import io.k8srdma.agent.discovery.HostScanner;
import io.k8srdma.model.inventory.NodeInventory;
import io.k8srdma.model.inventory.PhysicalFunction;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds the node's current inventory and rescans the host on demand.
 *
 * <p>{@code generation} rises only when the content changes, so pollers skip unchanged nodes. It
 * starts from the wall clock in milliseconds, so it keeps rising across agent restarts and an ETag
 * from before a restart never matches a different inventory after it. A failed scan keeps the last
 * good inventory and records the failure for health.
 */
public class InventoryService {

  private static final Logger log = LoggerFactory.getLogger(InventoryService.class);

  private final String nodeName;
  private final HostScanner scanner;
  private final Clock clock;
  private final ScanMetrics metrics;
  private final AtomicReference<NodeInventory> current = new AtomicReference<>();
  private final AtomicReference<ScanStatus> status =
      new AtomicReference<>(ScanStatus.notYetScanned());

  /** Held while a scan runs. */
  private final ReentrantLock scanning = new ReentrantLock();

  private final Object queue = new Object();

  /** The scan that starts next, which the calls that came since the last one started share. */
  private CompletableFuture<ScanOutcome> queued;

  public InventoryService(String nodeName, HostScanner scanner, Clock clock, ScanMetrics metrics) {
    this.nodeName = nodeName;
    this.scanner = scanner;
    this.clock = clock;
    this.metrics = metrics;
  }

  /** The last good inventory; empty until the first scan succeeded. */
  public Optional<NodeInventory> current() {
    return Optional.ofNullable(current.get());
  }

  /** The outcome of the latest scan. */
  public ScanStatus status() {
    return status.get();
  }

  /**
   * Scans the host and publishes the result, in a scan that starts after this call: one runs at a
   * time, and the calls that come while one runs share the next. So the {@code POST /rescan}
   * requests that come during one scan (the endpoint is on the host network, unauthenticated) cost
   * one more scan between them, not one each, and no call waits for more than two.
   *
   * @return the outcome of a scan that started after this call
   */
  public ScanOutcome rescan() {
    CompletableFuture<ScanOutcome> next;
    boolean runsIt;
    synchronized (queue) {
      runsIt = queued == null;
      if (runsIt) {
        queued = new CompletableFuture<>();
      }
      next = queued;
    }
    if (!runsIt) {
      return outcomeOf(next);
    }
    scanning.lock();
    try {
      synchronized (queue) {
        // Calls from now on come after this scan's start: they queue the one after it.
        queued = null;
      }
      ScanOutcome outcome;
      try {
        outcome = scanOnce();
      } catch (RuntimeException | Error e) {
        next.completeExceptionally(e);
        throw e;
      }
      next.complete(outcome);
      return outcome;
    } finally {
      scanning.unlock();
    }
  }

  private static ScanOutcome outcomeOf(CompletableFuture<ScanOutcome> scan) {
    try {
      return scan.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw e;
    }
  }

  /** Scans the host now (the caller holds {@link #scanning}). */
  private ScanOutcome scanOnce() {
    Instant started = clock.instant();
    long t0 = System.nanoTime();
    List<PhysicalFunction> pfs;
    try {
      pfs = scanner.scan();
    } catch (RuntimeException e) {
      String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      NodeInventory kept = current.get();
      status.set(ScanStatus.failed(started, reason, kept != null));
      metrics.recordFailure();
      log.warn("scan failed on node {}: {} (keeping the last good inventory)", nodeName, reason);
      return ScanOutcome.failed(reason, kept == null ? null : kept.generation());
    }
    Duration took = Duration.ofNanos(System.nanoTime() - t0);
    boolean changed = publish(pfs, started);
    NodeInventory published = current.get();
    status.set(ScanStatus.succeeded(started, took));
    metrics.recordScan(took, published);
    return ScanOutcome.succeeded(changed, published.generation());
  }

  private boolean publish(List<PhysicalFunction> pfs, Instant scannedAt) {
    NodeInventory previous = current.get();
    if (previous != null && previous.pfs().equals(pfs)) {
      current.set(previous.withGeneration(previous.generation(), scannedAt));
      return false;
    }
    long generation =
        previous == null ? clock.millis() : Math.max(previous.generation() + 1, clock.millis());
    current.set(new NodeInventory(nodeName, generation, scannedAt, pfs));
    log.info(
        "inventory of node {} changed: generation {}, {} PFs, {} VFs",
        nodeName,
        generation,
        pfs.size(),
        pfs.stream().mapToInt(pf -> pf.vfs().size()).sum());
    return true;
  }
}
