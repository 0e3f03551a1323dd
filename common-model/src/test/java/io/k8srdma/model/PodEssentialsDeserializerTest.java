package io.k8srdma.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodList;
import io.k8srdma.model.json.Json;
import io.k8srdma.model.request.PodRequestCodec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The streaming decoder must give exactly what {@link PodEssentials#trim} makes of the whole pod,
 * for any pod: checked on fixed pods and on generated ones against the whole decode.
 */
class PodEssentialsDeserializerTest {

  private static final ObjectMapper ESSENTIALS =
      Json.configure(new ObjectMapper()).registerModule(PodEssentials.module());

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  @Test
  void decodesARunningWorkerAsTrimmingTheWholePodDoes() throws Exception {
    String text = PodEssentialsTest.RUNNING_WORKER;

    Pod streamed = ESSENTIALS.readValue(text, Pod.class);

    assertThat(streamed).isEqualTo(trimmedWhole(text));
    assertThat(PodRequestCodec.read(streamed)).isPresent();
    assertThat(streamed.getSpec().getContainers().get(0).getResources().getRequests())
        .containsOnlyKeys(PodRequestCodec.VF_RESOURCE);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{}",
        "{\"apiVersion\":\"v1\",\"kind\":\"Pod\"}",
        "{\"metadata\":null,\"spec\":null,\"status\":null}",
        "{\"metadata\":{\"name\":\"p\",\"annotations\":null},\"spec\":{}}",
        "{\"metadata\":{\"name\":7,\"uid\":true},\"spec\":{\"nodeName\":\"n\"}}",
        "{\"spec\":{\"containers\":null,\"initContainers\":[]}}",
        "{\"spec\":{\"containers\":[null,{\"name\":\"c\",\"resources\":null}]}}",
        "{\"spec\":{\"containers\":[{\"name\":\"c\",\"resources\":{}}]}}",
        "{\"spec\":{\"containers\":[{\"resources\":{\"requests\":null,\"limits\":{}}}]}}",
        "{\"spec\":{\"containers\":[{\"resources\":{\"requests\":{\"k8s-rdma.io/vf\":null}}}]}}",
        "{\"spec\":{\"containers\":[{\"resources\":{\"limits\":{\"k8s-rdma.io/vf\":2}}}]}}",
        "{\"status\":{\"phase\":\"Pending\",\"conditions\":[{\"type\":\"PodScheduled\"}]}}",
        "{\"extra\":{\"a\":[1,2,{\"b\":null}]},\"metadata\":{\"extra\":[]}}"
      })
  void decodesPodsWithMissingNullOrUnusualPartsAsTrimmingDoes(String text) throws Exception {
    assertThat(ESSENTIALS.readValue(text, Pod.class)).isEqualTo(trimmedWhole(text));
  }

  @Test
  void decodesGeneratedPodsAsTrimmingTheWholePodDoes() throws Exception {
    Random random = new Random(20261127);
    for (int i = 0; i < 2_000; i++) {
      String text = randomPod(random).toString();

      Pod streamed = ESSENTIALS.readValue(text, Pod.class);

      assertThat(streamed).as("pod %d: %s", i, text).isEqualTo(trimmedWhole(text));
    }
  }

  @Test
  void decodesEveryPodOfAListToItsEssentials() throws Exception {
    String list =
        "{\"apiVersion\":\"v1\",\"kind\":\"PodList\",\"metadata\":{\"resourceVersion\":\"9\"},"
            + "\"items\":["
            + PodEssentialsTest.RUNNING_WORKER
            + ","
            + PodEssentialsTest.RUNNING_WORKER.replace("worker-3", "worker-4")
            + "]}";

    PodList pods = ESSENTIALS.readValue(list, PodList.class);

    assertThat(pods.getItems())
        .extracting(p -> p.getMetadata().getName())
        .containsExactly("worker-3", "worker-4");
    assertThat(pods.getItems())
        .allSatisfy(p -> assertThat(p.getMetadata().getManagedFields()).isEmpty());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"metadata\":\"worker\"}",
        "{\"metadata\":{\"annotations\":[\"a\"]}}",
        "{\"spec\":{\"containers\":{\"name\":\"c\"}}}",
        "{\"spec\":{\"containers\":[{\"name\":{\"first\":\"c\"}}]}}",
        "{\"spec\":{\"containers\":[{\"resources\":{\"requests\":\"1\"}}]}}"
      })
  void rejectsAWrongTypeInAKeptFieldAsTheWholeDecodeDoes(String text) {
    Throwable whole = catchThrowable(() -> Json.mapper().readValue(text, Pod.class));
    Throwable streamed = catchThrowable(() -> ESSENTIALS.readValue(text, Pod.class));

    assertThat(whole).isInstanceOf(JsonMappingException.class);
    assertThat(streamed).isInstanceOf(JsonMappingException.class);
    assertThat(path(streamed)).isEqualTo(path(whole));
  }

  @Test
  void namesTheContainerWhoseFieldHasTheWrongType() {
    String text = "{\"spec\":{\"containers\":[{\"name\":\"a\"},{\"name\":[\"b\"]}]}}";

    assertThatThrownBy(() -> ESSENTIALS.readValue(text, Pod.class))
        .isInstanceOf(JsonMappingException.class)
        .hasMessageContaining("[\"spec\"]->")
        .hasMessageContaining("[\"containers\"]->")
        .hasMessageContaining("[1]")
        .hasMessageContaining("[\"name\"]");
  }

  private static Pod trimmedWhole(String text) throws Exception {
    return PodEssentials.trim(Json.mapper().readValue(text, Pod.class));
  }

  /**
   * The JSON path of a mapping error as Jackson records it, e.g. {@code spec.containers[1].name}.
   */
  private static String path(Throwable t) {
    StringBuilder path = new StringBuilder();
    for (JsonMappingException.Reference r : ((JsonMappingException) t).getPath()) {
      path.append(r.getFieldName() != null ? "." + r.getFieldName() : "[" + r.getIndex() + "]");
    }
    return path.toString();
  }

  /**
   * A pod of random shape: each part absent, null or present, in random field order, with unknown
   * fields at every level and values of the types the API server writes.
   */
  private static ObjectNode randomPod(Random r) {
    ObjectNode pod = NODES.objectNode();
    List<Runnable> fields = new ArrayList<>();
    fields.add(() -> maybe(r, pod, "apiVersion", () -> NODES.textNode("v1")));
    fields.add(() -> maybe(r, pod, "kind", () -> NODES.textNode("Pod")));
    fields.add(() -> maybe(r, pod, "metadata", () -> metadata(r)));
    fields.add(() -> maybe(r, pod, "spec", () -> spec(r)));
    fields.add(() -> maybe(r, pod, "status", () -> status(r)));
    fields.add(() -> maybe(r, pod, "unknownTopLevel", () -> noise(r, 2)));
    Collections.shuffle(fields, r);
    fields.forEach(Runnable::run);
    return pod;
  }

  private static ObjectNode metadata(Random r) {
    ObjectNode meta = NODES.objectNode();
    List<Runnable> fields = new ArrayList<>();
    fields.add(() -> maybe(r, meta, "name", () -> NODES.textNode("pod-" + r.nextInt(100))));
    fields.add(() -> maybe(r, meta, "namespace", () -> NODES.textNode("ns")));
    fields.add(() -> maybe(r, meta, "uid", () -> NODES.textNode("uid-" + r.nextInt(1000))));
    fields.add(() -> maybe(r, meta, "resourceVersion", () -> NODES.numberNode(r.nextInt(99999))));
    fields.add(() -> maybe(r, meta, "annotations", () -> annotations(r)));
    fields.add(() -> maybe(r, meta, "labels", () -> annotations(r)));
    fields.add(() -> maybe(r, meta, "managedFields", () -> noiseArray(r)));
    fields.add(
        () -> maybe(r, meta, "creationTimestamp", () -> NODES.textNode("2026-11-27T00:00:00Z")));
    Collections.shuffle(fields, r);
    fields.forEach(Runnable::run);
    return meta;
  }

  private static ObjectNode annotations(Random r) {
    ObjectNode annotations = NODES.objectNode();
    for (int i = r.nextInt(4); i > 0; i--) {
      annotations.put("example.com/key-" + r.nextInt(10), "value-" + r.nextInt(10));
    }
    if (r.nextBoolean()) {
      annotations.put("k8s-rdma.io/interfaces", "[{\"name\":\"net1\",\"minTxRateMbps\":10000}]");
    }
    return annotations;
  }

  private static ObjectNode spec(Random r) {
    ObjectNode spec = NODES.objectNode();
    List<Runnable> fields = new ArrayList<>();
    fields.add(() -> maybe(r, spec, "nodeName", () -> NODES.textNode("node-" + r.nextInt(9))));
    fields.add(() -> maybe(r, spec, "containers", () -> containers(r)));
    fields.add(() -> maybe(r, spec, "initContainers", () -> containers(r)));
    fields.add(() -> maybe(r, spec, "volumes", () -> noiseArray(r)));
    fields.add(() -> maybe(r, spec, "schedulerName", () -> NODES.textNode("default-scheduler")));
    Collections.shuffle(fields, r);
    fields.forEach(Runnable::run);
    return spec;
  }

  private static ArrayNode containers(Random r) {
    ArrayNode containers = NODES.arrayNode();
    for (int i = r.nextInt(4); i > 0; i--) {
      if (r.nextInt(10) == 0) {
        containers.addNull();
        continue;
      }
      ObjectNode c = containers.addObject();
      List<Runnable> fields = new ArrayList<>();
      fields.add(() -> maybe(r, c, "name", () -> NODES.textNode("c" + r.nextInt(5))));
      fields.add(() -> maybe(r, c, "resources", () -> resources(r)));
      fields.add(() -> maybe(r, c, "image", () -> NODES.textNode("registry.example.com/x:1")));
      fields.add(() -> maybe(r, c, "env", () -> noiseArray(r)));
      Collections.shuffle(fields, r);
      fields.forEach(Runnable::run);
    }
    return containers;
  }

  private static ObjectNode resources(Random r) {
    ObjectNode resources = NODES.objectNode();
    maybe(r, resources, "requests", () -> quantities(r));
    maybe(r, resources, "limits", () -> quantities(r));
    maybe(r, resources, "claims", () -> noiseArray(r));
    return resources;
  }

  private static ObjectNode quantities(Random r) {
    ObjectNode quantities = NODES.objectNode();
    List<Map.Entry<String, Runnable>> entries = new ArrayList<>();
    entries.add(Map.entry("cpu", () -> quantities.put("cpu", r.nextInt(96) + "")));
    entries.add(Map.entry("memory", () -> quantities.put("memory", "64Gi")));
    entries.add(
        Map.entry(
            PodRequestCodec.VF_RESOURCE,
            () -> {
              switch (r.nextInt(4)) {
                case 0 -> quantities.put(PodRequestCodec.VF_RESOURCE, r.nextInt(4) + "");
                case 1 -> quantities.put(PodRequestCodec.VF_RESOURCE, r.nextInt(4));
                case 2 -> quantities.put(PodRequestCodec.VF_RESOURCE, "1500m");
                default -> quantities.putNull(PodRequestCodec.VF_RESOURCE);
              }
            }));
    Collections.shuffle(entries, r);
    entries.stream().filter(e -> r.nextBoolean()).forEach(e -> e.getValue().run());
    return quantities;
  }

  private static ObjectNode status(Random r) {
    ObjectNode status = NODES.objectNode();
    maybe(r, status, "conditions", () -> noiseArray(r));
    maybe(r, status, "phase", () -> NODES.textNode(r.nextBoolean() ? "Running" : "Pending"));
    maybe(r, status, "hostIP", () -> NODES.textNode("10.0.0.1"));
    return status;
  }

  /** Puts the field with a value, or null, or leaves it out. */
  private static void maybe(Random r, ObjectNode into, String field, Supplier<JsonNode> value) {
    switch (r.nextInt(5)) {
      case 0 -> {}
      case 1 -> into.putNull(field);
      default -> into.set(field, value.get());
    }
  }

  private static ArrayNode noiseArray(Random r) {
    ArrayNode array = NODES.arrayNode();
    for (int i = r.nextInt(3); i > 0; i--) {
      array.add(noise(r, 2));
    }
    return array;
  }

  /** Nested objects and arrays of every JSON type, which the decoder must skip whole. */
  private static JsonNode noise(Random r, int depth) {
    ObjectNode o = NODES.objectNode();
    o.put("s", "x").put("n", r.nextDouble()).put("b", r.nextBoolean()).putNull("z");
    if (depth > 0) {
      o.set("o", noise(r, depth - 1));
      o.putArray("a").add(noise(r, depth - 1)).add(1).addNull();
    }
    return o;
  }
}
