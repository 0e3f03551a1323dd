package io.k8srdma.bench.extender;

import io.k8srdma.bench.agent.LatencySummary;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.HdrHistogram.Histogram;

/**
 * Schedules pods through the extender as kube-scheduler does in {@code nodenames} mode: {@code POST
 * /filter} with the candidate names, {@code POST /prioritize} with the names filter kept, {@code
 * POST /bind} to the best-scoring one. Only the HTTP exchanges are timed; building request bodies
 * and reading answers happen between the timings. Closing it closes the load clients' connections
 * ({@link DriverTransport}).
 */
final class SchedulingDriver implements AutoCloseable {

  private static final int MAX_BIND_ERRORS_REPORTED = 5;

  private final AtomicInteger bindErrorsReported = new AtomicInteger();

  private final DriverTransport transport;
  private final SimulatedCluster cluster;
  private final ExtenderWire wire;
  private final FakeKubeApi api;
  private final PodFactory pods;
  private final int candidates;
  private final int keepPods;

  /** The pods scheduled and not yet deleted, oldest first (at most {@link #keepPods}). */
  private final Deque<String> kept = new ArrayDeque<>();

  /**
   * @param transport what the exchanges go through (a connection per load client, or the JDK's
   *     client)
   * @param candidates how many node names each filter call carries (kube-scheduler's feasible set)
   * @param pods the pods to schedule
   * @param keepPods how many scheduled pods stay in the fake API (and so in the extender's pod
   *     informer and ledger) before the oldest is deleted; 0 deletes each pod after its cycle
   */
  SchedulingDriver(
      DriverTransport transport,
      SimulatedCluster cluster,
      FakeKubeApi api,
      int candidates,
      PodFactory pods,
      int keepPods) {
    this.transport = transport;
    this.cluster = cluster;
    this.wire = new ExtenderWire(cluster);
    this.api = api;
    this.candidates = candidates;
    this.pods = pods;
    this.keepPods = keepPods;
  }

  /**
   * kube-scheduler's adaptive {@code percentageOfNodesToScore}: it stops looking once it found
   * {@code max(5, 50 - N/125)} % of N feasible nodes, and at least 100 (all when N ≤ 100); those
   * are what the extender's filter gets.
   */
  static int feasibleNodesToFind(int n) {
    if (n <= 100) {
      return n;
    }
    int percent = Math.max(5, 50 - n / 125);
    return Math.max(100, n * percent / 100);
  }

  /**
   * Percentiles of one measured run of scheduling cycles.
   *
   * @param filter filter calls
   * @param prioritize prioritize calls
   * @param filterPrioritize filter plus prioritize of the same pod
   * @param bind bind calls
   * @param cycle whole cycles; its throughput is cycles/s
   * @param meanPassing mean number of nodes filter kept
   * @param unschedulable pods no candidate node fitted (no bind sent)
   * @param bindErrors binds that answered an error
   * @param exchanges every filter + prioritize exchange, when and how long (for {@link
   *     TailAttribution})
   */
  record CycleStats(
      LatencySummary filter,
      LatencySummary prioritize,
      LatencySummary filterPrioritize,
      LatencySummary bind,
      LatencySummary cycle,
      double meanPassing,
      long unschedulable,
      long bindErrors,
      List<FpExchange> exchanges) {}

  /**
   * The filter and the prioritize of one pod as the driver timed them.
   *
   * @param filter from sending the filter request to its answer
   * @param prioritize from sending the prioritize request to its answer
   */
  record FpExchange(Span filter, Span prioritize) {
    /** Filter plus prioritize, without the driver's time between them. */
    long nanos() {
      return filter.nanos() + prioritize.nanos();
    }

    /** Whether either exchange overlapped any of {@code spans}. */
    boolean overlapsAny(List<Span> spans) {
      for (Span s : spans) {
        if (filter.overlaps(s) || prioritize.overlaps(s)) {
          return true;
        }
      }
      return false;
    }
  }

  /**
   * Untimed cycles so the extender's JIT and caches are warm: half from one client, half shared by
   * {@code clients} (the most the measured runs use). Concurrent requests take paths one client
   * never does (Tomcat's second connection, contended queues); warmed by one client only, the
   * extender threw that code away and compiled it again in the measured concurrent runs.
   */
  void warmUp(int cycles, int clients) throws IOException, InterruptedException {
    int together = clients > 1 ? cycles / 2 : 0;
    new Client(0, false).run(RunLength.of(cycles - together));
    if (together > 0) {
      runClients(clients, RunLength.of(Math.max(1, together / clients)), false);
    }
  }

