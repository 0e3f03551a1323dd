package io.k8srdma.bench.extender;

import io.k8srdma.bench.agent.Environment;
import io.k8srdma.bench.agent.ProcStatus;
import io.k8srdma.bench.support.BenchFiles;
import io.k8srdma.bench.support.DriverKit;
import io.k8srdma.bench.support.Options;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Load driver for the scheduler extender: for each cluster size it serves N simulated node agents
 * and a fake Kubernetes API from this process, starts the extender jar as a child process pointed
 * at them, and schedules pods through it as kube-scheduler does in {@code nodenames} mode. Prints a
 * Markdown section (also written to {@code <results>/extender-<timestamp>.md}).
 *
 * <p>Options, all {@code --name=value}: {@code extender-jar}
 * (scheduler-extender/target/scheduler-extender.jar), {@code results} (bench/results), {@code
 * nodes} (1000,5000,10000), {@code warmup} (20000 cycles), {@code cycles} (1000 per run), {@code
 * clients} (2,4: concurrent runs), {@code one-client-window} (four poll intervals: the one-client
 * run goes on after its cycles until it has lasted that long, {@link RunLength}), {@code
 * filter-all} (100 calls), {@code poll-interval} (5s), {@code in-flight-timeout} (10s), {@code
 * agent-threads} (4), {@code jvm-flags} (space-separated, default none), {@code jfr} (a directory:
 * record a JFR profile of each extender there), {@code plain-pods} (false; true = the control run:
 * pods without an RDMA request, which cost the extender only HTTP, JSON and the bind's API calls),
 * {@code extender-cpus} (none; a {@code taskset -c} list such as {@code 1}: the extender runs on
 * those processors only, so with the driver pinned to the others, e.g. {@code taskset -c 0 java
 * ...}, the two no longer compete). Every loop is bounded and all traffic goes to 127.0.0.1. {@code
 * pod-shape} (realistic: a training-job worker of ~4.5 KB as kube-scheduler sends it; minimal: ~0.3
 * KB, as before 2026-11-26 20:50 UTC). {@code repeat} (1) runs each size that many times, each with
 * a fresh extender and its own rows in the report: on a shared machine one run per variant is not
 * enough to compare variants. {@code keep-pods} (0) keeps that many scheduled pods in the fake API
 * instead of deleting each after its bind, so the extender's informer and ledger hold them, and
 * logs the extender's heap after a full collection at the end (pods kept fill the nodes, so later
 * cycles find fewer fits: a memory measurement, not a timing one).
 *
 * <p>{@code cluster-traffic} (true) sends, from readiness to the end, what kubelet and Prometheus
 * would: the chart's readiness probe every 5 s, its liveness probe every 10 s and a scrape of
 * {@code /actuator/prometheus} every {@code scrape-interval} (30s).
 *
 * <p>The extender always logs its safepoints ({@code -Xlog:safepoint}, one line per stop of all its
 * threads) into the temp dir, so the report can say what the slowest filter + prioritize exchanges
 * overlapped ({@link TailAttribution}).
 *
 * <p>{@code driver-client} (socket) is what the driver times filter, prioritize and bind with:
 * {@code socket}, one blocking HTTP/1.1 connection per load client ({@link
 * io.k8srdma.bench.support.Http11Connection}), as close as Java gets to kube-scheduler's Go client;
 * {@code jdk}, {@code java.net.http.HttpClient}, whose selector thread and executor hand-offs add
 * about 90 µs to each exchange on a shared core. Probes, scrapes and readiness use the JDK client.
 */
public final class ExtenderBenchmark {

  private static final Duration READY_DEADLINE = Duration.ofMinutes(5);

  /**
   * Untimed cycles before measuring. After 1,000 the extender's C2 compiler still used about half
   * as much CPU as its request threads; with the chart's C2-only flags it still used 0.5 ms of a
   * 3.2 ms cycle after 6,000, and 0.18 ms of 2.15 after 24,000 (docs/benchmarks.md). An extender
   * runs for days, so the measured runs should see the steady state, not the JIT's last passes.
   */
  static final int DEFAULT_WARMUP_CYCLES = 20_000;

