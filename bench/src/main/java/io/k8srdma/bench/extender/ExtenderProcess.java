package io.k8srdma.bench.extender;

import com.fasterxml.jackson.databind.JsonNode;
import io.k8srdma.model.json.Json;
import java.io.IOException;
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
 * The scheduler extender jar running as a child process on 127.0.0.1. {@link #close} stops it with
 * SIGTERM, then SIGKILL; a shutdown hook kills any still running if the driver dies.
 */
final class ExtenderProcess implements AutoCloseable {

  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(() -> LIVE.forEach(Process::destroyForcibly), "kill-extenders"));
  }

  private static final Duration POLL = Duration.ofMillis(50);
  private static final Duration STOP_GRACE = Duration.ofSeconds(30);

  private final Process process;
  private final URI base;
  private final Path log;
  private final HttpClient client;

  private ExtenderProcess(Process process, URI base, Path log, HttpClient client) {
    this.process = process;
    this.base = base;
    this.log = log;
    this.client = client;
  }

  /**
   * Starts {@code java <flags> -jar <jar> <args>} with its output in {@code log}.
   *
   * @param port the extender's {@code server.port}, also passed in {@code args}
   */
  static ExtenderProcess start(
      Path java,
      Path jar,
      List<String> flags,
      List<String> args,
      int port,
      Path log,
      HttpClient client)
      throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(java.toString());
    cmd.addAll(flags);
    cmd.add("-jar");
    cmd.add(jar.toString());
    cmd.addAll(args);
    Process p =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    LIVE.add(p);
    return new ExtenderProcess(p, URI.create("http://127.0.0.1:" + port), log, client);
  }

  URI base() {
    return base;
  }

  long pid() {
    return process.pid();
  }

  /**
   * Waits until {@code /actuator/health/readiness} answers 200 (first poll round done, pod informer
   * synced) and returns how long that took from now.
   */
  Duration awaitReady(Duration deadline) throws IOException, InterruptedException {
    long t0 = System.nanoTime();
    HttpRequest ready =
        HttpRequest.newBuilder(base.resolve("/actuator/health/readiness"))
            .timeout(Duration.ofSeconds(5))
            .build();
    while (System.nanoTime() - t0 < deadline.toNanos()) {
      if (!process.isAlive()) {
        throw new IllegalStateException("extender exited early:\n" + tail());
      }
      try {
        if (client.send(ready, BodyHandlers.discarding()).statusCode() == 200) {
          return Duration.ofNanos(System.nanoTime() - t0);
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(POLL.toMillis());
    }
    throw new IllegalStateException("extender not ready after " + deadline + ":\n" + tail());
  }

  /** Used heap in bytes from {@code /actuator/metrics/jvm.memory.used?tag=area:heap}. */
  long heapUsedBytes() throws IOException, InterruptedException {
    JsonNode json = Json.mapper().readTree(get("/actuator/metrics/jvm.memory.used?tag=area:heap"));
    return json.path("measurements").path(0).path("value").asLong();
  }

  /** The value of one unlabelled sample of {@code /actuator/prometheus}, NaN when absent. */
  double prometheus(String metric) throws IOException, InterruptedException {
    for (String line : get("/actuator/prometheus").split("\n")) {
      if (line.startsWith(metric + " ") || line.startsWith(metric + "{")) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return Double.NaN;
  }

  /** The value of the sample of {@code metric} whose labels contain {@code label}, else NaN. */
  double prometheus(String metric, String label) throws IOException, InterruptedException {
    for (String line : get("/actuator/prometheus").split("\n")) {
      if (line.startsWith(metric + "{") && line.contains(label)) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return Double.NaN;
  }

  private String get(String path) throws IOException, InterruptedException {
    HttpRequest r =
        HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10)).build();
    return client.send(r, BodyHandlers.ofString()).body();
  }

  /** The last lines of the extender's output, for error messages. */
  String tail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  @Override
  public void close() throws InterruptedException {
    try {
      process.destroy();
      if (!process.waitFor(STOP_GRACE.toSeconds(), TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    } finally {
      process.destroyForcibly();
      LIVE.remove(process);
    }
  }
}
