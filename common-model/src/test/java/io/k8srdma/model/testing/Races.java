package io.k8srdma.model.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Reads a shared state while another thread changes it (published in common-model's test jar), to
 * catch a reader that can see it half changed: the tests of lock-free readers.
 */
public final class Races {

  /** At most this many reports are kept: the first ones tell what went wrong. */
  private static final int REPORTS = 10;

  private Races() {}

  /**
   * Runs {@code write} {@code writes} times on one thread while this one calls {@code read} until
   * the writes are done, and once after: what {@code read} reported, at most ten of them (null is
   * nothing to report). A write that throws fails the call.
   */
  public static List<String> readWhileWriting(int writes, Runnable write, Supplier<String> read)
      throws Exception {
    List<String> reported = new ArrayList<>();
    AtomicBoolean writing = new AtomicBoolean(true);
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<?> writer =
          pool.submit(
              () -> {
                try {
                  for (int i = 0; i < writes; i++) {
                    write.run();
                  }
                } finally {
                  writing.set(false);
                }
              });
      // Bounded like the writer: the reader stops with it, or after as many reads as it may need.
      for (long i = 0; i < 1_000L * writes && reported.size() < REPORTS; i++) {
        boolean last = !writing.get();
        String problem = read.get();
        if (problem != null) {
          reported.add(problem);
        }
        if (last) {
          break;
        }
      }
      writer.get();
    } finally {
      pool.shutdownNow();
    }
    return reported;
  }
}