  /** Pods one after another from one client, as many as {@code length} says. */
  CycleStats sequential(RunLength length) throws IOException, InterruptedException {
    return concurrent(1, length);
  }

  /** {@code clients} clients each scheduling {@code cyclesEach} pods back to back. */
  CycleStats concurrent(int clients, int cyclesEach) throws IOException, InterruptedException {
    return concurrent(clients, RunLength.of(cyclesEach));
  }

  private CycleStats concurrent(int clients, RunLength each)
      throws IOException, InterruptedException {
    long t0 = System.nanoTime();
    List<Client> all = runClients(clients, each, true);
    return merge(all, Duration.ofNanos(System.nanoTime() - t0));
  }

  private List<Client> runClients(int clients, RunLength each, boolean keepExchanges)
      throws IOException, InterruptedException {
    List<Client> all = new ArrayList<>();
    List<Future<?>> done = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      for (int i = 0; i < clients; i++) {
        Client c = new Client(i + 1, keepExchanges);
        all.add(c);
        done.add(pool.submit(() -> c.run(each)));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } catch (ExecutionException e) {
      throw new IOException("a scheduling client failed", e.getCause());
    } finally {
      pool.shutdownNow();
    }
    return all;
  }

  /** {@code requests} filter calls that each carry every node of the cluster. */
  LatencySummary filterAllNodes(int requests) throws IOException, InterruptedException {
    Client c = new Client(99, false);
    int[] every = window(0, cluster.size());
    long t0 = System.nanoTime();
    c.channel = transport.acquire();
    try {
      for (int i = 0; i < requests; i++) {
        PodFactory.BenchPod pod = pods.next(c.rnd);
        c.filter(pod, every, every.length);
      }
    } finally {
      transport.release(c.channel);
      c.channel = null;
    }
    return LatencySummary.of(c.filter, c.errors, Duration.ofNanos(System.nanoTime() - t0));
  }

  /** What the transport did so far, for the log. */
  String transportSummary() {
    return transport.summary();
  }

  @Override
  public void close() {
    transport.close();
  }

  private static CycleStats merge(List<Client> clients, Duration elapsed) {
    Histogram f = LatencySummary.newHistogram();
    Histogram p = LatencySummary.newHistogram();
    Histogram fp = LatencySummary.newHistogram();
    Histogram b = LatencySummary.newHistogram();
    Histogram cy = LatencySummary.newHistogram();
    long passing = 0;
    long unschedulable = 0;
    long bindErrors = 0;
    long errors = 0;
    List<FpExchange> exchanges = new ArrayList<>();
    for (Client c : clients) {
      f.add(c.filter);
      p.add(c.prioritize);
      fp.add(c.filterPrioritize);
      b.add(c.bind);
      cy.add(c.cycle);
      passing += c.passing;
      unschedulable += c.unschedulable;
      bindErrors += c.bindErrors;
      errors += c.errors;
      exchanges.addAll(c.exchanges);
    }
    long cycles = cy.getTotalCount();
    return new CycleStats(
        LatencySummary.of(f, errors, elapsed),
        LatencySummary.of(p, 0, elapsed),
        LatencySummary.of(fp, 0, elapsed),
        LatencySummary.of(b, bindErrors, elapsed),
        LatencySummary.of(cy, errors + bindErrors, elapsed),
        cycles == 0 ? 0 : (double) passing / cycles,
        unschedulable,
        bindErrors,
        List.copyOf(exchanges));
  }

  /** {@code count} node indices starting at node {@code start}, wrapping around. */
  private int[] window(int start, int count) {
    int[] nodes = new int[count];
    for (int i = 0; i < count; i++) {
      nodes[i] = (start + i) % cluster.size();
    }
    return nodes;
  }

  /**
   * Prints the first few bind errors, so a report's error count comes with its reasons (a race
   * between clients for a node's last VFs is expected; anything else is worth a look).
   */
  private void reportBindError(String error) {
    if (bindErrorsReported.getAndIncrement() < MAX_BIND_ERRORS_REPORTED) {
      System.err.println("[extender-bench] bind error: " + error);
    }
  }

