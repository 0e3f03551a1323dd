package io.k8srdma.bench.agent;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A way to launch the agent JVM that the benchmark compares.
 *
 * @param name short name used in the results table
 * @param flags JVM flags, before {@code -jar}
 * @param env extra environment variables of the agent process
 * @param cds whether to run the extracted jar with an auto-created dynamic CDS archive (a training
 *     start writes the archive first, as an image build would)
 * @param why one line on what the flags are for, printed with the results
 */
public record JvmProfile(
    String name, List<String> flags, Map<String, String> env, boolean cds, String why) {

  /** The flags common to the tuned profiles: small heap and stacks, one GC thread. */
  private static final List<String> SMALL =
      List.of(
          "-XX:+UseSerialGC",
          "-Xss256k",
          "-Xmx32m",
          "-XX:ReservedCodeCacheSize=24m",
          "-XX:MinHeapFreeRatio=10",
          "-XX:MaxHeapFreeRatio=30");

  /** glibc otherwise keeps up to 8 malloc arenas per core, one per busy thread. */
  private static final Map<String, String> ARENAS = Map.of("MALLOC_ARENA_MAX", "2");

  /** The profiles the benchmark knows, in table order. */
  public static List<JvmProfile> all() {
    return List.of(
        new JvmProfile(
            "default", List.of(), Map.of(), false, "plain java -jar, the JVM's ergonomics"),
        new JvmProfile(
            "tuned-c1",
            concat(List.of("-XX:TieredStopAtLevel=1"), SMALL),
            ARENAS,
            true,
            "C1 only (less JIT CPU at startup, smaller code cache), Serial GC, 32 MB heap, 256 KB"
                + " stacks, MALLOC_ARENA_MAX=2, extracted jar + dynamic CDS archive"),
        new JvmProfile(
            "tuned-c2",
            SMALL,
            ARENAS,
            true,
            "as tuned-c1 but with C2 (tiered): faster steady state, more JIT work at startup"));
  }

  /** The named profiles, or all when {@code names} is empty. */
  public static List<JvmProfile> named(List<String> names) {
    if (names.isEmpty()) {
      return all();
    }
    return names.stream()
        .map(
            n ->
                all().stream()
                    .filter(p -> p.name().equals(n))
                    .findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("unknown profile " + n)))
        .toList();
  }

  private static List<String> concat(List<String> a, List<String> b) {
    return Stream.concat(a.stream(), b.stream()).toList();
  }
}
