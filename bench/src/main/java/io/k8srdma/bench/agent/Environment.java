package io.k8srdma.bench.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

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
