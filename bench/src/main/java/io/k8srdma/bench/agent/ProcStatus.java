package io.k8srdma.bench.agent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

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
    String stat = read(Path.of("/proc", Long.toString(pid), "stat"));
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
