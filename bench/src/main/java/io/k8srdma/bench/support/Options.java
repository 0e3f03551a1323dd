package io.k8srdma.bench.support;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code --name=value} command-line options of a load driver. Unknown names are ignored because
 * {@code scripts/bench.sh} hands the same extra arguments to every driver.
 *
 * @param values option name (without the dashes) to value
 */
public record Options(Map<String, String> values) {

  public Options {
    values = Map.copyOf(values);
  }

  /** Parses {@code --name=value} arguments; anything else is an error. */
  public static Options parse(String[] args) {
    Map<String, String> opts = new HashMap<>();
    for (String a : args) {
      if (!a.startsWith("--") || !a.contains("=")) {
        throw new IllegalArgumentException("expected --name=value, got " + a);
      }
      opts.put(a.substring(2, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
    }
    return new Options(opts);
  }

  /** The value of {@code name}, or {@code fallback} when it is not given. */
  public String get(String name, String fallback) {
    return values.getOrDefault(name, fallback);
  }

  /** An integer option. */
  public int integer(String name, int fallback) {
    return Integer.parseInt(get(name, Integer.toString(fallback)));
  }

  /** A comma-separated list option; empty when not given or blank. */
  public List<String> list(String name, String fallback) {
    String v = get(name, fallback);
    return v.isBlank() ? List.of() : Arrays.stream(v.split(",")).map(String::strip).toList();
  }
}
