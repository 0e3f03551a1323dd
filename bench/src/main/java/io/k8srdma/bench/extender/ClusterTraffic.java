package io.k8srdma.bench.extender;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The requests an extender gets in a cluster besides kube-scheduler's: the kubelet's readiness
 * (every 5 s) and liveness (every 10 s) probes of the chart, and a Prometheus scrape (every 30 s by
 * default). Without them, the first requests of another shape after the warm-up make the JIT throw
 * away code it compiled for the verbs alone (uncommon traps in Tomcat's and Spring's request path)
 * and compile it again during the measured runs. Runs on one daemon thread until closed.
 */
final class ClusterTraffic implements AutoCloseable {

  private final HttpClient client;
  private final URI base;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(r -> FakeAgents.daemon(r, "cluster-traffic"));
  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();

  private ClusterTraffic(HttpClient client, URI base) {
    this.client = client;
    this.base = base;
  }

  /**
   * Starts probing and scraping the extender at {@code base}.
   *
   * @param scrape the Prometheus scrape interval; zero or negative for none
   */
  static ClusterTraffic start(HttpClient client, URI base, Duration scrape) {
    Map<String, Duration> schedule = new LinkedHashMap<>();
    schedule.put("/actuator/health/readiness", Duration.ofSeconds(5));
    schedule.put("/actuator/health/liveness", Duration.ofSeconds(10));
    if (scrape.isPositive()) {
      schedule.put("/actuator/prometheus", scrape);
    }
    return start(client, base, schedule);
  }

  /** Sends a {@code GET} of each path of {@code schedule} at its period, the first after one. */
  static ClusterTraffic start(HttpClient client, URI base, Map<String, Duration> schedule) {
    ClusterTraffic t = new ClusterTraffic(client, base);
    schedule.forEach((path, period) -> t.every(period, path));
    return t;
  }

  /** Requests sent so far. */
  long requests() {
    return requests.get();
  }

  /** Requests that failed or were not answered with 200. */
  long failures() {
    return failures.get();
  }

  private void every(Duration period, String path) {
    long millis = period.toMillis();
    timer.scheduleAtFixedRate(() -> get(path), millis, millis, TimeUnit.MILLISECONDS);
  }

  private void get(String path) {
    requests.incrementAndGet();
    try {
      HttpRequest r =
          HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(5)).build();
      if (client.send(r, BodyHandlers.discarding()).statusCode() != 200) {
        failures.incrementAndGet();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      // a probe that fails is counted, as kubelet would; the run goes on
      failures.incrementAndGet();
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
