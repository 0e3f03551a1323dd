package io.k8srdma.bench.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/** The machine the numbers come from, as Markdown bullet lines. */
public final class Environment {

  private Environment() {}

  public static String describe(Path java) {
    return "- cores: "
        + Runtime.getRuntime().availableProcessors()
        + "\n- CPU: "
        + procLine("/proc/cpuinfo", "model name")
        + "\n- memory: "
        + procLine("/proc/meminfo", "MemTotal")
        + "\n- JDK: "
        + System.getProperty("java.vm.name")
        + " "
        + System.getProperty("java.runtime.version")
        + " ("
        + java
        + ")\n- OS: "
        + System.getProperty("os.name")
        + " "
        + System.getProperty("os.version")
        + "\n- load average before: "
        + loadAverage()
        + "\n";
  }

  /** 1, 5 and 15 minute load averages: other builds on the same 2 cores skew every number. */
  public static String loadAverage() {
    String[] f = read("/proc/loadavg").split("\\s+");
    return f[0] + " " + f[1] + " " + f[2];
  }

  /**
   * How quick this CPU is now, as two fixed pieces of work: a loop of pure arithmetic, and a walk
   * through 64 MB, more than any cache here holds, where each step waits for memory. This machine's
   * virtual CPUs run at a speed that varies by half with the host's load (which no steal time
   * shows), and the host's load can slow memory without slowing arithmetic; the extender's filter
   * mostly waits for memory.
   *
   * @param loopMillis median time of the loop
   * @param walkMillis median time of the walk
   */
  public record Speed(double loopMillis, double walkMillis) {
    String text() {
      return String.format(Locale.ROOT, "loop %.0f ms, walk %.0f ms", loopMillis, walkMillis);
    }
  }

  /** The speed of this thread's CPU now. */
  public static Speed speed() {
    return new Speed(loopMillis(), walkMillis());
  }

  /**
   * The load averages and this thread's CPU's {@link Speed}, so a run that took longer because the
   * machine was slow can be told from one that took longer because of the code.
   */
  public static String loadAndSpeed() {
    return loadAverage() + " (" + speed().text() + ")";
  }

  /**
   * As {@link #loadAndSpeed()}, and with {@code cpus} (a {@code taskset -c} list, blank for none)
   * also the speed of those CPUs, measured in a small JVM of its own there: the CPUs of the process
   * under measurement can be slow while the driver's are quick.
   */
  public static String loadAndSpeed(String cpus) {
    if (cpus == null || cpus.isBlank()) {
      return loadAndSpeed();
    }
    Speed here = speed();
    String there = speedOn(cpus).map(Speed::text).orElse("?");
    return loadAverage() + " (" + here.text() + "; " + there + " on CPU " + cpus + ")";
  }

  /**
   * The {@link Speed} of {@code cpus}, measured by {@link #main} in a JVM started there under
   * {@code taskset}; empty when that JVM could not run or answer within 60 s.
   */
  static Optional<Speed> speedOn(String cpus) {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command =
        List.of(
            "taskset",
            "-c",
            cpus,
            java,
            "-Xmx192m",
            "-XX:+UseSerialGC",
            "-cp",
            System.getProperty("java.class.path"),
            Environment.class.getName());
    try {
      // It prints one short line, which the pipe holds until the JVM has exited.
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        return Optional.empty();
      }
      String out;
      try (var in = p.getInputStream()) {
        out = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
      }
      String[] last = out.lines().reduce((a, b) -> b).orElse("").split(" ");
      return last.length != 2
          ? Optional.empty()
          : Optional.of(new Speed(Double.parseDouble(last[0]), Double.parseDouble(last[1])));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  /** Prints the {@link Speed} of this JVM's CPUs, after one round to compile the work. */
  public static void main(String[] args) {
    speed();
    Speed s = speed();
    System.out.println(s.loopMillis() + " " + s.walkMillis());
  }

  /** Entries of the walk's cycle: 64 MB of ints. */
  private static final int WALK_ENTRIES = 1 << 24;

  /** Steps of one walk: about 2 million loads that each wait for memory. */
  private static final int WALK_STEPS = 1 << 21;

  private static int[] walkCycle;

  /** The median time of three walks of {@value #WALK_STEPS} steps through the cycle, in ms. */
  static double walkMillis() {
    int[] next = walkCycle();
    return medianOfThreeMillis(() -> walk(next, WALK_STEPS));
  }

  private static synchronized int[] walkCycle() {
    if (walkCycle == null) {
      walkCycle = cycle(WALK_ENTRIES, 0x5a77_0110L);
    }
    return walkCycle;
  }

  /**
   * A random cycle through all {@code n} entries (Sattolo's shuffle): entry {@code i} holds the
   * next entry after {@code i}, so a walk's every step depends on the one before.
   */
  static int[] cycle(int n, long seed) {
    int[] next = new int[n];
    for (int i = 0; i < n; i++) {
      next[i] = i;
    }
    SplittableRandom rnd = new SplittableRandom(seed);
    for (int i = n - 1; i > 0; i--) {
      int j = rnd.nextInt(i);
      int t = next[i];
      next[i] = next[j];
      next[j] = t;
    }
    return next;
  }

  /** {@code steps} steps through {@code next} from entry 0; where it ends. */
  static int walk(int[] next, int steps) {
    int at = 0;
    for (int s = 0; s < steps; s++) {
      at = next[at];
    }
    return at;
  }

  /** The median time of three runs of the same 2^25-step integer loop, in ms. */
  public static double loopMillis() {
    return medianOfThreeMillis(() -> loop(1 << 25));
  }

  /** The median time of three runs of {@code work}, in ms; its result is kept from the JIT. */
  private static double medianOfThreeMillis(LongSupplier work) {
    double[] millis = new double[3];
    for (int i = 0; i < millis.length; i++) {
      long t0 = System.nanoTime();
      sink ^= work.getAsLong();
      millis[i] = (System.nanoTime() - t0) / 1e6;
    }
    Arrays.sort(millis);
    return millis[1];
  }

  /** Kept so the JIT cannot drop the loop. */
  private static volatile long sink;

  /** xorshift steps: pure arithmetic, no memory, the same work on every call. */
  static long loop(int steps) {
    long x = 0x9E3779B97F4A7C15L;
    for (int i = 0; i < steps; i++) {
      x ^= x << 13;
      x ^= x >>> 7;
      x ^= x << 17;
    }
    return x;
  }

  private static String procLine(String file, String key) {
    return read(file)
        .lines()
        .filter(l -> l.startsWith(key))
        .map(l -> l.substring(l.indexOf(':') + 1).trim())
        .findFirst()
        .orElse("?");
  }

  private static String read(String file) {
    try {
      return Files.readString(Path.of(file));
    } catch (IOException e) {
      return "?";
    }
  }
}
