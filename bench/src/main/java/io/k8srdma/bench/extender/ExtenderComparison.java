package io.k8srdma.bench.extender;

import io.k8srdma.bench.agent.Environment;
import io.k8srdma.bench.agent.ProcStatus;
import io.k8srdma.bench.support.BenchFiles;
import io.k8srdma.bench.support.BenchTls;
import io.k8srdma.bench.support.DriverKit;
import io.k8srdma.bench.support.Options;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Interleaved A/B comparison of two extender builds, or of one build under two sets of JVM flags.
 *
 * <p>On a shared machine the same build measured twice, minutes apart, differed by up to 2x in
 * cycles/s and CPU per cycle, so separate runs per variant cannot show effects of 10–20%. Here both
 * extenders run at once (same processors, same simulated agents, a fake API each so their ledgers
 * stay apart) and take turns: in each round each variant schedules one slice of cycles while the
 * other idles, in alternating order. Both see the same machine within seconds, and each block of
 * two rounds (A first, then B first) gives a paired ratio; the report gives the median and range of
 * those ratios. Use an even number of rounds. What pairing cannot remove is each JVM's own JIT
 * outcome: an A/A run of one jar differed by 10–16% between its two processes, so an effect needs
 * to hold over several comparisons, each with fresh processes, before it counts. The report also
 * gives the JIT threads' CPU and the allocation per cycle: a change aimed at one of them shows
 * there first.
 *
 * <p>Options, all {@code --name=value}: {@code a-jar} (required), {@code b-jar}
 * (scheduler-extender/target/scheduler-extender.jar), {@code a-label}/{@code b-label} (A, B),
 * {@code jvm-flags} (both; default none), {@code a-tls}/{@code b-tls} (false; true: the variant on
 * HTTPS with mutual TLS, as the chart runs it), {@code api-token} (true: the extender has a
 * service-account token, as in a cluster; {@code a-api-token}/{@code b-api-token} per variant),
 * {@code a-flags}/{@code b-flags} (instead of {@code jvm-flags} for one variant), {@code
 * a-extra-flags}/{@code b-extra-flags} (added after the variant's flags, e.g. one {@code -D} or a
 * GC log per variant), {@code nodes} (5000), {@code warmup} (4000 cycles each), {@code rounds}
 * (12), {@code slice-cycles} (600), {@code clients} (4), {@code extender-cpus} (none; as in {@link
 * ExtenderBenchmark}), {@code plain-pods} (false), {@code pod-shape} (realistic; as in {@link
 * ExtenderBenchmark}), {@code poll-interval} (5s), {@code in-flight-timeout} (10s), {@code
 * agent-threads} (4), {@code job-size} (1), {@code cluster-traffic} (true) and {@code
 * scrape-interval} (30s; both as in {@link ExtenderBenchmark}), {@code driver-client} (socket; as
 * in {@link ExtenderBenchmark}, for both variants), {@code results} (bench/results). Each warm-up
 * turn is half one client, half {@code clients}. The fake API answers both the annotation PATCH and
 * the PUT of older builds. Every loop is bounded and all traffic goes to 127.0.0.1.
 */
public final class ExtenderComparison {

  private static final Duration READY_DEADLINE = Duration.ofMinutes(5);

  /** Warm-up runs in turns of this many cycles, so both variants warm under similar load. */
  private static final int WARMUP_TURN = 500;

  /** How long both extenders idle to measure what polling alone costs each. */
  private static final Duration IDLE_WINDOW = Duration.ofSeconds(10);

  private final Options opts;
  private final Path work;
  private final Path java = DriverKit.currentJava();
  private final HttpClient client = DriverKit.httpClient();
  private BenchTls tls;

  private ExtenderComparison(Options opts, Path work) {
    this.opts = opts;
    this.work = work;
  }

  /**
   * One side of the comparison.
   *
   * @param tls on HTTPS with mutual TLS, as the chart runs the extender
   */
  record Variant(String label, Path jar, List<String> flags, boolean tls) {

