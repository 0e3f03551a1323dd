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
      super(
          "the answer is larger than "
              + (limit % (1 << 20) == 0 ? (limit >> 20) + " MiB" : limit + " bytes"));
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
              + (limit % (1 << 20) == 0 ? (limit >> 20) + " MiB" : limit + " bytes")
              + "); polled again next round",
          null,
          false,
          false);
    }
  }
}