  private final Options opts;
  private final Path work;
  private final Path java = DriverKit.currentJava();
  private final HttpClient client = DriverKit.httpClient();

  private ExtenderBenchmark(Options opts, Path work) {
    this.opts = opts;
    this.work = work;
  }

  /** Runs the benchmark; see the class comment for the options. */
  public static void main(String[] args) throws Exception {
    Path work = BenchFiles.tempDir("k8s-rdma-xbench-");
    try {
      new ExtenderBenchmark(Options.parse(args), work).run();
    } finally {
      BenchFiles.deleteTree(work);
    }
  }

  private void run() throws Exception {
    DriverTransport.Kind.of(opts); // a misspelt --driver-client fails before any extender starts
    String before = Environment.describe(java);
    List<ExtenderResult> results = new ArrayList<>();
    int repeat = opts.integer("repeat", 1);
    for (String n : opts.list("nodes", "1000,5000,10000")) {
      for (int run = 1; run <= repeat; run++) {
        log("%s nodes, run %d of %d ...", n, run, repeat);
        results.add(measure(new SimulatedCluster(Integer.parseInt(n)), repeat > 1 ? run : 0));
      }
    }
    String env = before + "- load average after: " + Environment.loadAverage() + "\n";
    String md = ExtenderReport.render(results, env, settings());
    System.out.println(md);
    Path out =
        BenchFiles.writeResult(Path.of(opts.get("results", "bench/results")), "extender", md);
    log("results written to %s", out);
  }

  private ExtenderResult measure(SimulatedCluster cluster, int run) throws Exception {
    String loadBefore = Environment.loadAndSpeed(opts.get("extender-cpus", ""));
    try (FakeAgents agents = new FakeAgents(cluster, opts.integer("agent-threads", 4));
        FakeKubeApi api = new FakeKubeApi(podShape(opts))) {
      Path config = writeConfig(cluster, agents);
      int port = BenchFiles.freePort();
      long spawn = System.nanoTime();
      try (ExtenderProcess ext = start(cluster, config, api, port, run)) {
        ext.awaitReady(READY_DEADLINE);
        double ready = (System.nanoTime() - spawn) / 1e9;
        try (ClusterTraffic traffic = clusterTraffic(opts, client, ext)) {
          ExtenderResult result = drive(cluster, agents, api, ext, ready, loadBefore, run);
          if (traffic != null) {
            // kubelet would take the extender out of the Service after 3 failed readiness probes
            log("  probes and scrapes: %d sent, %d failed", traffic.requests(), traffic.failures());
          }
          return result;
        }
      }
    }
  }

  private ExtenderResult drive(
      SimulatedCluster cluster,
      FakeAgents agents,
      FakeKubeApi api,
      ExtenderProcess ext,
      double ready,
      String loadBefore,
      int run)
      throws Exception {
    int candidates = SchedulingDriver.feasibleNodesToFind(cluster.size());
    boolean plain = Boolean.parseBoolean(opts.get("plain-pods", "false"));
    int keepPods = opts.integer("keep-pods", 0);
    try (SchedulingDriver driver =
        new SchedulingDriver(
            DriverTransport.of(DriverTransport.Kind.of(opts), ext.base(), client, null),
            cluster,
            api,
            candidates,
            new PodFactory(plain, podShape(opts), jobSize(opts)),
            keepPods)) {
      ExtenderResult result =
          driveWith(driver, cluster, agents, api, ext, ready, loadBefore, run, candidates);
      log("  driver: %s", driver.transportSummary());
      return result;
    }
  }

