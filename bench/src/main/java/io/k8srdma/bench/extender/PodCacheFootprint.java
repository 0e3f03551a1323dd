package io.k8srdma.bench.extender;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.k8srdma.bench.support.Options;
import io.k8srdma.model.PodEssentials;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * How much heap the extender's pod informer holds per pod: decodes {@code pods} (default 20,000) of
 * the benchmark's realistic pods with fabric8's serialization, as the informer does, and reads the
 * heap in use after full collections with the whole pods, without {@code metadata.managedFields}
 * (what kube-scheduler drops) and reduced to {@link PodEssentials} (what the extender keeps). Run
 * it with a heap of its own, e.g. {@code java -Xmx2g -XX:+UseParallelGC -cp ...
 * io.k8srdma.bench.extender.PodCacheFootprint --pods=20000}.
 */
public final class PodCacheFootprint {

  private static final int COLLECTIONS = 4;

  private PodCacheFootprint() {}

  /** Prints the retained bytes per pod; see the class comment. */
  public static void main(String[] args) {
    int count = Options.parse(args).integer("pods", 20_000);
    KubernetesSerialization serialization = new KubernetesSerialization();
    PodFactory factory = new PodFactory(false, PodShape.REALISTIC);
    SplittableRandom random = new SplittableRandom(1);

    long before = heapAfterCollections();
    List<Pod> cache = new ArrayList<>(count);
    long jsonBytes = 0;
    for (int i = 0; i < count; i++) {
      String json = factory.next(random).json().toString();
      jsonBytes += json.length();
      cache.add(serialization.unmarshal(json, Pod.class));
    }
    long whole = heapAfterCollections() - before;
    cache.forEach(pod -> pod.getMetadata().setManagedFields(null));
    long withoutManagedFields = heapAfterCollections() - before;
    cache.forEach(PodEssentials::trim);
    long essentials = heapAfterCollections() - before;

    System.out.printf(
        Locale.ROOT,
        "%d realistic pods, %d bytes of JSON each on average; heap retained per pod:%n",
        cache.size(),
        jsonBytes / count);
    print("whole", whole, whole, count);
    print("without managedFields", withoutManagedFields, whole, count);
    print("essentials", essentials, whole, count);
  }

  private static void print(String what, long bytes, long whole, int count) {
    System.out.printf(
        Locale.ROOT,
        "- %s: %d bytes (%.0f%% of whole)%n",
        what,
        bytes / count,
        100.0 * bytes / whole);
  }

  private static long heapAfterCollections() {
    for (int i = 0; i < COLLECTIONS; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