    Variant(String label, Path jar, List<String> flags) {
      this(label, jar, flags, false);
    }
  }

  /** Runs the comparison; see the class comment for the options. */
  public static void main(String[] args) throws Exception {
    Options opts = Options.parse(args);
    DriverTransport.Kind.of(opts); // a misspelt --driver-client fails before any extender starts
    if (opts.get("a-jar", "").isBlank()) {
      throw new IllegalArgumentException("--a-jar=<extender jar to compare with> is required");
    }
    Path work = BenchFiles.tempDir("k8s-rdma-xcompare-");
    try {
      new ExtenderComparison(opts, work).run();
    } finally {
      BenchFiles.deleteTree(work);
    }
  }

  /**
   * A variant's JVM flags: {@code <variant>-flags} or else {@code jvm-flags}, then {@code
   * <variant>-extra-flags}.
   */
  static List<String> variantFlags(Options opts, String variant) {
    return ExtenderBenchmark.flags(
        opts.get(variant + "-flags", opts.get("jvm-flags", ""))
            + " "
            + opts.get(variant + "-extra-flags", ""));
  }

  private void run() throws Exception {
    String before = Environment.describe(java);
    Variant a =
        new Variant(
            opts.get("a-label", "A"),
            Path.of(opts.get("a-jar", "")),
            variantFlags(opts, "a"),
            Boolean.parseBoolean(opts.get("a-tls", "false")));
    Variant b =
        new Variant(
            opts.get("b-label", "B"),
            Path.of(opts.get("b-jar", "scheduler-extender/target/scheduler-extender.jar")),
            variantFlags(opts, "b"),
            Boolean.parseBoolean(opts.get("b-tls", "false")));
    if (a.label().equals(b.label())) {
      // Slices are told apart by label: equal labels would merge the two variants' figures.
      throw new IllegalArgumentException(
          "--a-label and --b-label must differ, both are '" + a.label() + "'");
    }
    SimulatedCluster cluster = new SimulatedCluster(opts.integer("nodes", 5000));
    AbResult result = compare(cluster, a, b);
    String env = before + "- load average after: " + Environment.loadAverage() + "\n";
    String md = AbReport.render(result, env, settings());
    System.out.println(md);
    Path out = BenchFiles.writeResult(Path.of(opts.get("results", "bench/results")), "compare", md);
    ExtenderBenchmark.log("results written to %s", out);
  }

  private AbResult compare(SimulatedCluster cluster, Variant a, Variant b) throws Exception {
    try (FakeAgents agents = new FakeAgents(cluster, opts.integer("agent-threads", 4));
        FakeKubeApi apiA = new FakeKubeApi(ExtenderBenchmark.podShape(opts));
        FakeKubeApi apiB = new FakeKubeApi(ExtenderBenchmark.podShape(opts))) {
      Path config = ExtenderBenchmark.writeConfig(work.resolve("extender.yaml"), cluster, agents);
      try (ExtenderProcess extA = start(a, config, apiA, "a");
          ExtenderProcess extB = start(b, config, apiB, "b")) {
        extA.awaitReady(READY_DEADLINE);
        extB.awaitReady(READY_DEADLINE);
        try (ClusterTraffic trafficA = ExtenderBenchmark.clusterTraffic(opts, clientOf(a), extA);
            ClusterTraffic trafficB = ExtenderBenchmark.clusterTraffic(opts, clientOf(b), extB)) {
          return run(cluster, a, b, extA, extB, apiA, apiB);
        }
      }
    }
  }

