package io.k8srdma.bench.extender;

import com.fasterxml.jackson.databind.JsonNode;
import io.k8srdma.bench.support.ChildService;
import io.k8srdma.model.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The scheduler extender jar running as a child process on 127.0.0.1 ({@link ChildService}):
 * closing it stops it with SIGTERM, then SIGKILL.
 */
final class ExtenderProcess implements AutoCloseable {

  private static final Duration POLL = Duration.ofMillis(50);

  private final ChildService service;
  private final URI base;
  private final HttpClient client;

  private ExtenderProcess(ChildService service, HttpClient client) {
    this.service = service;
    this.base = service.base();
    this.client = client;
  }

  /**
   * Starts {@code java <flags> -jar <jar> <args>} with its output in {@code log}.
   *
   * @param port the extender's {@code server.port}, also passed in {@code args}
   * @param client what to call it with: one presenting the scheduler's certificate for {@code
   *     https}
   */
  static ExtenderProcess start(
      List<String> prefix,
      Path java,
      Path jar,
      List<String> flags,
      List<String> args,
      int port,
      Path log,
      HttpClient client) {
    return start(prefix, java, jar, flags, args, port, false, SERVICE_ACCOUNT, log, client);
  }

  /**
   * What a pod's service account gives fabric8: a bearer token. Without one its token interceptor
   * re-reads the whole client configuration (system properties, environment, kubeconfig,
   * service-account files) before every API request once a minute has passed, as it keeps looking
   * for a token to refresh; with one, once a minute. The fake API ignores it.
   */
  static final Map<String, String> SERVICE_ACCOUNT =
      Map.of("KUBERNETES_AUTH_TOKEN", "bench-service-account-token");

  /** As above, on HTTPS when {@code https}, with {@code env} added to its environment. */
  static ExtenderProcess start(
      List<String> prefix,
      Path java,
      Path jar,
      List<String> flags,
      List<String> args,
      int port,
      boolean https,
      Map<String, String> env,
      Path log,
      HttpClient client) {
    List<String> cmd = new ArrayList<>(prefix);
    cmd.add(java.toString());
    cmd.addAll(flags);
    cmd.add("-jar");
    cmd.add(jar.toString());
    cmd.addAll(args);
    URI base = URI.create((https ? "https" : "http") + "://127.0.0.1:" + port);
    return new ExtenderProcess(ChildService.start("extender", cmd, env, base, log), client);
  }

  URI base() {
    return base;
  }

  long pid() {
    return service.pid();
  }

  /**
   * Waits until {@code /actuator/health/readiness} answers 200 (first poll round done, pod informer
   * synced) and returns how long that took from spawning the process.
   */
  Duration awaitReady(Duration deadline) throws InterruptedException {
    return service.awaitReady(client, deadline, POLL);
  }

  /**
   * Used heap in bytes right after a full collection ({@code jcmd <pid> GC.run}): what the extender
   * holds, without the garbage that {@link #heapUsedBytes()} also counts.
   *
   * @param java the java launcher; jcmd is beside it
   */
  long liveHeapBytes(Path java) throws IOException, InterruptedException {
    Path jcmd = java.resolveSibling("jcmd");
    Process gc =
        new ProcessBuilder(jcmd.toString(), Long.toString(pid()), "GC.run")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    if (!gc.waitFor(60, TimeUnit.SECONDS) || gc.exitValue() != 0) {
      gc.destroyForcibly();
      throw new IOException("jcmd " + pid() + " GC.run did not succeed");
    }
    return heapUsedBytes();
  }

  /** Used heap in bytes from {@code /actuator/metrics/jvm.memory.used?tag=area:heap}. */
  long heapUsedBytes() throws IOException, InterruptedException {
    JsonNode json = Json.mapper().readTree(get("/actuator/metrics/jvm.memory.used?tag=area:heap"));
    return json.path("measurements").path(0).path("value").asLong();
  }

  /** The whole of {@code /actuator/prometheus}. */
  String prometheusText() throws IOException, InterruptedException {
    return get("/actuator/prometheus");
  }

  /** The value of one unlabelled sample of {@code /actuator/prometheus}, NaN when absent. */
  double prometheus(String metric) throws IOException, InterruptedException {
    for (String line : prometheusText().split("\n")) {
      if (line.startsWith(metric + " ") || line.startsWith(metric + "{")) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return Double.NaN;
  }

  /**
   * The value of the sample of {@code metric} whose labels contain {@code label} in one scrape of
   * {@code /actuator/prometheus}, else NaN.
   */
  static double sample(String exposition, String metric, String label) {
    for (String line : exposition.split("\n")) {
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
    return service.tail(40);
  }

  @Override
  public void close() {
    service.close();
  }
}
