package io.k8srdma.extender.poller;

import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One agent's answer to {@code GET /vfs}: status, ETag and body, read in full within a deadline and
 * a size limit.
 *
 * <p>The HTTP client's own timeout only covers silence on the connection, so an agent that trickles
 * its answer a few bytes at a time would hold a slot of the poll round for as long as it likes;
 * here the whole exchange must finish within the deadline, and a body that grows past the limit is
 * abandoned instead of filling the heap. Either way the request is cancelled, which closes its
 * connection.
 *
 * @param status the HTTP status code
 * @param etag the {@code ETag} header, or null
 * @param body the body, empty for a 304
 */
record AgentAnswer(int status, String etag, byte[] body) {

  /** Thrown into the answer's future when the body passes the size limit. */
  static final class TooLarge extends RuntimeException {
    TooLarge(int limit) {
      super(
          "the answer is larger than "
              + (limit % (1 << 20) == 0 ? (limit >> 20) + " MiB" : limit + " bytes"));
    }
  }

  /**
   * Sends {@code request} and completes with the answer, or exceptionally with a {@link
   * java.util.concurrent.TimeoutException} after {@code deadline}, a {@link TooLarge} past {@code
   * maxBytes}, or the client's error.
   */
  static CompletableFuture<AgentAnswer> fetch(
      HttpClient http, HttpRequest request, Duration deadline, int maxBytes) {
    BodyCollector body = new BodyCollector(maxBytes);
    CompletableFuture<AgentAnswer> answer =
        http.consumeBytes(request, body)
            .thenCompose(
                response ->
                    body.readFrom(response)
                        .thenApply(
                            bytes ->
                                new AgentAnswer(response.code(), response.header("ETag"), bytes)));
    return answer
        .orTimeout(deadline.toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete((ok, error) -> body.finish());
  }

  /** Collects the body's buffers; the client calls {@link #consume} on its event loop. */
  private static final class BodyCollector implements AsyncBody.Consumer<List<ByteBuffer>> {

    private final int maxBytes;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private volatile AsyncBody started;
    private volatile boolean finished;

    BodyCollector(int maxBytes) {
      this.maxBytes = maxBytes;
    }

    CompletableFuture<byte[]> readFrom(HttpResponse<AsyncBody> response) {
      started = response.body();
      if (finished) {
        // The deadline passed before the headers came: nobody waits for this body any more.
        started.cancel();
        return result;
      }
      started
          .done()
          .whenComplete(
              (done, error) -> {
                if (error != null) {
                  result.completeExceptionally(error);
                } else {
                  result.complete(collected());
                }
              });
      started.consume();
      return result;
    }

    @Override
    public void consume(List<ByteBuffer> buffers, AsyncBody body) {
      synchronized (bytes) {
        for (ByteBuffer buffer : buffers) {
          if (bytes.size() + buffer.remaining() > maxBytes) {
            result.completeExceptionally(new TooLarge(maxBytes));
            body.cancel();
            return;
          }
          byte[] chunk = new byte[buffer.remaining()];
          buffer.get(chunk);
          bytes.write(chunk, 0, chunk.length);
        }
      }
      body.consume();
    }

    private byte[] collected() {
      synchronized (bytes) {
        return bytes.toByteArray();
      }
    }

    /** Stops a body still arriving when the answer ended otherwise (deadline, size, error). */
    void finish() {
      finished = true;
      AsyncBody body = started;
      if (body != null && !body.done().isDone()) {
        body.cancel();
      }
    }
  }
}
