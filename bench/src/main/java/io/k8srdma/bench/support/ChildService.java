package io.k8srdma.bench.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A service under test running as a child JVM on 127.0.0.1: started with its output in a log,
 * awaited on its Actuator readiness, stopped with SIGTERM (so a JVM can write a CDS archive at
 * exit) and then SIGKILL. A shutdown hook kills every child still running if the driver dies.
 */
public final class ChildService implements AutoCloseable {

  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(() -> LIVE.forEach(Process::destroyForcibly), "kill-child-services"));
  }

  private static final Duration STOP_GRACE = Duration.ofSeconds(30);

  private final String name;
  private final Process process;
  private final long startNanos;
  private final Path log;
  private final URI base;

  private ChildService(String name, Process process, long startNanos, Path log, URI base) {
    this.name = name;
    this.process = process;
    this.startNanos = startNanos;
    this.log = log;
    this.base = base;
  }

  /**
   * Starts {@code command} with {@code env} added to its environment.
   *
   * @param name what it is, for error messages ({@code agent}, {@code extender})
   * @param port the port it listens on, on 127.0.0.1
   * @param log where its stdout and stderr go
   */
  public static ChildService start(
      String name, List<String> command, Map<String, String> env, int port, Path log) {
    return start(name, command, env, URI.create("http://127.0.0.1:" + port), log);
  }

  /** As {@link #start(String, List, Map, int, Path)}, at {@code base} (e.g. an https URL). */
  public static ChildService start(
      String name, List<String> command, Map<String, String> env, URI base, Path log) {
    ProcessBuilder pb =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().putAll(env);
    long t0 = System.nanoTime();
    try {
      Process p = pb.start();
      LIVE.add(p);
      return new ChildService(name, p, t0, log, base);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command, e);
    }
  }

  public long pid() {
    return process.pid();
  }

  public URI base() {
    return base;
  }

  /**
   * Polls {@code /actuator/health/readiness} every {@code poll} until it answers 200.
   *
   * @return wall-clock time from just before the process was spawned to the first 200
   */
  public Duration awaitReady(HttpClient client, Duration deadline, Duration poll)
      throws InterruptedException {
    HttpRequest req =
        HttpRequest.newBuilder(base.resolve("/actuator/health/readiness"))
            .timeout(Duration.ofSeconds(5))
            .build();
    long until = startNanos + deadline.toNanos();
    while (System.nanoTime() < until) {
      if (!process.isAlive()) {
        throw new IllegalStateException(name + " exited early:\n" + tail(40));
      }
      try {
        if (client.send(req, BodyHandlers.discarding()).statusCode() == 200) {
          return Duration.ofNanos(System.nanoTime() - startNanos);
        }
      } catch (IOException notListeningYet) {
        // Connection refused until the server binds; keep polling.
      }
      Thread.sleep(poll.toMillis());
    }
    throw new IllegalStateException(name + " not ready within " + deadline + ":\n" + tail(40));
  }

  /** The last {@code lines} lines of its output, for error messages. */
  public String tail(int lines) {
    try {
      List<String> all = Files.readAllLines(log);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
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
