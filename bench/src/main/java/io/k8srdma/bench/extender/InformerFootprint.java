package io.k8srdma.bench.extender;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.k8srdma.bench.support.BenchFiles;
import io.k8srdma.bench.support.Options;
import io.k8srdma.model.NodeEssentials;
import io.k8srdma.model.PodEssentials;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * How much heap the extender's informers hold per object: decodes {@code pods} (default 20,000) of
 * the benchmark's realistic pods and {@code nodes} (default 5,000) realistic GPU nodes with
 * fabric8's serialization, as the informers do, and reads the heap in use after full collections
 * with the whole objects, without {@code metadata.managedFields} (what kube-scheduler drops) and
 * reduced to what the extender keeps ({@link PodEssentials}, {@link NodeEssentials}). Run it with a
 * heap of its own, e.g. {@code java -Xmx3g -XX:+UseParallelGC -cp ...
 * io.k8srdma.bench.extender.InformerFootprint}.
 */
public final class InformerFootprint {

  private static final int COLLECTIONS = 4;

  private InformerFootprint() {}

  /**
   * Prints the retained bytes per object and writes them to {@code <results>/informers-<time>.md};
   * see the class comment.
   */
  public static void main(String[] args) throws IOException {
    Options opts = Options.parse(args);
    StringBuilder report = new StringBuilder("## Informer footprint\n\n");
    KubernetesSerialization serialization = new KubernetesSerialization();
    PodFactory pods = new PodFactory(false, PodShape.REALISTIC);
    SplittableRandom random = new SplittableRandom(1);

    Map<String, Consumer<Pod>> podSteps = new LinkedHashMap<>();
    podSteps.put("without managedFields", p -> p.getMetadata().setManagedFields(null));
    podSteps.put("PodEssentials", PodEssentials::trim);
    measure(
        "realistic pods",
        opts.integer("pods", 20_000),
        i -> serialization.unmarshal(pods.next(random).json().toString(), Pod.class),
        podSteps,
        i -> pods.next(random).json().toString().length(),
        report);

    Map<String, Consumer<Node>> nodeSteps = new LinkedHashMap<>();
    nodeSteps.put("without managedFields", n -> n.getMetadata().setManagedFields(null));
    nodeSteps.put("NodeEssentials", NodeEssentials::trim);
    measure(
        "GPU nodes",
        opts.integer("nodes", 5_000),
        i -> serialization.unmarshal(nodeJson(i), Node.class),
        nodeSteps,
        i -> nodeJson(i).length(),
        report);
    System.out.print(report);
    Path out =
        BenchFiles.writeResult(
            Path.of(opts.get("results", "bench/results")), "informers", report.toString());
    System.out.println("results written to " + out);
  }

  private static String nodeJson(int i) {
    return RealisticNode.json(
            String.format(Locale.ROOT, "node-%05d", i),
            String.format(Locale.ROOT, "10.%d.%d.%d", i >> 16 & 255, i >> 8 & 255, i & 255))
        .toString();
  }

  /**
   * Decodes {@code count} objects, then applies each reduction in turn to all of them, printing the
   * heap retained per object after each.
   */
  private static <T extends HasMetadata> void measure(
      String what,
      int count,
      IntFunction<T> decode,
      Map<String, Consumer<T>> reductions,
      IntFunction<Integer> jsonLength,
      StringBuilder report) {
    long before = heapAfterCollections();
    List<T> cache = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      cache.add(decode.apply(i));
    }
    long whole = heapAfterCollections() - before;
    report.append(
        String.format(
            Locale.ROOT,
            "%d %s, ~%d bytes of JSON each; heap retained per object:%n",
            count,
            what,
            jsonLength.apply(0)));
    line(report, "whole", whole, whole, count);
    for (Map.Entry<String, Consumer<T>> step : reductions.entrySet()) {
      cache.forEach(step.getValue());
      line(report, step.getKey(), heapAfterCollections() - before, whole, count);
    }
    report.append('\n');
    cache.clear();
  }

  private static void line(StringBuilder report, String what, long bytes, long whole, int count) {
    report.append(
        String.format(
            Locale.ROOT,
            "- %s: %d bytes (%.0f%% of whole)%n",
            what,
            bytes / count,
            100.0 * bytes / whole));
  }

  private static long heapAfterCollections() {
    for (int i = 0; i < COLLECTIONS; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
