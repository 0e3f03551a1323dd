package io.k8srdma.extender.poller;

import io.k8srdma.extender.config.ExtenderProperties;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * The poller's HTTP client for the agents: Vert.x's own, on the poller's event loop, each {@code
 * GET /vfs} an {@link AgentExchange}.
 *
 * <p>Vert.x's client rather than fabric8's on the same loop: fabric8's request timeout created two
 * exceptions with stack traces for every poll (12% of the extender's allocation at 5,000 nodes,
 * docs/benchmarks-log.md), and its interceptors, retry wrapper and body plumbing do nothing a poll
 * needs. What fabric8's client did that a poll does need, this does too:
 *
 * <ul>
 *   <li>{@code poll.timeout} to connect, and no retries (Vert.x's client has none): a failed poll
 *       is simply tried again next round;
 *   <li>connections kept alive across rounds (Vert.x's default; one idle for 60 s is closed), over
 *       HTTP/1.1, and TLS for {@code https} agent URLs with the JDK's trusted certificates and a
 *       host name check (Vert.x's defaults, as fabric8 left them);
 *   <li>up to {@code poll.concurrency} connections to one host and port. An agent needs one, as a
 *       node is never polled twice at once, but agents behind one address (a proxy, the tests, the
 *       benchmarks' one fake agent) share a pool, which must not hold the round's concurrency back.
 *       Vert.x gives each host and port an array of this many slots: 272 bytes per agent with the
 *       default, where fabric8's 8192 took 32 KB (160 MB of heap at 5,000 agents).
 * </ul>
 */
public class AgentClient implements AutoCloseable {

  private static final CharSequence JSON = HttpHeaders.createOptimized("application/json");

  private final Vertx vertx;
  private final HttpClient http;
  private final long timeoutMillis;
  private final int maxBytes;
  private final AnswerBudget budget;

  /**
   * Where the exchanges run: started there from the round's thread, each exchange lives on the loop
   * alone, and its requests and callbacks need no hop to another context.
   */
  private final Context loop;

  /** A client on {@code vertx}'s event loop, as {@code config} says; it leaves vertx open. */
  public AgentClient(Vertx vertx, ExtenderProperties.Poll config) {
    this(
        vertx,
        vertx.createHttpClient(options(config), pool(config)),
        config.timeout(),
        InventoryPoller.MAX_INVENTORY_BYTES,
        config.answerMemory().toBytes());
  }

  AgentClient(Vertx vertx, HttpClient http, Duration timeout, int maxBytes) {
    this(vertx, http, timeout, maxBytes, Long.MAX_VALUE);
  }

  AgentClient(Vertx vertx, HttpClient http, Duration timeout, int maxBytes, long answerMemory) {
    this.vertx = vertx;
    this.http = http;
    this.timeoutMillis = timeout.toMillis();
    this.maxBytes = maxBytes;
    this.budget = new AnswerBudget(answerMemory);
    this.loop = vertx.getOrCreateContext();
  }

  /** The client's options: {@code poll.timeout} to connect, Vert.x's defaults otherwise. */
  static HttpClientOptions options(ExtenderProperties.Poll config) {
    return new HttpClientOptions()
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, config.timeout().toMillis()));
  }

  /** The pool's: up to {@code poll.concurrency} connections to one host and port. */
  static PoolOptions pool(ExtenderProperties.Poll config) {
    return new PoolOptions().setHttp1MaxSize(config.concurrency());
  }

  /**
   * GETs {@code url} with {@code If-None-Match: etag} (none when null), within {@code poll.timeout}
   * and the size limit ({@link AgentExchange#answer}). The future completes on the event loop.
   *
   * @throws RuntimeException when {@code url} is not one (a URL Vert.x cannot parse)
   */
  CompletableFuture<AgentAnswer> fetch(String url, String etag) {
    // Built here, on the round's thread: the event loop has every answer in flight to read.
    RequestOptions options =
        new RequestOptions().setAbsoluteURI(url).putHeader(HttpHeaders.ACCEPT, JSON);
    if (etag != null) {
      options.putHeader(HttpHeaders.IF_NONE_MATCH, etag);
    }
    AgentExchange exchange = new AgentExchange(vertx, timeoutMillis, maxBytes, budget);
    loop.runOnContext(onLoop -> exchange.start(http, options));
    return exchange.answer();
  }

  /** Gives back what {@code answer}'s body held of {@code poll.answer-memory}; once per answer. */
  void done(AgentAnswer answer) {
    budget.give(answer.body().length);
  }

  /** What the answers in flight hold of {@code poll.answer-memory} now. */
  long answerMemoryTaken() {
    return budget.taken();
  }

  /** Closes the client, and with it every connection to the agents. */
  @Override
  public void close() {
    http.close();
  }
}
