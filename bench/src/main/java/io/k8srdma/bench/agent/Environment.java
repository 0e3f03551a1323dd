package io.k8srdma.bench.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

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
   * The load averages and how long a fixed CPU-bound loop takes on this thread's CPU now: this
   * machine's virtual CPUs run at a speed that varies by half with the host's load (which no steal
   * time shows), so a run that took longer because the machine was slow can be told from one that
   * took longer because of the code.
   */
  public static String loadAndSpeed() {
    return loadAverage() + String.format(Locale.ROOT, " (loop %.0f ms)", loopMillis());
  }

  /** The median time of three runs of the same 2^25-step integer loop, in ms. */
  public static double loopMillis() {
    double[] millis = new double[3];
    for (int i = 0; i < millis.length; i++) {
      long t0 = System.nanoTime();
      sink ^= loop(1 << 25);
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
