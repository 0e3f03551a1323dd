package io.k8srdma.bench.extender;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.k8srdma.model.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Every node agent of a {@link SimulatedCluster} behind one in-process HTTP server on 127.0.0.1:
 * {@code GET /n/<node>/vfs} answers the node's inventory with its weak ETag, or 304 when {@code
 * If-None-Match} matches. It counts the answers and times the extender's poll rounds from its own
 * side: the extender polls every node exactly once per round, one round at a time, so request
 * {@code k·N+1} opens round {@code k} and request {@code (k+1)·N} closes it.
 */
final class FakeAgents implements AutoCloseable {

  private static final String PREFIX = "/n/";

  private final SimulatedCluster cluster;
  private final HttpServer server;
  private final ExecutorService pool;
  private final Map<Integer, byte[]> bodies = new ConcurrentHashMap<>();
  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong fullAnswers = new AtomicLong();
  private final AtomicLong notModified = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();
  private final List<PollRound> rounds = new ArrayList<>();
  private volatile long roundStart;

  /**
   * One poll round as the agents saw it.
   *
   * @param index 0 for the first round (every node answered 200), then 1, 2, ...
   * @param span from its first request to its last
   */
  record PollRound(int index, Span span) {
    double seconds() {
      return span.nanos() / 1e9;
    }
  }

  FakeAgents(SimulatedCluster cluster, int threads) throws IOException {
    this.cluster = cluster;
    this.server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
    this.pool = Executors.newFixedThreadPool(threads, r -> daemon(r, "fake-agents"));
    server.setExecutor(pool);
    server.createContext(PREFIX, this::handle);
    server.start();
  }

  /** The base URL of node {@code i}'s agent, as the extender's static-agents map wants it. */
  URI agentUrl(int i) {
    return URI.create(
        "http://127.0.0.1:" + server.getAddress().getPort() + PREFIX + cluster.nodeName(i));
  }

  long fullAnswers() {
    return fullAnswers.get();
  }

  long notModified() {
    return notModified.get();
  }

  long errors() {
    return errors.get();
  }

  /** The poll rounds completed so far. */
  synchronized List<PollRound> rounds() {
    return List.copyOf(rounds);
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      countRound();
      String path = ex.getRequestURI().getPath();
      int end = path.indexOf('/', PREFIX.length());
      int node =
          end < 0 || !path.endsWith("/vfs")
              ? -1
              : cluster.indexOf(path.substring(PREFIX.length(), end));
      if (node < 0 || !"GET".equals(ex.getRequestMethod())) {
        errors.incrementAndGet();
        ex.sendResponseHeaders(404, -1);
        return;
      }
      String etag = cluster.etag(node);
      ex.getResponseHeaders().set("ETag", etag);
      if (etag.equals(ex.getRequestHeaders().getFirst("If-None-Match"))) {
        notModified.incrementAndGet();
        ex.sendResponseHeaders(304, -1);
        return;
      }
      byte[] body = bodies.computeIfAbsent(node, this::encode);
      fullAnswers.incrementAndGet();
      ex.getResponseHeaders().set("Content-Type", "application/json");
      ex.sendResponseHeaders(200, body.length);
      ex.getResponseBody().write(body);
    }
  }

  /** A node's answer, encoded once: an agent serves its cached body too. */
  private byte[] encode(int node) {
    try {
      return Json.mapper().writeValueAsBytes(cluster.inventory(node));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void countRound() {
    long k = requests.incrementAndGet();
    long n = cluster.size();
    if ((k - 1) % n == 0) {
      roundStart = System.nanoTime();
    }
    if (k % n == 0) {
      long now = System.nanoTime();
      synchronized (this) {
        rounds.add(new PollRound((int) (k / n - 1), new Span(roundStart, now)));
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    pool.shutdownNow();
  }

  static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }
}