  private ExtenderResult driveWith(
      SchedulingDriver driver,
      SimulatedCluster cluster,
      FakeAgents agents,
      FakeKubeApi api,
      ExtenderProcess ext,
      double ready,
      String loadBefore,
      int run,
      int candidates)
      throws Exception {
    int keepPods = opts.integer("keep-pods", 0);
    double firstRound = agents.rounds().isEmpty() ? Double.NaN : agents.rounds().get(0).seconds();
    double count0 = ext.prometheus("k8s_rdma_extender_poll_round_seconds_count");
    double sum0 = ext.prometheus("k8s_rdma_extender_poll_round_seconds_sum");
    int cycles = opts.integer("cycles", 1000);
    log("  ready in %.1f s; warm-up", ready);
    driver.warmUp(opts.integer("warmup", DEFAULT_WARMUP_CYCLES), maxClients());
    CpuMeter.Reading idleStart = CpuMeter.read(ext.pid());
    List<Double> idle = idleRounds(agents);
    CpuMeter.Reading idleEnd = CpuMeter.read(ext.pid());
    log("  idle rounds %s; sequential", idle);
    String exposition0 = ext.prometheusText();
    VerbTotals verbs0 = verbTotals(exposition0);
    CpuMeter.Reading loadCpuStart = CpuMeter.read(ext.pid());
    ExtenderResult.ApiCalls api0 = ExtenderResult.ApiCalls.of(api);
    long loadStart = System.nanoTime();
    SchedulingDriver.CycleStats sequential;
    List<Span> driverStalls;
    try (StallMeter stalls = StallMeter.start()) {
      sequential = driver.sequential(RunLength.atLeast(cycles, oneClientWindow(opts)));
      driverStalls = stalls.stalls();
    }
    String exposition1 = ext.prometheusText();
    List<ExtenderResult.Concurrent> concurrent = new ArrayList<>();
    for (String c : opts.list("clients", "2,4")) {
      int k = Integer.parseInt(c);
      log("  %d clients", k);
      concurrent.add(
          new ExtenderResult.Concurrent(k, driver.concurrent(k, Math.max(1, cycles / k))));
    }
    long loadEnd = System.nanoTime();
    CpuMeter.Reading loadCpuEnd = CpuMeter.read(ext.pid());
    ExtenderResult.ApiCalls apiCalls = ExtenderResult.ApiCalls.of(api).minus(api0);
    VerbTotals verbs1 = verbTotals(ext.prometheusText());
    long measuredCycles =
        sequential.cycle().requests()
            + concurrent.stream().mapToLong(c -> c.stats().cycle().requests()).sum();
    CpuMeter.Cost cpu =
        CpuMeter.cost(
            idleStart, idleEnd, loadCpuStart, loadCpuEnd, measuredCycles, extenderCores());
    log("  filter with all nodes");
    var filterAll = driver.filterAllNodes(opts.integer("filter-all", 100));
    if (keepPods > 0) {
      log(
          "  heap after a full GC with %d pods kept: %.0f MB",
          keepPods, ext.liveHeapBytes(java) / 1e6);
    }
    double count1 = ext.prometheus("k8s_rdma_extender_poll_round_seconds_count");
    double sum1 = ext.prometheus("k8s_rdma_extender_poll_round_seconds_sum");
    return new ExtenderResult(
        cluster.size(),
        candidates,
        ready,
        firstRound,
        idle,
        roundsWithin(agents, loadStart, loadEnd),
        count1 > count0 ? (sum1 - sum0) / (count1 - count0) : Double.NaN,
        ext.prometheus("k8s_rdma_extender_poll_round_seconds_max"),
        verbs1.meanMicros(verbs0, 0),
        verbs1.meanMicros(verbs0, 1),
        sequential,
        concurrent,
        TailAttribution.of(
            sequential.exchanges(),
            SafepointLog.spans(safepointLog(cluster, run)),
            roundSpans(agents),
            driverStalls),
        serverQuantiles(exposition0, exposition1, "filter"),
        serverQuantiles(exposition0, exposition1, "prioritize"),
        filterAll,
        ext.heapUsedBytes(),
        ProcStatus.rssKib(ext.pid()),
        ProcStatus.peakRssKib(ext.pid()),
        ProcStatus.cpuSeconds(ext.pid()),
        cpu,
        apiCalls,
        agents.errors(),
        api.unexpected(),
        loadBefore,
        Environment.loadAndSpeed(opts.get("extender-cpus", "")),
        run);
  }

