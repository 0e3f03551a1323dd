package io.k8srdma.bench.agent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Reads a process's memory and CPU use from Linux {@code /proc}. */
public final class ProcStatus {

  /**
   * Clock ticks per second of {@code /proc/<pid>/stat}: {@code USER_HZ}, 100 on every Linux ABI the
   * agent runs on (x86-64, arm64); Java has no portable way to ask sysconf.
   */
  private static final double USER_HZ = 100;

  private ProcStatus() {}

  /** {@code VmRSS} in KiB: resident memory now. */
  public static long rssKib(long pid) {
    return statusField(pid, "VmRSS:");
  }

  /** {@code VmHWM} in KiB: the peak resident memory so far. */
  public static long peakRssKib(long pid) {
    return statusField(pid, "VmHWM:");
  }

  /**
   * User plus system CPU time the process used so far, in seconds. Unlike wall-clock time this
   * barely depends on what else runs on the machine, so it tells startup cost apart from
   * contention.
   */
  public static double cpuSeconds(long pid) {
    return cpuSecondsOf(read(Path.of("/proc", Long.toString(pid), "stat")));
  }

  /**
   * CPU seconds per thread name, with digits replaced by {@code N} so that pools add up ({@code
   * http-nio-N-exec-N}, {@code GC Thread#N}); threads that ended are not counted.
   */
  public static Map<String, Double> cpuSecondsByThread(long pid) {
    Map<String, Double> out = new TreeMap<>();
    Path tasks = Path.of("/proc", Long.toString(pid), "task");
    try (Stream<Path> list = Files.list(tasks)) {
      for (Path task : list.toList()) {
        try {
          String name = Files.readString(task.resolve("comm")).strip().replaceAll("\\d+", "N");
          out.merge(name, cpuSecondsOf(Files.readString(task.resolve("stat"))), Double::sum);
        } catch (IOException e) {
          // The thread ended between the listing and the read: it no longer counts.
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  private static double cpuSecondsOf(String stat) {
    // comm (field 2) may contain spaces and parentheses: split after its closing parenthesis.
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
    // f[0] is field 3 (state), so utime (field 14) is f[11] and stime (field 15) is f[12].
    return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / USER_HZ;
  }

  private static long statusField(long pid, String name) {
    for (String line : read(Path.of("/proc", Long.toString(pid), "status")).split("\n")) {
      if (line.startsWith(name)) {
        return Long.parseLong(line.substring(name.length()).trim().split("\\s+")[0]);
      }
    }
    throw new IllegalStateException("no " + name + " in /proc/" + pid + "/status");
  }

  private static String read(Path path) {
    try {
      return Files.readString(path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
