package io.k8srdma.model.extender;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeListBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.k8srdma.model.PodEssentials;
import io.k8srdma.model.json.Json;
import io.k8srdma.model.request.PodRequestCodec;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExtenderWireTypesTest {

  private final ObjectMapper json = Json.mapper();

  private ExtenderArgs load(String resource) throws Exception {
    try (InputStream in = getClass().getResourceAsStream("/extender/" + resource)) {
      return json.readValue(in, ExtenderArgs.class);
    }
  }

  @Test
  void decodesAFullPodAndNodeListAsTheSchedulerSendsThem() throws Exception {
    ExtenderArgs args = load("filter-args-nodes.json");

    assertThat(args.pod().getMetadata().getName()).isEqualTo("trainer-0");
    assertThat(args.pod().getMetadata().getUid()).isEqualTo("6f0c3a4e-2b1d-4c55-9a0e-6d3f1b2c8e91");
    assertThat(args.pod().getSpec().getContainers().get(0).getResources().getLimits())
        .containsEntry("k8s-rdma.io/vf", new Quantity("1"));
    assertThat(args.nodenames()).isNull();
    Node node = args.nodes().getItems().get(0);
    assertThat(node.getMetadata().getName()).isEqualTo("worker-7");
    assertThat(node.getStatus().getAddresses().get(0).getAddress()).isEqualTo("10.0.0.7");
    assertThat(args.candidateNames()).containsExactly("worker-7");
    // The pod's request is readable straight from the decoded object.
    assertThat(PodRequestCodec.read(args.pod()).orElseThrow().totalMinTxRateMbps())
        .isEqualTo(25000);
  }

  @Test
  void keepsThePodsEssentialsOnly() throws Exception {
    ExtenderArgs args = load("filter-args-nodes.json");
    Pod whole;
    try (InputStream in = getClass().getResourceAsStream("/extender/filter-args-nodes.json")) {
      whole = json.treeToValue(json.readTree(in).get("pod"), Pod.class);
    }

    assertThat(args.pod()).isEqualTo(PodEssentials.trim(whole));
    assertThat(args.pod().getMetadata().getManagedFields()).isEmpty();
    assertThat(args.pod().getSpec().getVolumes()).isEmpty();
    assertThat(args.pod().getSpec().getContainers().get(0).getResources().getRequests())
        .containsOnlyKeys(PodRequestCodec.VF_RESOURCE);
  }

  @Test
  void decodesNodeNamesMode() throws Exception {
    ExtenderArgs args = load("filter-args-nodenames.json");
    assertThat(args.nodes()).isNull();
    assertThat(args.nodenames()).containsExactly("worker-7", "worker-8");
    assertThat(args.candidateNames()).containsExactly("worker-7", "worker-8");
    assertThat(PodRequestCodec.read(args.pod()).orElseThrow().size()).isEqualTo(2);
  }

  @Test
  void readsTheGoFieldNamesKubeSchedulerSends() throws Exception {
    ExtenderArgs names = load("kube-scheduler/filter-args-nodenames.json");
    ExtenderArgs nodes = load("kube-scheduler/filter-args-nodes.json");
    ExtenderArgs documented = load("filter-args-nodes.json");

    assertThat(names.nodes()).isNull();
    assertThat(names.candidateNames()).containsExactly("worker-7", "worker-8");
    assertThat(nodes.nodenames()).isNull();
    assertThat(nodes.candidateNames()).containsExactly("worker-7");
    assertThat(List.of(names.pod(), nodes.pod())).containsOnly(documented.pod());
    assertThat(PodRequestCodec.read(names.pod()).orElseThrow().totalMinTxRateMbps())
        .isEqualTo(25000);
    try (InputStream in =
        getClass().getResourceAsStream("/extender/kube-scheduler/bind-args.json")) {
      assertThat(json.readValue(in, ExtenderBindingArgs.class))
          .isEqualTo(
              new ExtenderBindingArgs(
                  "trainer-0", "ml", "6f0c3a4e-2b1d-4c55-9a0e-6d3f1b2c8e91", "worker-7"));
    }
  }

  @Test
  void aCandidateWithoutANameIsRefusedNamingIt() {
    assertThatThrownBy(() -> json.readValue("{\"NodeNames\":[\"a\",null]}", ExtenderArgs.class))
        .rootCause()
        .hasMessage("ExtenderArgs.nodenames[1] is empty: every candidate needs a node name");
    assertThatThrownBy(() -> json.readValue("{\"nodenames\":[\"\"]}", ExtenderArgs.class))
        .rootCause()
        .hasMessageStartingWith("ExtenderArgs.nodenames[0] is empty");
    assertThatThrownBy(
            () ->
                json.readValue(
                    "{\"Nodes\":{\"items\":[{\"metadata\":{\"name\":\"a\"}},{\"metadata\":{}}]}}",
                    ExtenderArgs.class))
        .rootCause()
        .hasMessage("ExtenderArgs.nodes.items[1].metadata.name is required");
  }

  @Test
  void aFieldGivenTwiceIsAMismatchedInputNamingIt() {
    // Jackson 2's records failed a field that came again after every field had been seen with an
    // InvalidDefinitionException (jackson-databind#4690), which Spring answers with 500.
    assertThatThrownBy(
            () ->
                json.readValue(
                    "{\"PodName\":\"p\",\"PodNamespace\":\"ns\",\"PodUID\":\"u\","
                        + "\"Node\":\"a\",\"node\":\"b\"}",
                    ExtenderBindingArgs.class))
        .isInstanceOf(MismatchedInputException.class)
        .hasMessageStartingWith(
            "ExtenderBindingArgs.node is given twice (as \"Node\" and as \"node\")");
    assertThatThrownBy(
            () ->
                json.readValue(
                    "{\"Pod\":null,\"Nodes\":null,\"NodeNames\":[\"a\"],\"NodeNames\":[\"b\"]}",
                    ExtenderArgs.class))
        .isInstanceOf(MismatchedInputException.class)
        .hasMessageStartingWith(
            "ExtenderArgs.nodenames is given twice (as \"NodeNames\" and as \"NodeNames\")");
    assertThatThrownBy(() -> json.readValue("{\"pod\":{},\"Pod\":{}}", ExtenderArgs.class))
        .isInstanceOf(MismatchedInputException.class)
        .hasMessageStartingWith("ExtenderArgs.pod is given twice");
  }

  @Test
  void aDeserializersUncheckedExceptionIsAMappingErrorNamingWhereItIs() {
    // fabric8's Quantity deserializer throws IllegalArgumentException for an empty quantity.
    assertThatThrownBy(
            () ->
                json.readValue(
                    "{\"Pod\":{\"spec\":{\"containers\":[{\"resources\":{\"limits\":"
                        + "{\"k8s-rdma.io/vf\":\"\"}}}]}},\"NodeNames\":[\"a\"]}",
                    ExtenderArgs.class))
        .isInstanceOf(JsonMappingException.class)
        .satisfies(
            e ->
                assertThat(
                        ((JsonMappingException) e)
                            .getPath().stream()
                                .map(r -> r.getFieldName() != null ? r.getFieldName() : "#")
                                .toList())
                    .containsExactly(
                        "pod", "spec", "containers", "#", "resources", "limits", "k8s-rdma.io/vf"))
        .rootCause()
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void unknownFieldsAreIgnoredEvenByAStrictMapper() throws Exception {
    ObjectMapper strict = new ObjectMapper(); // FAIL_ON_UNKNOWN_PROPERTIES is on by default
    assertThat(
            strict.readValue(
                "{\"podName\":\"p\",\"podNamespace\":\"ns\",\"podUID\":\"u\",\"node\":\"n\","
                    + "\"new\":1}",
                ExtenderBindingArgs.class))
        .isEqualTo(new ExtenderBindingArgs("p", "ns", "u", "n"));
    assertThat(strict.readValue("{\"nodenames\":[\"a\"],\"x\":{}}", ExtenderArgs.class).nodenames())
        .containsExactly("a");
    assertThat(strict.readValue("{\"host\":\"a\",\"score\":3,\"x\":0}", HostPriority.class))
        .isEqualTo(new HostPriority("a", 3));
  }

  @Test
  void filterResultOmitsNullsAndUsesTheGoFieldNames() throws Exception {
    Map<String, String> failed = new LinkedHashMap<>();
    failed.put("worker-8", "2 interfaces requested, 1 free VF matches");
    String body =
        json.writeValueAsString(
            ExtenderFilterResult.ofNodeNames(List.of("worker-7"), failed, Map.of()));
    assertThat(body)
        .isEqualTo(
            "{\"nodenames\":[\"worker-7\"],\"failedNodes\":{\"worker-8\":\"2 interfaces"
                + " requested, 1 free VF matches\"},\"failedAndUnresolvableNodes\":{}}");
    assertThat(json.writeValueAsString(ExtenderFilterResult.ofError("boom")))
        .isEqualTo("{\"error\":\"boom\"}");
  }

  @Test
  void filterResultWithNodesRoundTrips() throws Exception {
    ExtenderArgs args = load("filter-args-nodes.json");
    ExtenderFilterResult result = ExtenderFilterResult.ofNodes(args.nodes(), Map.of(), null);
    String body = json.writeValueAsString(result);
    assertThat(body).doesNotContain("nodenames").doesNotContain("failedAndUnresolvableNodes");
    ExtenderFilterResult back = json.readValue(body, ExtenderFilterResult.class);
    assertThat(back.nodes().getItems().get(0).getMetadata().getName()).isEqualTo("worker-7");
    assertThat(back.failedNodes()).isEmpty();
  }

  @Test
  void hostPriorityListIsAJsonArray() throws Exception {
    List<HostPriority> list = List.of(new HostPriority("worker-7", 10), new HostPriority("w8", 0));
    String body = json.writeValueAsString(list);
    assertThat(body)
        .isEqualTo("[{\"host\":\"worker-7\",\"score\":10},{\"host\":\"w8\",\"score\":0}]");
    assertThat(json.readValue(body, new TypeReference<List<HostPriority>>() {})).isEqualTo(list);
    assertThat(HostPriority.MAX_EXTENDER_PRIORITY).isEqualTo(10);
    assertThatThrownBy(() -> new HostPriority("x", 11))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void bindingTypesUseTheGoFieldNames() throws Exception {
    String body =
        "{\"podName\":\"trainer-0\",\"podNamespace\":\"ml\","
            + "\"podUID\":\"6f0c3a4e-2b1d-4c55-9a0e-6d3f1b2c8e91\",\"node\":\"worker-7\"}";
    ExtenderBindingArgs args = json.readValue(body, ExtenderBindingArgs.class);
    assertThat(args.podUID()).isEqualTo("6f0c3a4e-2b1d-4c55-9a0e-6d3f1b2c8e91");
    assertThat(json.writeValueAsString(args)).isEqualTo(body);
    assertThat(json.writeValueAsString(ExtenderBindingResult.ok())).isEqualTo("{}");
    assertThat(json.writeValueAsString(ExtenderBindingResult.failed("conflict")))
        .isEqualTo("{\"error\":\"conflict\"}");
    assertThat(json.readValue("{}", ExtenderBindingResult.class).error()).isNull();
  }

  @Test
  void argsWithNodesSerialiseWithoutNodenames() throws Exception {
    ExtenderArgs args =
        new ExtenderArgs(
            null,
            new NodeListBuilder()
                .addNewItem()
                .withNewMetadata()
                .withName("a")
                .endMetadata()
                .endItem()
                .build(),
            null);
    assertThat(json.writeValueAsString(args))
        .doesNotContain("nodenames")
        .contains("\"name\":\"a\"");
  }
}