  /**
   * Sums and counts of the extender's own {@code k8s_rdma_extender_verb_seconds} for filter and
   * prioritize: the time inside the extender, without HTTP client and loopback.
   */
  private record VerbTotals(double[] sums, double[] counts) {
    double meanMicros(VerbTotals before, int verb) {
      double n = counts[verb] - before.counts[verb];
      return n > 0 ? (sums[verb] - before.sums[verb]) / n * 1e6 : Double.NaN;
    }
  }

  private static VerbTotals verbTotals(String exposition) {
    String[] verbs = {"verb=\"filter\"", "verb=\"prioritize\""};
    double[] sums = new double[2];
    double[] counts = new double[2];
    for (int i = 0; i < 2; i++) {
      sums[i] = ExtenderProcess.sample(exposition, "k8s_rdma_extender_verb_seconds_sum", verbs[i]);
      counts[i] =
          ExtenderProcess.sample(exposition, "k8s_rdma_extender_verb_seconds_count", verbs[i]);
    }
    return new VerbTotals(sums, counts);
  }

  /**
   * Waits, sending nothing, for two more poll rounds to complete and returns their durations: the
   * cost of a round over unchanged agents without scheduling load. Bounded by a few intervals.
   */
  private List<Double> idleRounds(FakeAgents agents) throws InterruptedException {
    long interval = millis(pollInterval(opts));
    int seen = agents.rounds().size();
    long deadline = System.nanoTime() + Duration.ofMillis(4 * interval + 60_000).toNanos();
    while (agents.rounds().size() < seen + 2 && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    return agents.rounds().stream().skip(seen).limit(2).map(FakeAgents.PollRound::seconds).toList();
  }

  /** A Spring-style duration such as {@code 5s}, {@code 500ms} or {@code 1m}, in milliseconds. */
  static long millis(String duration) {
    String d = duration.strip().toLowerCase(Locale.ROOT);
    if (d.endsWith("ms")) {
      return Long.parseLong(d.substring(0, d.length() - 2));
    }
    return Duration.parse("PT" + d.toUpperCase(Locale.ROOT)).toMillis();
  }

  /** One verb's median and p99 inside the extender between two scrapes of its metrics. */
  private static PromHistogram.Quantiles serverQuantiles(String before, String after, String verb) {
    String metric = "k8s_rdma_extender_verb_seconds";
    String label = "verb=\"" + verb + "\"";
    return PromHistogram.Quantiles.of(
        PromHistogram.parse(after, metric, label)
            .minus(PromHistogram.parse(before, metric, label)));
  }

  private static List<Span> roundSpans(FakeAgents agents) {
    return agents.rounds().stream().map(FakeAgents.PollRound::span).toList();
  }

  private static List<Double> roundsWithin(FakeAgents agents, long from, long to) {
    return agents.rounds().stream()
        .filter(r -> r.index() > 0 && r.span().startNanos() >= from && r.span().endNanos() <= to)
        .map(FakeAgents.PollRound::seconds)
        .toList();
  }

  private ExtenderProcess start(
      SimulatedCluster cluster, Path config, FakeKubeApi api, int port, int run)
      throws IOException {
    Path jar =
        Path.of(opts.get("extender-jar", "scheduler-extender/target/scheduler-extender.jar"));
    Path log = work.resolve("extender-" + cluster.size() + ".log");
    return ExtenderProcess.start(
        cpuPrefix(opts),
        java,
        jar,
        jvmFlags(cluster, run),
        extenderArgs(opts, config, api, port),
        port,
        log,
        client);
  }

  /** The extender's arguments: its config file, port, the fake API and the poll settings. */
  static List<String> extenderArgs(Options opts, Path config, FakeKubeApi api, int port) {
    return List.of(
        "--spring.config.additional-location=file:" + config,
        "--server.port=" + port,
        "--k8s-rdma.extender.kubernetes.master-url=" + api.url(),
        "--k8s-rdma.extender.poll.interval=" + pollInterval(opts),
        "--k8s-rdma.extender.in-flight-timeout=" + inFlightTimeout(opts));
  }

  /** {@code taskset -c <list>} for {@code --extender-cpus}, else nothing. */
  static List<String> cpuPrefix(Options opts) {
    String cpus = opts.get("extender-cpus", "");
    return cpus.isBlank() ? List.of() : List.of("taskset", "-c", cpus);
  }

  /** The most clients any measured run uses. */
  private int maxClients() {
    return opts.list("clients", "2,4").stream().mapToInt(Integer::parseInt).max().orElse(1);
  }

  /** The processors the extender runs on: those of {@code --extender-cpus}, else all. */
  private int extenderCores() {
    String cpus = opts.get("extender-cpus", "");
    return cpus.isBlank() ? Runtime.getRuntime().availableProcessors() : CpuMeter.cpuCount(cpus);
  }

  private List<String> jvmFlags(SimulatedCluster cluster, int run) throws IOException {
    List<String> flags = new ArrayList<>(userFlags());
    flags.add(SafepointLog.flag(safepointLog(cluster, run)));
    String jfr = opts.get("jfr", "");
    if (!jfr.isBlank()) {
      Path dir = Files.createDirectories(Path.of(jfr));
      flags.add(
          "-XX:StartFlightRecording=dumponexit=true,settings=profile,filename="
              + dir.toAbsolutePath().resolve("extender-" + cluster.size() + ".jfr"));
    }
    return flags;
  }

  /**
   * Where the extender logs its safepoints, for {@link TailAttribution}: one line per stop of all
   * its threads, which costs nothing measurable.
   */
  private Path safepointLog(SimulatedCluster cluster, int run) {
    return work.resolve("safepoints-" + cluster.size() + "-" + run + ".log");
  }

  private List<String> userFlags() {
    return flags(opts.get("jvm-flags", ""));
  }

  /** Space-separated JVM flags as a list. */
  static List<String> flags(String spaceSeparated) {
    String f = spaceSeparated.strip();
    return f.isEmpty() ? List.of() : Arrays.asList(f.split("\\s+"));
  }

  private Path writeConfig(SimulatedCluster cluster, FakeAgents agents) throws IOException {
    return writeConfig(work.resolve("extender-" + cluster.size() + ".yaml"), cluster, agents);
  }

  /**
   * The static-agents map as a config file: 10,000 command-line flags would exceed the argument
   * list limit. Also exposes the metrics endpoint, which the image leaves off, for the heap.
   */
  static Path writeConfig(Path file, SimulatedCluster cluster, FakeAgents agents)
      throws IOException {
    StringBuilder yaml = new StringBuilder();
    yaml.append("management.endpoints.web.exposure.include: health,info,prometheus,metrics\n");
    yaml.append("k8s-rdma:\n  extender:\n    static-agents:\n");
    for (int i = 0; i < cluster.size(); i++) {
      yaml.append("      ")
          .append(cluster.nodeName(i))
          .append(": ")
          .append(agents.agentUrl(i))
          .append('\n');
    }
    return Files.writeString(file, yaml);
  }

  /** The {@code poll-interval} option, as the extender reads a duration (default 5s). */
  static String pollInterval(Options opts) {
    return opts.get("poll-interval", "5s");
  }

  /**
   * The {@code one-client-window} option: how long the one-client run lasts at least, on after its
   * {@code cycles} (default four poll intervals, so that its p99 includes the poll rounds at their
   * real rate; {@code 0s}: just the cycles, as every run before 2026-11-28).
   */
  static Duration oneClientWindow(Options opts) {
    String window = opts.get("one-client-window", "");
    return Duration.ofMillis(window.isBlank() ? 4 * millis(pollInterval(opts)) : millis(window));
  }

  /**
   * The {@code in-flight-timeout} option (default 10s, as in every run since 2026-11-27, so that
   * later runs compare with earlier ones).
   */
  static String inFlightTimeout(Options opts) {
    return opts.get("in-flight-timeout", "10s");
  }

  /**
   * The kubelet's probes and a Prometheus scrape ({@code scrape-interval}, default 30s), as in a
   * cluster; {@code cluster-traffic=false} sends none (null), as runs before 2026-11-27 03:00 UTC
   * did.
   */
  static ClusterTraffic clusterTraffic(Options opts, HttpClient client, ExtenderProcess ext) {
    if (!Boolean.parseBoolean(opts.get("cluster-traffic", "true"))) {
      return null;
    }
    return ClusterTraffic.start(
        client, ext.base(), Duration.ofMillis(millis(opts.get("scrape-interval", "30s"))));
  }

  /**
   * The {@code job-size} option (default 1): how many pods in a row ask for the same interfaces.
   */
  static int jobSize(Options opts) {
    return opts.integer("job-size", 1);
  }

  /** How the pods come, for reports: in jobs when {@code job-size} is above 1, else nothing. */
  static String jobs(Options opts) {
    return jobSize(opts) > 1
        ? ", in jobs of " + jobSize(opts) + " workers asking for the same"
        : "";
  }

  /** The {@code pod-shape} option: {@code realistic} (default) or {@code minimal}. */
  static PodShape podShape(Options opts) {
    return PodShape.parse(opts.get("pod-shape", "realistic"));
  }

  private String settings() {
    boolean plain = Boolean.parseBoolean(opts.get("plain-pods", "false"));
    return Stream.of(
            plain
                ? "- **control run: pods without an RDMA request** (filter passes every candidate"
                    + " unevaluated, prioritize scores 0, bind only GETs the pod and POSTs the"
                    + " binding)"
                : "- pods: 1–4 RDMA interfaces each, floors 0–50 Gb/s"
                    + (jobSize(opts) > 1 ? jobs(opts) : ", each asking for its own"),
            "- pod shape: "
                + podShape(opts).label()
                + " (what the pod looks like besides its request: `realistic` is a training-job"
                + " worker of ~4.5 KB with managedFields, `minimal` ~0.3 KB)",
            opts.get("extender-cpus", "").isBlank()
                ? "- extender and driver share all processors"
                : "- extender pinned to CPU(s) " + opts.get("extender-cpus", "") + " (taskset -c)",
            "- extender JVM flags: `"
                + (userFlags().isEmpty() ? "(none: JVM ergonomics)" : String.join(" ", userFlags()))
                + "`"
                + (opts.get("jfr", "").isBlank() ? "" : " plus a JFR recording (profile settings)"),
            "- poll interval "
                + pollInterval(opts)
                + " (concurrency 64, jitter 0.2: the defaults); in-flight timeout "
                + inFlightTimeout(opts)
                + " (the fake API's watch shows each pod to the informer when it is created,"
                + " annotated and deleted; the driver deletes each pod after its bind, so the"
                + " cluster sees churn instead of filling up)",
            DriverTransport.Kind.of(opts).settingsLine(),
            Boolean.parseBoolean(opts.get("cluster-traffic", "true"))
                ? "- cluster traffic: readiness probe every 5 s, liveness every 10 s, Prometheus"
                    + " scrape every "
                    + opts.get("scrape-interval", "30s")
                    + ", from readiness to the end (as kubelet and Prometheus would)"
                : "- no cluster traffic (no probes, no scrapes)",
            "- per size: "
                + opts.get("warmup", Integer.toString(DEFAULT_WARMUP_CYCLES))
                + " warm-up cycles (half from 1 client, half from "
                + maxClients()
                + "), "
                + opts.get("cycles", "1000")
                + " cycles per measured run (1 client"
                + (oneClientWindow(opts).isZero()
                    ? ""
                    : ", on until it has lasted "
                        + oneClientWindow(opts).toMillis() / 1000.0
                        + " s so that it holds the poll rounds at their real rate")
                + "; then "
                + opts.get("clients", "2,4")
                + " clients sharing that many), "
                + opts.get("filter-all", "100")
                + " filter calls with all N nodes")
        .reduce("", (a, b) -> a + b + "\n");
  }

  static void log(String format, Object... args) {
    System.err.println("[extender-bench] " + format.formatted(args));
  }
}