  /**
   * A driver per variant, then both extenders warmed up, their idle polling measured and the
   * interleaved rounds run.
   */
  private AbResult run(
      SimulatedCluster cluster,
      Variant a,
      Variant b,
      ExtenderProcess extA,
      ExtenderProcess extB,
      FakeKubeApi apiA,
      FakeKubeApi apiB)
      throws IOException, InterruptedException {
    int candidates = SchedulingDriver.feasibleNodesToFind(cluster.size());
    PodFactory pods =
        new PodFactory(
            Boolean.parseBoolean(opts.get("plain-pods", "false")),
            ExtenderBenchmark.podShape(opts),
            ExtenderBenchmark.jobSize(opts));
    try (SchedulingDriver driverA =
            new SchedulingDriver(transportOf(a, extA), cluster, apiA, candidates, pods, 0);
        SchedulingDriver driverB =
            new SchedulingDriver(transportOf(b, extB), cluster, apiB, candidates, pods, 0)) {
      AbResult result =
          interleave(cluster, new Side(a, extA, driverA), new Side(b, extB, driverB), apiA, apiB);
      ExtenderBenchmark.log("driver %s: %s", a.label(), driverA.transportSummary());
      ExtenderBenchmark.log("driver %s: %s", b.label(), driverB.transportSummary());
      return result;
    }
  }

  /** The warm-up, the idle measurement and the rounds, with a driver per side. */
  private AbResult interleave(
      SimulatedCluster cluster, Side sideA, Side sideB, FakeKubeApi apiA, FakeKubeApi apiB)
      throws IOException, InterruptedException {
    Variant a = sideA.variant();
    Variant b = sideB.variant();
    ExtenderProcess extA = sideA.ext();
    ExtenderProcess extB = sideB.ext();
    int candidates = SchedulingDriver.feasibleNodesToFind(cluster.size());
    warmUp(sideA, sideB);
    double[] idle = idleCores(extA.pid(), extB.pid());
    List<AbResult.Slice> slices = new ArrayList<>();
    int rounds = opts.integer("rounds", 12);
    for (int r = 0; r < rounds; r++) {
      ExtenderBenchmark.log("round %d of %d", r + 1, rounds);
      Side first = r % 2 == 0 ? sideA : sideB;
      Side second = r % 2 == 0 ? sideB : sideA;
      slices.add(slice(first, r));
      slices.add(slice(second, r));
    }
    return new AbResult(
        cluster.size(),
        candidates,
        a,
        b,
        idle[0],
        idle[1],
        slices,
        apiA.unexpected() + apiB.unexpected());
  }

  /** A variant with its running extender and the driver that schedules through it. */
  private record Side(Variant variant, ExtenderProcess ext, SchedulingDriver driver) {}

  private void warmUp(Side a, Side b) throws IOException, InterruptedException {
    int cycles = opts.integer("warmup", 4000);
    ExtenderBenchmark.log("warm-up, %d cycles each in turns of %d", cycles, WARMUP_TURN);
    for (int done = 0; done < cycles; done += WARMUP_TURN) {
      int turn = Math.min(WARMUP_TURN, cycles - done);
      a.driver().warmUp(turn, opts.integer("clients", 4));
      b.driver().warmUp(turn, opts.integer("clients", 4));
    }
  }

  /** Each extender's CPU per wall second while neither schedules: its polling. */
  private static double[] idleCores(long pidA, long pidB) throws InterruptedException {
    double a0 = ProcStatus.cpuSeconds(pidA);
    double b0 = ProcStatus.cpuSeconds(pidB);
    long t0 = System.nanoTime();
    Thread.sleep(IDLE_WINDOW.toMillis());
    double wall = (System.nanoTime() - t0) / 1e9;
    return new double[] {
      (ProcStatus.cpuSeconds(pidA) - a0) / wall, (ProcStatus.cpuSeconds(pidB) - b0) / wall
    };
  }

  /**
   * CPU seconds of the extender's JIT compiler threads (C1 and C2); a compiler thread that exits
   * while idle takes its time with it, which the JVM does only after minutes without work.
   */
  private static double jitSeconds(long pid) {
    return ProcStatus.cpuSecondsByThread(pid).entrySet().stream()
        .filter(e -> e.getKey().startsWith("CN CompilerThre"))
        .mapToDouble(Map.Entry::getValue)
        .sum();
  }

