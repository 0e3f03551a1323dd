package io.k8srdma.bench.extender;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.k8srdma.model.extender.ExtenderArgs;
import io.k8srdma.model.extender.ExtenderBindingArgs;
import io.k8srdma.model.extender.ExtenderBindingResult;
import io.k8srdma.model.extender.ExtenderFilterResult;
import io.k8srdma.model.extender.HostPriority;
import io.k8srdma.model.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The driver's hand-made bodies decode as the extender's own wire types read them, and back. */
class ExtenderWireTest {

  private final SimulatedCluster cluster = new SimulatedCluster(20);
  private final ExtenderWire wire = new ExtenderWire(cluster);
  private final PodFactory.BenchPod pod =
      new PodFactory(false, PodShape.REALISTIC).next(new SplittableRandom(7));

  @Test
  void argsCarryThePodAndTheChosenNodeNamesInOrder() throws IOException {
    int[] nodes = {9, 3, 17, 0, 12};

    ExtenderArgs args =
        Json.mapper().readValue(wire.args(pod.bytes(), nodes, 1, 3), ExtenderArgs.class);

    assertThat(args.pod().getMetadata().getName()).isEqualTo(pod.name());
    assertThat(args.pod().getMetadata().getUid()).isEqualTo(pod.uid());
    assertThat(args.nodes()).isNull();
    assertThat(args.nodenames()).containsExactly("node-00003", "node-00017", "node-00000");
  }

  @Test
  void bindArgsUseGoFieldNames() throws IOException {
    byte[] body = wire.bindArgs("pod-4", "bench", "uid-4", 11);

    ExtenderBindingArgs args = Json.mapper().readValue(body, ExtenderBindingArgs.class);

    assertThat(args).isEqualTo(new ExtenderBindingArgs("pod-4", "bench", "uid-4", "node-00011"));
    assertThat(new String(body, StandardCharsets.US_ASCII)).contains("\"PodName\":\"pod-4\"");
  }

  @Test
  void keptNodesReadsNodenamesOnlyAndGrowsItsArray() throws IOException {
    byte[] answer =
        Json.mapper()
            .writeValueAsBytes(
                ExtenderFilterResult.ofNodeNames(
                    List.of("node-00004", "node-00019", "node-00002"),
                    Map.of("node-00001", "no free VF on PF ibp26s0"),
                    Map.of("node-00005", "RDMA inventory is stale")));

    int[] kept = wire.keptNodes(answer, new int[1]);

    assertThat(kept[0]).isEqualTo(3);
    assertThat(Arrays.copyOfRange(kept, 1, 4)).containsExactly(4, 19, 2);
  }

  @Test
  void keptNodesOfAnAnswerWithoutNamesIsNone() throws IOException {
    byte[] answer = Json.mapper().writeValueAsBytes(ExtenderFilterResult.ofError("bad pod"));

    assertThat(wire.keptNodes(answer, new int[4])[0]).isZero();
  }

  @Test
  void answersNamingAnUnknownNodeOrOfTheWrongShapeFailWithWhatWasWrong() {
    byte[] unknown =
        "{\"nodenames\":[\"node-00001\",\"gpu-7\"]}".getBytes(StandardCharsets.US_ASCII);
    assertThatThrownBy(() -> wire.keptNodes(unknown, new int[1]))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("not in the cluster: gpu-7");
    assertThatThrownBy(() -> wire.best("{\"host\":\"node-00001\"}".getBytes()))
        .hasMessageContaining("prioritize answered no JSON array");
    assertThatThrownBy(() -> wire.bindError("[]".getBytes()))
        .hasMessageContaining("bind answered no JSON object");
  }

  @Test
  void bestIsTheHighestScoreAndTheFirstOnTies() throws IOException {
    byte[] answer =
        Json.mapper()
            .writeValueAsBytes(
                List.of(
                    new HostPriority("node-00006", 3),
                    new HostPriority("node-00008", 9),
                    new HostPriority("node-00001", 9),
                    new HostPriority("node-00002", 0)));

    assertThat(wire.best(answer)).isEqualTo(8);
    assertThat(wire.best("[]".getBytes())).isEqualTo(-1);
  }

  @Test
  void bindErrorIsTheErrorFieldAndNoneWhenItIsEmptyOrAbsent() throws IOException {
    assertThat(wire.bindError(Json.mapper().writeValueAsBytes(ExtenderBindingResult.ok())))
        .isNull();
    assertThat(wire.bindError("{\"error\":\"\"}".getBytes())).isNull();
    assertThat(
            wire.bindError(
                Json.mapper().writeValueAsBytes(ExtenderBindingResult.failed("pod was deleted"))))
        .isEqualTo("pod was deleted");
  }
}
