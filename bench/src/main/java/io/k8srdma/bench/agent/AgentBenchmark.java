package io.k8srdma.bench.agent;

import io.k8srdma.bench.support.BenchFiles;
import io.k8srdma.bench.support.DriverKit;
import io.k8srdma.bench.support.Options;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Load driver for the node agent: for each fake host tree and JVM profile it starts the agent jar
 * as a child process, measures time to ready, then {@code GET /vfs} latency and throughput, 304
 * latency and resident memory, and prints a Markdown table (also written to {@code
 * <results>/agent-<timestamp>.md}).
 *
 * <p>Options, all {@code --name=value}: {@code agent-jar} (node-agent/target/node-agent.jar),
 * {@code hosts-cp} (node-agent/target/test-classes), {@code results} (bench/results), {@code trees}
 * (demo,32x64), {@code profiles} (default,tuned-c1,tuned-c2), {@code ready-runs} (3), {@code
 * threads} (8). Every loop is bounded and all traffic goes to 127.0.0.1.
 */
public final class AgentBenchmark {

  /** Requests before the RSS reading, which the memory target refers to. */
  private static final int RSS_AFTER_REQUESTS = 1_000;

  private final Options opts;
  private final Path java = DriverKit.currentJava();
  private final Path work;
  private final HttpClient client = DriverKit.httpClient();

  private AgentBenchmark(Options opts, Path work) {
    this.opts = opts;
    this.work = work;
  }

  /** Runs the benchmark; see the class comment for the options. */
  public static void main(String[] args) throws Exception {
    Path work = BenchFiles.tempDir("k8s-rdma-bench-");
    try {
      new AgentBenchmark(Options.parse(args), work).run();
    } finally {
      BenchFiles.deleteTree(work);
    }
  }

  private void run() throws Exception {
    List<FakeTree> trees = FakeTree.named(opts.list("trees", ""));
    List<JvmProfile> profiles = JvmProfile.named(opts.list("profiles", ""));
    int readyRuns = opts.integer("ready-runs", 3);
    int threads = opts.integer("threads", 8);
    String before = Environment.describe(java);
    List<AgentResult> results = new ArrayList<>();
    for (FakeTree tree : trees) {
      Path root = buildTree(tree);
      for (JvmProfile profile : profiles) {
        log("%s / %s ...", tree.name(), profile.name());
        results.add(measure(tree, root, profile, readyRuns, threads));
      }
      BenchFiles.deleteTree(root);
    }
    String env = before + "- load average after: " + Environment.loadAverage() + "\n";
    String md = MarkdownReport.render(results, env, threads, profiles);
    System.out.println(md);
    Path out = BenchFiles.writeResult(Path.of(opts.get("results", "bench/results")), "agent", md);
    log("results written to %s", out);
  }

  private AgentResult measure(
      FakeTree tree, Path root, JvmProfile profile, int readyRuns, int threads) throws Exception {
    Path jar = agentJar(profile);
    List<String> flags = jvmFlags(profile);
    if (profile.cds()) {
      trainArchive(jar, flags, profile, root);
    }
    List<Long> ready = new ArrayList<>();
    for (int i = 1; i < readyRuns; i++) {
      try (AgentProcess agent = start(jar, flags, profile, root)) {
        ready.add(agent.awaitReady(client).toMillis());
      }
    }
    try (AgentProcess agent = start(jar, flags, profile, root)) {
      ready.add(agent.awaitReady(client).toMillis());
      double cpu = ProcStatus.cpuSeconds(agent.pid());
      LoadDriver load = new LoadDriver(client, agent.base());
      LoadDriver.Probe probe = load.probe();
      load.warmUp(RSS_AFTER_REQUESTS);
      long rss = ProcStatus.rssKib(agent.pid());
      int n = tree.requests();
      LatencySummary sequential = load.sequential(n);
      LatencySummary concurrent = load.concurrent(threads, Math.max(1, n / threads));
      LatencySummary notModified = load.notModified(n, probe.etag());
      long peak = ProcStatus.peakRssKib(agent.pid());
      return new AgentResult(
          tree,
          profile,
          ready,
          cpu,
          probe.bodyBytes(),
          rss,
          peak,
          sequential,
          concurrent,
          notModified);
    }
  }

  /**
   * One untimed start that writes the dynamic CDS archive at exit, as an image build would; the
   * timed starts then map it.
   */
  private void trainArchive(Path jar, List<String> flags, JvmProfile profile, Path root)
      throws Exception {
    if (Files.exists(archive(profile))) {
      return;
    }
    try (AgentProcess agent = start(jar, flags, profile, root)) {
      agent.awaitReady(client);
      new LoadDriver(client, agent.base()).warmUp(100);
    }
    if (!Files.exists(archive(profile))) {
      log("warning: no CDS archive written for %s", profile.name());
    }
  }

  private AgentProcess start(Path jar, List<String> flags, JvmProfile profile, Path root) {
    Path log = work.resolve("agent-" + profile.name() + ".log");
    return AgentProcess.start(java, jar, flags, profile, root, BenchFiles.freePort(), log);
  }

  private List<String> jvmFlags(JvmProfile profile) {
    if (!profile.cds()) {
      return profile.flags();
    }
    return Stream.concat(
            profile.flags().stream(),
            Stream.of("-XX:+AutoCreateSharedArchive", "-XX:SharedArchiveFile=" + archive(profile)))
        .toList();
  }

  private Path archive(JvmProfile profile) {
    return work.resolve("cds-" + profile.name() + ".jsa");
  }

  /**
   * The jar to launch. CDS cannot archive classes loaded from jars nested in the fat jar, so the
   * CDS profiles run the layout of {@code java -Djarmode=tools -jar ... extract}.
   */
  private Path agentJar(JvmProfile profile) throws IOException, InterruptedException {
    Path fat = Path.of(opts.get("agent-jar", "node-agent/target/node-agent.jar"));
    if (!profile.cds()) {
      return fat;
    }
    Path dir = work.resolve("extracted");
    if (!Files.isDirectory(dir)) {
      exec(
          List.of(
              java.toString(),
              "-Djarmode=tools",
              "-jar",
              fat.toString(),
              "extract",
              "--destination",
              dir.toString()));
    }
    return dir.resolve(fat.getFileName());
  }

  private Path buildTree(FakeTree tree) throws IOException, InterruptedException {
    Path root = work.resolve("host-" + tree.name());
    List<String> cmd = new ArrayList<>();
    cmd.addAll(
        List.of(
            java.toString(),
            "-cp",
            opts.get("hosts-cp", "node-agent/target/test-classes"),
            "io.k8srdma.agent.testhost.Hosts",
            tree.hostsArgs().get(0),
            root.toString()));
    cmd.addAll(tree.hostsArgs().subList(1, tree.hostsArgs().size()));
    log("building tree %s", tree.name());
    exec(cmd);
    return root;
  }

  private void exec(List<String> cmd) throws IOException, InterruptedException {
    Path out = work.resolve("exec.log");
    Process p =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    try {
      if (p.waitFor() != 0) {
        throw new IllegalStateException(cmd + " failed:\n" + Files.readString(out));
      }
    } finally {
      p.destroyForcibly();
    }
  }

  private static void log(String format, Object... args) {
    System.err.println("[agent-bench] " + format.formatted(args));
  }
}
