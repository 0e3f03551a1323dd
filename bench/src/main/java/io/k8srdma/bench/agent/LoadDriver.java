package io.k8srdma.bench.agent;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * Sends bounded numbers of {@code GET /vfs} requests to one agent and times each with {@link
 * System#nanoTime()} around a blocking {@link HttpClient#send}.
 */
final class LoadDriver {

  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

  private final HttpClient client;
  private final HttpRequest get;

  LoadDriver(HttpClient client, URI base) {
    this.client = client;
    this.get = HttpRequest.newBuilder(base.resolve("/vfs")).timeout(REQUEST_TIMEOUT).build();
  }

  /** The first answer: its size and ETag, which the conditional run sends back. */
  record Probe(int bodyBytes, String etag) {}

  Probe probe() throws IOException, InterruptedException {
    HttpResponse<byte[]> r = client.send(get, BodyHandlers.ofByteArray());
    if (r.statusCode() != 200) {
      throw new IllegalStateException("GET /vfs answered " + r.statusCode());
    }
    String etag =
        r.headers()
            .firstValue("ETag")
            .orElseThrow(() -> new IllegalStateException("GET /vfs sent no ETag"));
    return new Probe(r.body().length, etag);
  }

  /** Untimed requests, so the JIT has compiled the request path before anything is measured. */
  void warmUp(int requests) throws IOException, InterruptedException {
    new Run(get, 200).go(requests);
  }

  /** Requests one after another on one connection: the latency a single poller sees. */
  LatencySummary sequential(int requests) throws IOException, InterruptedException {
    Run run = new Run(get, 200);
    long t0 = System.nanoTime();
    run.go(requests);
    return run.summary(Duration.ofNanos(System.nanoTime() - t0));
  }

  /** Conditional requests with a matching {@code If-None-Match}: every answer should be a 304. */
  LatencySummary notModified(int requests, String etag) throws IOException, InterruptedException {
    HttpRequest conditional =
        HttpRequest.newBuilder(get.uri())
            .timeout(REQUEST_TIMEOUT)
            .header("If-None-Match", etag)
            .build();
    Run run = new Run(conditional, 304);
    long t0 = System.nanoTime();
    run.go(requests);
    return run.summary(Duration.ofNanos(System.nanoTime() - t0));
  }

  /**
   * {@code threads} threads each sending {@code requestsPerThread} requests back to back (the
   * client opens one connection per busy thread): throughput under concurrent pollers.
   */
  LatencySummary concurrent(int threads, int requestsPerThread)
      throws InterruptedException, IOException {
    List<Run> runs = new ArrayList<>();
    List<Future<?>> done = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    long t0 = System.nanoTime();
    try {
      for (int i = 0; i < threads; i++) {
        Run run = new Run(get, 200);
        runs.add(run);
        done.add(
            pool.submit(
                () -> {
                  run.go(requestsPerThread);
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } catch (ExecutionException e) {
      throw new IOException("a load thread failed", e.getCause());
    } finally {
      pool.shutdownNow();
    }
    Duration elapsed = Duration.ofNanos(System.nanoTime() - t0);
    Histogram all = LatencySummary.newHistogram();
    long errors = 0;
    for (Run run : runs) {
      all.add(run.latencies);
      errors += run.errors.get();
    }
    return LatencySummary.of(all, errors, elapsed);
  }

  /** One thread's share of a measurement: its own histogram, so threads never contend on it. */
  private final class Run {
    private final HttpRequest request;
    private final int expectedStatus;
    private final Histogram latencies = LatencySummary.newHistogram();
    private final AtomicLong errors = new AtomicLong();

    Run(HttpRequest request, int expectedStatus) {
      this.request = request;
      this.expectedStatus = expectedStatus;
    }

    void go(int requests) throws IOException, InterruptedException {
      for (int i = 0; i < requests; i++) {
        long t0 = System.nanoTime();
        // Read the whole body (discarding it) so the time includes the transfer.
        int status = client.send(request, BodyHandlers.discarding()).statusCode();
        latencies.recordValue(Math.min(System.nanoTime() - t0, LatencySummary.MAX_TRACKED_NANOS));
        if (status != expectedStatus) {
          errors.incrementAndGet();
        }
      }
    }

    LatencySummary summary(Duration elapsed) {
      return LatencySummary.of(latencies, errors.get(), elapsed);
    }
  }
}
