package io.k8srdma.model.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * Runs seeded fuzz loops (published in common-model's test jar): a fixed number of inputs, each
 * made from a {@link Random} seeded from the run's seed and the input's number, so a failure is
 * reproduced by the seed alone. The failure names the seed, the input's number, how the input was
 * made and the exact input (in a temp file when it is too long to print).
 *
 * <p>{@code -Dfuzz.seed=<n>} and {@code -Dfuzz.iterations=<n>} override a test's seed and count, to
 * explore further by hand; the suite runs with the tests' fixed seeds, so it is deterministic.
 */
public final class Fuzz {

  /** Inputs longer than this are written to a file instead of the message. */
  private static final int PRINTED_BYTES = 2048;

  private Fuzz() {}

  /** Makes one input from its own random. */
  @FunctionalInterface
  public interface Inputs<T> {
    T make(Random random) throws Exception;
  }

  /** Checks one input; any exception or assertion error is a failure. */
  @FunctionalInterface
  public interface Check<T> {
    void check(T input) throws Exception;
  }

  /** An input with its description and exact bytes, for the failure message. */
  public interface Described {
    /** How the input was made, e.g. the mutations applied. */
    String description();

    /** The exact input. */
    byte[] bytes();
  }

  /**
   * Counts how a run's inputs came out, so a test can insist that its mutations reach both
   * outcomes: a fuzz test whose inputs were all refused at the first byte proves nothing about what
   * comes after.
   */
  public static final class Tally {
    private int accepted;
    private int refused;

    /** An input the code under test accepted. */
    public void accepted() {
      accepted++;
    }

    /** An input the code under test refused as documented. */
    public void refused() {
      refused++;
    }

    /** Fails unless at least {@code percent}% of the inputs went each way. */
    public void assertEachAtLeast(int percent) {
      int total = accepted + refused;
      if (accepted * 100L < (long) percent * total || refused * 100L < (long) percent * total) {
        throw new AssertionError(
            "the mutations should reach both outcomes, at least "
                + percent
                + "% each: "
                + accepted
                + " accepted, "
                + refused
                + " refused");
      }
    }
  }

  /** The seed to run with: {@code -Dfuzz.seed}, else {@code fixed}. */
  public static long seed(long fixed) {
    String s = System.getProperty("fuzz.seed");
    return s == null || s.isBlank() ? fixed : Long.parseLong(s.trim());
  }

  /** How many inputs to try: {@code -Dfuzz.iterations}, else {@code fixed}. */
  public static int iterations(int fixed) {
    String s = System.getProperty("fuzz.iterations");
    return s == null || s.isBlank() ? fixed : Integer.parseInt(s.trim());
  }

  /**
   * Runs {@code check} on {@code iterations} inputs made from {@code seed}; stops at the first
   * failure with a message that reproduces it.
   */
  public static <T extends Described> void run(
      String what, long seed, int iterations, Inputs<T> inputs, Check<T> check) {
    for (int i = 0; i < iterations; i++) {
      Random random = new Random(inputSeed(seed, i));
      T input;
      try {
        input = inputs.make(random);
      } catch (Exception e) {
        throw new AssertionError(what + ": seed " + seed + " input " + i + " cannot be made", e);
      }
      try {
        check.check(input);
      } catch (Exception | AssertionError | StackOverflowError e) {
        throw new AssertionError(failure(what, seed, i, input), e);
      }
    }
  }

  /** The seed of input {@code i} of a run: a fixed mix, so inputs do not overlap across seeds. */
  public static long inputSeed(long seed, int i) {
    return seed * 0x9E3779B97F4A7C15L + i;
  }

  private static String failure(String what, long seed, int i, Described input) {
    byte[] bytes = input.bytes();
    String shown;
    if (bytes.length <= PRINTED_BYTES) {
      shown = escape(new String(bytes, StandardCharsets.UTF_8)) + " (bytes: " + hex(bytes) + ")";
    } else {
      shown = "in " + saved(bytes) + " (" + bytes.length + " bytes)";
    }
    return what
        + " failed for seed "
        + seed
        + " input "
        + i
        + " (rerun with -Dfuzz.seed="
        + seed
        + ")\n  made by: "
        + input.description()
        + "\n  input: "
        + shown;
  }

  private static Path saved(byte[] bytes) {
    try {
      Path file = Files.createTempFile("fuzz-input-", ".bin");
      Files.write(file, bytes);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code text} with control characters, quotes and non-ASCII as Java escapes. */
  public static String escape(String text) {
    StringBuilder s = new StringBuilder("\"");
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '"' || c == '\\') {
        s.append('\\').append(c);
      } else if (c >= 0x20 && c < 0x7f) {
        s.append(c);
      } else {
        s.append(String.format("\\u%04x", (int) c));
      }
    }
    return s.append('"').toString();
  }

  private static String hex(byte[] bytes) {
    StringBuilder s = new StringBuilder();
    for (byte b : bytes) {
      s.append(String.format("%02x", b & 0xff));
    }
    return s.toString();
  }
}
