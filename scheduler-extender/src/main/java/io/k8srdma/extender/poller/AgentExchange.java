package io.k8srdma.extender.poller;

import io.vertx.core.AsyncResult;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.RequestOptions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;

/**
 * One {@code GET /vfs} to an agent, from asking the client for a connection to the last byte of the
 * answer, within a deadline and a size limit.
 *
 * <p>The deadline covers the whole exchange: an agent that never answers, or trickles its answer a
 * few bytes at a time, must not hold a slot of the poll round longer than {@code poll.timeout}
 * (Vert.x's own request timeout only covers silence until the headers). When the deadline passes,
 * or the body grows past the limit, the request is reset, which closes its connection: the pool
 * never hands out a connection whose answer is still unread, and a hung agent's connection is not
 * kept open.
 *
 * <p>The deadline is a Vert.x timer that the end of the exchange cancels, so an answer that comes
 * in time costs no exception. fabric8's request timeout cancelled a {@code CompletableFuture} on
 * every completed request, which created two exceptions with stack traces per poll: 12% of the
 * extender's allocation at 5,000 nodes (docs/benchmarks-log.md).
 *
 * <p>Everything from {@link #start} on runs on the client's one event loop, so the fields need no
 * lock; {@link #answer} is the way out, completed there.
 */
final class AgentExchange {

  private static final byte[] NO_BODY = new byte[0];

  /**
   * The most a body's buffer takes before its bytes arrive, whatever length the agent declares:
   * room for a large node's whole inventory at once, while a peer that declares megabytes and sends
   * nothing (or trickles) holds no more than this of {@code poll.answer-memory}. Past it, the
   * buffer doubles as the bytes come, up to the declared length.
   */
  static final int UP_FRONT_BYTES = 256 << 10;

  private final Vertx vertx;
  private final long deadlineMillis;
  private final int maxBytes;
  private final AnswerBudget budget;

  /** What this exchange's body holds of the budget: its buffer's size, as far as it grew. */
  private long taken;

  private final CompletableFuture<AgentAnswer> answer = new CompletableFuture<>();

  /** Whether the answer is complete or given up: whatever Vert.x reports after that is ignored. */
  private boolean ended;

  private long deadlineTimer = -1;

  /** Null until the client has a connection for it. */
  private HttpClientRequest request;

  /**
   * The body read so far, null until its first bytes; sized as the agent declares it, up to {@link
   * #UP_FRONT_BYTES} before the bytes are there.
   */
  private Buffer body;

  private long declaredLength = -1;

  AgentExchange(Vertx vertx, long deadlineMillis, int maxBytes, AnswerBudget budget) {
    this.vertx = vertx;
    this.deadlineMillis = deadlineMillis;
    this.maxBytes = maxBytes;
    this.budget = budget;
  }

  /**
   * Completes with the answer, or exceptionally with a {@link TimeoutException} after the deadline,
   * a {@link AgentAnswer.TooLarge} past the size limit, a {@link AgentAnswer.NoMemoryLeft} when the
   * answers in flight hold the whole budget, or the client's error. A completed answer still holds
   * its body's bytes of the budget: the poller gives them back when it is done with it.
   */
  CompletableFuture<AgentAnswer> answer() {
    return answer;
  }

  /** Asks {@code http} for the request {@code options} describe; on the client's event loop. */
  void start(HttpClient http, RequestOptions options) {
    try {
      deadlineTimer = vertx.setTimer(deadlineMillis, timer -> expire());
      http.request(options).onComplete(this::send);
    } catch (RuntimeException | Error e) {
      // Vert.x throws at once for some addresses (a port out of range) instead of failing the
      // future; and whatever is thrown here must end the exchange, or the poll's permit is lost.
      fail(e);
      if (e instanceof Error) {
        throw e; // for Vert.x to report as well: a class that failed to load, say
      }
    }
  }

  private void send(AsyncResult<HttpClientRequest> obtained) {
    if (obtained.failed()) {
      fail(obtained.cause());
      return;
    }
    request = obtained.result();
    if (ended) {
      // The deadline passed while connecting: nothing was sent, the connection goes back unused.
      // The reset fails the request, which Vert.x would log as an error with no handler set.
      request.exceptionHandler(reset -> {}).reset();
      return;
    }
    request.send().onComplete(this::receive);
  }

  private void receive(AsyncResult<HttpClientResponse> received) {
    if (received.failed()) {
      fail(received.cause());
      return;
    }
    HttpClientResponse response = received.result();
    declaredLength = declaredLength(response);
    // Set before this returns, on the loop that reads the connection: no chunk comes in between.
    response
        .handler(this::append)
        .exceptionHandler(this::fail)
        .endHandler(end -> complete(response));
  }

  private void append(Buffer chunk) {
    if (ended) {
      return;
    }
    int read = body == null ? 0 : body.length();
    long needed = (long) read + chunk.length();
    if (needed > maxBytes) {
      fail(new AgentAnswer.TooLarge(maxBytes));
      return;
    }
    // Room for the whole body at once when the agent says how long it is (it does) and that is
    // not large; else the buffer doubles as the bytes come, up to the length it said if it did.
    long cap = declaredLength >= needed ? Math.min(declaredLength, maxBytes) : maxBytes;
    long grown = body == null ? (declaredLength >= 0 ? UP_FRONT_BYTES : needed) : 2 * taken;
    long room = Math.min(cap, Math.max(needed, grown));
    if (needed > taken && !takeUpTo(room)) {
      fail(new AgentAnswer.NoMemoryLeft(budget.limit()));
      return;
    }
    if (body == null) {
      body = Buffer.buffer((int) room);
    }
    body.appendBuffer(chunk);
  }

  /** Takes what the body's buffer grows to, {@code room} bytes in all, from the budget. */
  private boolean takeUpTo(long room) {
    if (!budget.take(room - taken)) {
      return false;
    }
    taken = room;
    return true;
  }

  private void complete(HttpClientResponse response) {
    if (ended) {
      return;
    }
    byte[] bytes = body == null ? NO_BODY : body.getBytes();
    // The answer keeps its bytes' worth of the budget until the poller is done with it.
    budget.give(taken - bytes.length);
    taken = bytes.length;
    end();
    answer.complete(
        new AgentAnswer(response.statusCode(), response.getHeader(HttpHeaders.ETAG), bytes));
  }

  /** The deadline's timer fired. */
  private void expire() {
    deadlineTimer = -1;
    fail(new TimeoutException("no complete answer within " + deadlineMillis + " ms"));
  }

  /**
   * Gives the exchange up with {@code error} and resets its request: once sent, that closes its
   * connection (if Vert.x has not already), before the poll's permit is given back.
   */
  private void fail(Throwable error) {
    if (end()) {
      budget.give(taken);
      taken = 0;
      if (request != null) {
        request.reset(0, error);
      }
      answer.completeExceptionally(error);
    }
  }

  /** Marks the end, cancelling the deadline; false if the exchange had already ended. */
  private boolean end() {
    if (ended) {
      return false;
    }
    ended = true;
    body = null;
    if (deadlineTimer >= 0) {
      vertx.cancelTimer(deadlineTimer);
      deadlineTimer = -1;
    }
    return true;
  }

  /** The body's length the agent declares, -1 when it declares none. */
  private static long declaredLength(HttpClientResponse response) {
    String length = response.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length == null) {
      return -1;
    }
    try {
      return Long.parseLong(length.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