  /** Bytes the extender allocated so far (Micrometer's young-generation count). */
  private static double allocated(ExtenderProcess ext) throws IOException, InterruptedException {
    return ext.prometheus("jvm_gc_memory_allocated_bytes_total");
  }

  private AbResult.Slice slice(Side side, int round) throws IOException, InterruptedException {
    int clients = opts.integer("clients", 4);
    int each = Math.max(1, opts.integer("slice-cycles", 600) / clients);
    long pid = side.ext().pid();
    double alloc0 = allocated(side.ext());
    double jit0 = jitSeconds(pid);
    double cpu0 = ProcStatus.cpuSeconds(pid);
    long t0 = System.nanoTime();
    SchedulingDriver.CycleStats stats = side.driver().concurrent(clients, each);
    double seconds = (System.nanoTime() - t0) / 1e9;
    double cpu = ProcStatus.cpuSeconds(pid) - cpu0;
    double jit = jitSeconds(pid) - jit0;
    double alloc = allocated(side.ext()) - alloc0;
    return new AbResult.Slice(
        side.variant().label(),
        round,
        stats.cycle().requests(),
        seconds,
        cpu,
        stats.filterPrioritize().p50Micros(),
        stats.filterPrioritize().p99Micros(),
        stats.bindErrors(),
        alloc,
        jit);
  }

  private ExtenderProcess start(Variant v, Path config, FakeKubeApi api, String name)
      throws IOException {
    int port = BenchFiles.freePort();
    List<String> flags = new ArrayList<>(v.flags());
    if (v.tls()) {
      flags.addAll(tls().extenderFlags());
    }
    return ExtenderProcess.start(
        ExtenderBenchmark.cpuPrefix(opts),
        java,
        v.jar(),
        flags,
        ExtenderBenchmark.extenderArgs(opts, config, api, port),
        port,
        v.tls(),
        Boolean.parseBoolean(opts.get(name + "-api-token", opts.get("api-token", "true")))
            ? ExtenderProcess.SERVICE_ACCOUNT
            : Map.of(),
        work.resolve("extender-" + name + ".log"),
        clientOf(v));
  }

  /** The certificates of the variants on TLS, made once. */
  private BenchTls tls() {
    if (tls == null) {
      tls = BenchTls.create(work.resolve("tls"));
    }
    return tls;
  }

  /**
   * What the driver schedules through {@code ext} with ({@code --driver-client}): a connection per
   * load client, or the JDK's client; either with the scheduler's certificate when {@code v} is on
   * TLS.
   */
  private DriverTransport transportOf(Variant v, ExtenderProcess ext) {
    return DriverTransport.of(
        DriverTransport.Kind.of(opts),
        ext.base(),
        clientOf(v),
        v.tls() ? tls().schedulerContext() : null);
  }

  /** Kube-scheduler's client for {@code v}: with its certificate when {@code v} is on TLS. */
  private HttpClient clientOf(Variant v) {
    return v.tls() ? tls().schedulerClient() : client;
  }

  private String settings() {
    String cpus = opts.get("extender-cpus", "");
    return "- both extenders "
        + (cpus.isBlank() ? "share all processors with the driver" : "pinned to CPU(s) " + cpus)
        + "; "
        + opts.get("warmup", "4000")
        + " warm-up cycles each (in turns of "
        + WARMUP_TURN
        + "), then "
        + opts.get("rounds", "12")
        + " rounds of one slice each ("
        + opts.get("slice-cycles", "600")
        + " cycles from "
        + opts.get("clients", "4")
        + " clients), the order alternating per round\n"
        + "- pods: "
        + (Boolean.parseBoolean(opts.get("plain-pods", "false"))
            ? "without an RDMA request (control)"
            : "1–4 RDMA interfaces each, floors 0–50 Gb/s")
        + ExtenderBenchmark.jobs(opts)
        + ", "
        + ExtenderBenchmark.podShape(opts).label()
        + " shape; poll interval "
        + ExtenderBenchmark.pollInterval(opts)
        + "\n"
        + DriverTransport.Kind.of(opts).settingsLine()
        + "\n";
  }
}
