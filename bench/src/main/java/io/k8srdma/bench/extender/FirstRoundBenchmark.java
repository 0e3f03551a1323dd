package io.k8srdma.bench.extender;

import com.fasterxml.jackson.databind.JsonNode;
import io.k8srdma.bench.agent.Environment;
import io.k8srdma.bench.support.BenchFiles;
import io.k8srdma.bench.support.DriverKit;
import io.k8srdma.bench.support.Options;
import io.k8srdma.model.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The extender's first poll round over agents with large inventories: how many nodes have an
 * inventory when it turns ready, per {@code poll.concurrency}. Every answer of the first round is a
 * 200 with the whole inventory, and all of them arrive on the poller's one event loop within their
 * own {@code poll.timeout}; a node whose answer misses it stays without an inventory until the next
 * round, and fails filter meanwhile.
 *
 * <p>Options: {@code nodes} (400), {@code pfs} (8) and {@code vfs} (128 per PF; 8 × 128 is ~0.5 MB
 * per answer), {@code concurrency} (comma-separated, {@code 64,256}), {@code timeout} (the poll
 * timeout, {@code 2s}), {@code runs} (2 per concurrency, alternating), {@code extender-jar}, {@code
 * extender-cpus} (for {@code taskset -c}), {@code jvm-flags}, {@code agent-threads} (8), {@code
 * results} ({@code bench/results}). All traffic stays on 127.0.0.1.
 */
public final class FirstRoundBenchmark {

  private static final Duration READY_DEADLINE = Duration.ofMinutes(3);

  private final Options opts;
  private final Path work;
  private final Path java = DriverKit.currentJava();
  private final HttpClient client = DriverKit.httpClient();

  private FirstRoundBenchmark(Options opts, Path work) {
    this.opts = opts;
    this.work = work;
  }

  /** One first round: the poll concurrency, how long it took, and the nodes left without. */
  record Run(int concurrency, int run, double roundSeconds, int nodes, int withoutInventory) {}

  /** Runs the benchmark; see the class comment for the options. */
  public static void main(String[] args) throws Exception {
    Options opts = Options.parse(args);
    Path work = BenchFiles.tempDir("k8s-rdma-firstround-");
    try {
      new FirstRoundBenchmark(opts, work).run();
    } finally {
      BenchFiles.deleteTree(work);
    }
  }

  private void run() throws Exception {
    String env = Environment.describe(java);
    SimulatedCluster cluster =
        new SimulatedCluster(
            opts.integer("nodes", 400),
            new SimulatedCluster.Layout(opts.integer("pfs", 8), opts.integer("vfs", 128)));
    List<Integer> concurrencies =
        opts.list("concurrency", "64,256").stream().map(Integer::parseInt).toList();
    int runs = opts.integer("runs", 2);
    List<Run> results = new ArrayList<>();
    for (int run = 1; run <= runs; run++) {
      for (int c : concurrencies) {
        results.add(firstRound(cluster, c, run));
      }
    }
    int answerBytes = Json.mapper().writeValueAsBytes(cluster.inventory(0)).length;
    String md =
        render(
            results,
            cluster,
            answerBytes,
            env + "- load average after: " + Environment.loadAverage() + "\n");
    System.out.println(md);
    Path out =
        BenchFiles.writeResult(Path.of(opts.get("results", "bench/results")), "first-round", md);
    ExtenderBenchmark.log("results written to %s", out);
  }

  private Run firstRound(SimulatedCluster cluster, int concurrency, int run) throws Exception {
    try (FakeAgents agents = new FakeAgents(cluster, opts.integer("agent-threads", 8))) {
      Path config = ExtenderBenchmark.writeConfig(work.resolve("extender.yaml"), cluster, agents);
      int port = BenchFiles.freePort();
      Path log = work.resolve("extender-" + concurrency + "-" + run + ".log");
      List<String> args =
          List.of(
              "--spring.config.additional-location=file:" + config,
              "--server.port=" + port,
              "--k8s-rdma.extender.kubernetes.enabled=false",
              "--k8s-rdma.extender.poll.concurrency=" + concurrency,
              "--k8s-rdma.extender.poll.timeout=" + opts.get("timeout", "2s"));
      try (ExtenderProcess extender =
          ExtenderProcess.start(
              ExtenderBenchmark.cpuPrefix(opts),
              java,
              Path.of(opts.get("extender-jar", "scheduler-extender/target/scheduler-extender.jar")),
              ExtenderBenchmark.flags(opts.get("jvm-flags", "")),
              args,
              port,
              log,
              client)) {
        extender.awaitReady(READY_DEADLINE);
        int without = unusable(extender.base());
        double seconds = firstRoundSeconds(log);
        ExtenderBenchmark.log(
            "concurrency %d, run %d: first round %.2f s, %d of %d nodes without an inventory",
            concurrency, run, seconds, without, cluster.size());
        return new Run(concurrency, run, seconds, cluster.size(), without);
      }
    }
  }

  /**
   * The first round's duration as the extender logs it ({@code first poll round done: N agents in M
   * ms}); the agents cannot tell, as a request that timed out before it was accepted never reaches
   * them.
   */
  static double firstRoundSeconds(Path log) throws IOException {
    Matcher m = FIRST_ROUND.matcher(Files.readString(log));
    return m.find() ? Long.parseLong(m.group(1)) / 1000.0 : Double.NaN;
  }

  private static final Pattern FIRST_ROUND =
      Pattern.compile("first poll round done: \\d+ agents in (\\d+) ms");

  /**
   * Nodes the extender cannot use right after its first round ({@code /inventory?usable=false}).
   */
  private int unusable(URI base) throws Exception {
    HttpResponse<String> r =
        client.send(
            HttpRequest.newBuilder(base.resolve("/inventory?usable=false"))
                .timeout(Duration.ofSeconds(30))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    JsonNode nodes = Json.mapper().readTree(r.body());
    return nodes.size();
  }

  static String render(List<Run> runs, SimulatedCluster cluster, int answerBytes, String env) {
    StringBuilder md = new StringBuilder();
    md.append(
        String.format(
            Locale.ROOT,
            "## Extender first poll round: %d nodes, %d PFs x %d VFs, %d KiB per answer%n%n",
            cluster.size(),
            cluster.layout().pfs(),
            cluster.layout().vfsPerPf(),
            answerBytes / 1024));
    md.append(env).append('\n');
    md.append(
        "| poll.concurrency | run | first round s | nodes without an inventory when ready |\n");
    md.append("|--:|--:|--:|--:|\n");
    for (Run r : runs) {
      md.append(
          String.format(
              Locale.ROOT,
              "| %d | %d | %.2f | %d of %d |%n",
              r.concurrency(),
              r.run(),
              r.roundSeconds(),
              r.withoutInventory(),
              r.nodes()));
    }
    return md.toString();
  }
}
