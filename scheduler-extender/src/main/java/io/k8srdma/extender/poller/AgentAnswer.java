package io.k8srdma.extender.poller;

/**
 * One agent's complete answer to {@code GET /vfs}, as {@link AgentExchange} read it.
 *
 * @param status the HTTP status code
 * @param etag the {@code ETag} header, or null
 * @param body the body, empty for a 304
 */
record AgentAnswer(int status, String etag, byte[] body) {

  /** The exchange's error when the body passes the size limit. */
  static final class TooLarge extends RuntimeException {
    TooLarge(int limit) {
      super("the answer is larger than " + size(limit));
    }
  }

  /**
   * The exchange's error when the answers in flight hold all of {@code poll.answer-memory}: the
   * node keeps its inventory and is polled again next round.
   */
  static final class NoMemoryLeft extends RuntimeException {
    NoMemoryLeft(long limit) {
      super(
          "the answers in flight hold all of k8s-rdma.extender.poll.answer-memory ("
              + size(limit)
              + "); polled again next round",
          null,
          false,
          false);
    }
  }

  /** {@code bytes} in MiB when it is a whole number of them. */
  private static String size(long bytes) {
    return bytes % (1 << 20) == 0 ? (bytes >> 20) + " MiB" : bytes + " bytes";
  }
}
