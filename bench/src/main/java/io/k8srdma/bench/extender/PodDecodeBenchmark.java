package io.k8srdma.bench.extender;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.WatchEvent;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.k8srdma.model.PodEssentials;
import io.k8srdma.model.PodEssentialsDeserializer;
import io.k8srdma.model.extender.ExtenderArgs;
import io.k8srdma.model.json.Json;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What decoding one pod costs the extender, whole and straight to its {@link PodEssentials}, with
 * the pods of {@link ExtenderBenchmark} ({@code realistic}: a training-job worker of ~4.5 KB;
 * {@code minimal}: ~0.3 KB). The extender decodes a pod in each filter and prioritize call (the
 * {@code pod} of {@code ExtenderArgs}) and in each watch event of its pod informer (fabric8's
 * serialization: a {@link WatchEvent} whose object is first read as a tree).
 *
 * <ul>
 *   <li>{@code argsWhole} / {@code argsEssentials}: an {@code ExtenderArgs} body with {@code names}
 *       node names (1, or the 500 kube-scheduler sends at 5,000 nodes), its pod decoded whole, as
 *       the extender did before / as it does now;
 *   <li>{@code watchWhole} / {@code watchWholeTrimmed}: one {@code MODIFIED} event through
 *       fabric8's default serialization / the same then trimmed, as the informer did before;
 *   <li>{@code watchTreeThenEssentials}: pods decoded to their essentials, but the event's object
 *       read into a tree first, as fabric8 does;
 *   <li>{@code watchEssentials}: through the extender's serialization ({@link
 *       PodEssentials#module()}), which streams a pod event;
 *   <li>{@code nodeWatchWhole} / {@code nodeWatchStreamed}: a {@code MODIFIED} event of a GPU node
 *       of ~23 KB ({@link RealisticNode}) through fabric8's serialization / the extender's, which
 *       decodes a node whole but without the tree (the node informer trims it afterwards).
 * </ul>
 *
 * Run: {@code java -cp "bench/target/classes:$(cat bench/target/classpath.txt)"
 * org.openjdk.jmh.Main PodDecodeBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PodDecodeBenchmark {

  @Param({"realistic", "minimal"})
  String shape;

  /**
   * Candidate node names in the {@code ExtenderArgs}: 500 is what kube-scheduler sends at 5,000.
   */
  @Param({"1", "500"})
  int names;

  private final ObjectMapper spring = Json.configure(new ObjectMapper());
  private final KubernetesSerialization fabric8 = new KubernetesSerialization();
  private final KubernetesSerialization essentials =
      new KubernetesSerialization(new ObjectMapper().registerModule(PodEssentials.module()), true);

  /** Pods decoded to their essentials, but watch events still read into a tree first. */
  private final KubernetesSerialization treeThenEssentials =
      new KubernetesSerialization(
          new ObjectMapper()
              .registerModule(
                  new SimpleModule().addDeserializer(Pod.class, new PodEssentialsDeserializer())),
          true);

  private String args;
  private String podJson;
  private String watchEvent;
  private String nodeWatchEvent;

  @Setup
  public void setUp() {
    PodFactory pods = new PodFactory(false, PodShape.parse(shape));
    podJson = pods.next(new SplittableRandom(1)).json().toString();
    StringBuilder nodenames = new StringBuilder();
    for (int i = 0; i < names; i++) {
      nodenames.append(i == 0 ? "" : ",").append(String.format("\"node-%05d\"", 1000 + i));
    }
    // As kube-scheduler writes it: Go's field names, the nil NodeList as null.
    args = "{\"Pod\":" + podJson + ",\"Nodes\":null,\"NodeNames\":[" + nodenames + "]}";
    watchEvent = "{\"type\":\"MODIFIED\",\"object\":" + podJson + "}";
    nodeWatchEvent =
        "{\"type\":\"MODIFIED\",\"object\":" + RealisticNode.json("gpu-7", "10.0.0.7") + "}";
  }

  /** {@code ExtenderArgs} as it was before the pod was decoded to its essentials. */
  record WholeArgs(
      @JsonProperty("Pod") Pod pod, @JsonProperty("NodeNames") List<String> nodenames) {}

  @Benchmark
  public Object argsWhole() throws Exception {
    return spring.readValue(args, WholeArgs.class);
  }

  @Benchmark
  public Object argsEssentials() throws Exception {
    return spring.readValue(args, ExtenderArgs.class);
  }

  @Benchmark
  public Object watchWhole() {
    return fabric8.unmarshal(watchEvent, WatchEvent.class);
  }

  @Benchmark
  public Object watchWholeTrimmed() {
    WatchEvent event = fabric8.unmarshal(watchEvent, WatchEvent.class);
    return PodEssentials.trim((Pod) event.getObject());
  }

  @Benchmark
  public Object watchTreeThenEssentials() {
    return treeThenEssentials.unmarshal(watchEvent, WatchEvent.class);
  }

  @Benchmark
  public Object watchEssentials() {
    return essentials.unmarshal(watchEvent, WatchEvent.class);
  }

  @Benchmark
  public Object nodeWatchWhole() {
    return fabric8.unmarshal(nodeWatchEvent, WatchEvent.class);
  }

  @Benchmark
  public Object nodeWatchStreamed() {
    return essentials.unmarshal(nodeWatchEvent, WatchEvent.class);
  }
}
