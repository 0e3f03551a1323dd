package io.k8srdma.bench.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;

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

  /**
   * As {@link #loadAndSpeed()}, and with {@code cpus} (a {@code taskset -c} list, blank for none)
   * also the loop's time on those CPUs, in a small JVM of its own there: the CPUs of the process
   * under measurement can be slow while the driver's are quick.
   */
  public static String loadAndSpeed(String cpus) {
    if (cpus == null || cpus.isBlank()) {
      return loadAndSpeed();
    }
    double here = loopMillis();
    OptionalDouble there = loopMillisOn(cpus);
    return loadAverage()
        + String.format(
            Locale.ROOT,
            " (loop %.0f ms; %s on CPU %s)",
            here,
            there.isPresent() ? String.format(Locale.ROOT, "%.0f ms", there.getAsDouble()) : "?",
            cpus);
  }

  /**
   * {@link #loopMillis()} on {@code cpus}, measured by {@link #main} in a JVM started there under
   * {@code taskset}; empty when that JVM could not run or answer within 30 s.
   */
  static OptionalDouble loopMillisOn(String cpus) {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command =
        List.of(
            "taskset",
            "-c",
            cpus,
            java,
            "-Xmx64m",
            "-XX:+UseSerialGC",
            "-cp",
            System.getProperty("java.class.path"),
            Environment.class.getName());
    try {
      // It prints one short line, which the pipe holds until the JVM has exited.
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        return OptionalDouble.empty();
      }
      String out;
      try (var in = p.getInputStream()) {
        out = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
      }
      String last = out.lines().reduce((a, b) -> b).orElse("");
      return OptionalDouble.of(Double.parseDouble(last));
    } catch (IOException | NumberFormatException e) {
      return OptionalDouble.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return OptionalDouble.empty();
    }
  }

  /** Prints {@link #loopMillis()} on this JVM's CPUs, after one run to compile the loop. */
  public static void main(String[] args) {
    loopMillis();
    System.out.println(loopMillis());
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