  /** One scheduling client: its own random stream and histograms, so clients never contend. */
  private final class Client {
    final SplittableRandom rnd;
    final Histogram filter = LatencySummary.newHistogram();
    final Histogram prioritize = LatencySummary.newHistogram();
    final Histogram filterPrioritize = LatencySummary.newHistogram();
    final Histogram bind = LatencySummary.newHistogram();
    final Histogram cycle = LatencySummary.newHistogram();
    final AtomicInteger startNode = new AtomicInteger();
    final List<FpExchange> exchanges = new ArrayList<>();
    final boolean keepExchanges;

    /** This client's way to the extender while it runs. */
    DriverTransport.Channel channel;

    /** The nodes the last filter kept, the count first ({@link ExtenderWire#keptNodes}). */
    int[] keptNodes = new int[1];

    long passing;
    long unschedulable;
    long bindErrors;
    long errors;

    /**
     * @param keepExchanges whether to keep every filter + prioritize exchange (measured runs only:
     *     they are bounded by their cycles)
     */
    Client(int seed, boolean keepExchanges) {
      this.keepExchanges = keepExchanges;
      this.rnd = new SplittableRandom(0xbe4c_0000L + seed);
      startNode.set(rnd.nextInt(cluster.size()));
    }

    Void run(RunLength length) throws IOException, InterruptedException {
      channel = transport.acquire();
      long t0 = System.nanoTime();
      try {
        for (int i = 0; length.more(i, System.nanoTime() - t0); i++) {
          if (Thread.currentThread().isInterrupted()) {
            // another client failed: a blocking socket does not notice the interrupt itself
            throw new InterruptedException("a scheduling client was stopped");
          }
          once();
        }
      } finally {
        transport.release(channel);
        channel = null;
      }
      return null;
    }

    /**
     * One pod. kube-scheduler walks its node list from where the last pod stopped, so each pod's
     * candidates are the next window of the list.
     */
    private void once() throws IOException, InterruptedException {
      PodFactory.BenchPod pod = pods.next(rnd);
      int[] nodes = window(startNode.getAndAdd(candidates) % cluster.size(), candidates);
      api.addPod(PodFactory.NAMESPACE, pod.name(), pod.uid(), pod.interfaces());
      try {
        DriverTransport.Answer f = filter(pod, nodes, nodes.length);
        keptNodes = wire.keptNodes(f.body(), keptNodes);
        int count = keptNodes[0];
        passing += count;
        if (count == 0) {
          unschedulable++;
          cycle.recordValue(clamp(f.span().nanos()));
          return;
        }
        DriverTransport.Answer p =
            channel.post("/prioritize", wire.args(pod.bytes(), keptNodes, 1, count));
        record(prioritize, p);
        filterPrioritize.recordValue(clamp(f.span().nanos() + p.span().nanos()));
        if (keepExchanges) {
          exchanges.add(new FpExchange(f.span(), p.span()));
        }
        // A prioritize that lists no host leaves the choice to the scheduler: the first kept node.
        int best = wire.best(p.body());
        DriverTransport.Answer b =
            channel.post(
                "/bind",
                wire.bindArgs(
                    pod.name(), PodFactory.NAMESPACE, pod.uid(), best < 0 ? keptNodes[1] : best));
        record(bind, b);
        String error = wire.bindError(b.body());
        if (error != null) {
          bindErrors++;
          reportBindError(error);
        }
        cycle.recordValue(clamp(f.span().nanos() + p.span().nanos() + b.span().nanos()));
      } finally {
        retire(pod.name());
      }
    }

    /** Deletes the pod, or with {@code keepPods} the oldest pod kept once there are more. */
    private void retire(String name) {
      String gone;
      synchronized (kept) {
        kept.addLast(name);
        gone = kept.size() > keepPods ? kept.pollFirst() : null;
      }
      if (gone != null) {
        api.removePod(PodFactory.NAMESPACE, gone);
      }
    }

    DriverTransport.Answer filter(PodFactory.BenchPod pod, int[] nodes, int count)
        throws IOException, InterruptedException {
      DriverTransport.Answer f = channel.post("/filter", wire.args(pod.bytes(), nodes, 0, count));
      record(filter, f);
      return f;
    }

    private void record(Histogram h, DriverTransport.Answer a) {
      h.recordValue(clamp(a.span().nanos()));
      if (a.status() != 200) {
        errors++;
      }
    }
  }

  private static long clamp(long nanos) {
    return Math.min(nanos, LatencySummary.MAX_TRACKED_NANOS);
  }
}
