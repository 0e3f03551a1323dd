package io.k8srdma.bench.agent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A node agent running as a child process on 127.0.0.1. Closing it stops the process: SIGTERM first
 * (so a dynamic CDS archive gets written at exit), then SIGKILL if it lingers.
 */
final class AgentProcess implements AutoCloseable {

  /** Every agent not yet closed, so the shutdown hook can kill them after Ctrl-C or a crash. */
  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly), "kill-agents"));
  }

  private static final Duration READY_DEADLINE = Duration.ofMinutes(2);
  private static final Duration POLL = Duration.ofMillis(10);
  private static final Duration STOP_GRACE = Duration.ofSeconds(30);

  private final Process process;
  private final long startNanos;
  private final Path log;
  private final URI base;

  private AgentProcess(Process process, long startNanos, Path log, int port) {
    this.process = process;
    this.startNanos = startNanos;
    this.log = log;
    this.base = URI.create("http://127.0.0.1:" + port);
  }

  /**
   * Starts the agent.
   *
   * @param java the java launcher
   * @param jar the agent jar (fat or extracted)
   * @param jvmFlags flags before {@code -jar}
   * @param profile the profile, for its environment
   * @param hostRoot the fake host tree
   * @param port a free TCP port on 127.0.0.1
   * @param log where the agent's stdout and stderr go
   */
  static AgentProcess start(
      Path java,
      Path jar,
      List<String> jvmFlags,
      JvmProfile profile,
      Path hostRoot,
      int port,
      Path log) {
    List<String> cmd = new ArrayList<>();
    cmd.add(java.toString());
    cmd.addAll(jvmFlags);
    cmd.addAll(
        List.of(
            "-jar",
            jar.toString(),
            "--server.address=127.0.0.1",
            "--server.port=" + port,
            "--k8s-rdma.agent.host-root=" + hostRoot,
            "--k8s-rdma.agent.node-name=bench",
            "--k8s-rdma.agent.netlink=false"));
    ProcessBuilder pb =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().putAll(profile.env());
    long t0 = System.nanoTime();
    try {
      Process p = pb.start();
      LIVE.add(p);
      return new AgentProcess(p, t0, log, port);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + cmd, e);
    }
  }

  long pid() {
    return process.pid();
  }

  URI base() {
    return base;
  }

  /**
   * Polls readiness until it answers 200.
   *
   * @return wall-clock time from just before the process was spawned to the first 200
   */
  Duration awaitReady(HttpClient client) throws InterruptedException {
    HttpRequest req =
        HttpRequest.newBuilder(base.resolve("/actuator/health/readiness"))
            .timeout(Duration.ofSeconds(5))
            .build();
    long deadline = startNanos + READY_DEADLINE.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("agent exited early:\n" + logTail());
      }
      try {
        if (client.send(req, BodyHandlers.discarding()).statusCode() == 200) {
          return Duration.ofNanos(System.nanoTime() - startNanos);
        }
      } catch (IOException notListeningYet) {
        // Connection refused until Tomcat binds; keep polling.
      }
      Thread.sleep(POLL);
    }
    throw new IllegalStateException("agent not ready within " + READY_DEADLINE + ":\n" + logTail());
  }

  String logTail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  @Override
  public void close() {
    try {
      process.destroy();
      if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    } finally {
      LIVE.remove(process);
    }
  }
}
