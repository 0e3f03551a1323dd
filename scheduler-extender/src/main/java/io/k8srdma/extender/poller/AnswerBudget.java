package io.k8srdma.extender.poller;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The heap the agents' answers in flight take together ({@code poll.answer-memory}), from their
 * first byte read until their poll ends, parsed or not. Each answer is limited to 8 MiB, and at
 * most {@code poll.concurrency} are in flight; without a shared limit, 64 agents (or whatever else
 * answers on their port) sending large bodies at once would need 512 MiB, more than the chart's
 * heap, and the extender would exit and restart into the same round.
 *
 * <p>Taken on the client's event loop as an answer's buffer grows, given back there when an
 * exchange fails, and by the poller (on either of its threads) when a poll ends.
 */
final class AnswerBudget {

  private final long limit;
  private final AtomicLong taken = new AtomicLong();

  AnswerBudget(long limit) {
    this.limit = limit;
  }

  /** Takes {@code bytes} if they fit beside what the other answers hold; false otherwise. */
  boolean take(long bytes) {
    long now;
    do {
      now = taken.get();
      if (now + bytes > limit) {
        return false;
      }
    } while (!taken.compareAndSet(now, now + bytes));
    return true;
  }

  /** Gives {@code bytes} back. */
  void give(long bytes) {
    if (bytes != 0) {
      // Most answers are 304s without a body: no write to the shared counter for them.
      taken.addAndGet(-bytes);
    }
  }

  /** What the answers in flight hold now. */
  long taken() {
    return taken.get();
  }

  long limit() {
    return limit;
  }
}
