package io.k8srdma.bench.agent;

import java.util.List;

/**
 * A fake host tree the agent scans, built by {@code io.k8srdma.agent.testhost.Hosts}.
 *
 * @param name short name used in the results table
 * @param hostsArgs the arguments of {@code Hosts main} before the target directory
 * @param requests timed requests per measurement (fewer for big answers, to bound the run time)
 */
public record FakeTree(String name, List<String> hostsArgs, int requests) {

  /** The trees the benchmark knows: the demo node and a 32 PF x 64 VF node. */
  public static List<FakeTree> all() {
    return List.of(
        new FakeTree("demo", List.of("demo"), 3_000),
        new FakeTree("32x64", List.of("large", "32", "64"), 500));
  }

  /** The named trees, or all when {@code names} is empty. */
  public static List<FakeTree> named(List<String> names) {
    if (names.isEmpty()) {
      return all();
    }
    return all().stream().filter(t -> names.contains(t.name())).toList();
  }
}
