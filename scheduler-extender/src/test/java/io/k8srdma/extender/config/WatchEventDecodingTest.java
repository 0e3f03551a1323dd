package io.k8srdma.extender.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.WatchEvent;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.k8srdma.model.PodEssentials;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Watch events through the extender's Kubernetes serialization, which streams pods and nodes, must
 * decode as through fabric8's own, except that a pod comes out as its essentials.
 */
class WatchEventDecodingTest {

  private static final String POD_BODY =
      """
      "metadata":{"name":"worker-0","namespace":"ml","uid":"u-0","resourceVersion":"42",
        "labels":{"job-name":"pretrain"},
        "annotations":{"k8s-rdma.io/interfaces":"[{\\"name\\":\\"net1\\"}]"},
        "managedFields":[{"manager":"kubectl","operation":"Update","fieldsType":"FieldsV1",
          "fieldsV1":{"f:metadata":{"f:labels":{}}}}]},
      "spec":{"nodeName":"node-7","containers":[{"name":"trainer","image":"llm:1",
        "resources":{"limits":{"cpu":"8","k8s-rdma.io/vf":"1"}}}],
        "volumes":[{"name":"data","emptyDir":{}}]},
      "status":{"phase":"Running","conditions":[{"type":"Ready","status":"True"}]}""";

  /** A GPU node as the kubelet reports it, kind first as the API server writes it. */
  private static final String GPU_NODE =
      """
      {"kind":"Node","apiVersion":"v1","metadata":{"name":"gpu-7","uid":"u-7",
        "resourceVersion":"991204","labels":{"nvidia.com/gpu.count":"8",
          "feature.node.kubernetes.io/rdma.available":"true"},
        "annotations":{"node.alpha.kubernetes.io/ttl":"0"},
        "managedFields":[{"manager":"kubelet","operation":"Update","subresource":"status",
          "fieldsType":"FieldsV1","fieldsV1":{"f:status":{"f:images":{}}}}]},
       "spec":{"podCIDR":"10.244.7.0/24","taints":[{"key":"nvidia.com/gpu","value":"present",
         "effect":"NoSchedule"}],"futureField":{"x":1}},
       "status":{"capacity":{"cpu":"192","memory":"2Ti","k8s-rdma.io/vf":"16"},
         "allocatable":{"cpu":"190","memory":"2046Gi","k8s-rdma.io/vf":"16"},
         "conditions":[{"type":"Ready","status":"True","lastHeartbeatTime":"2026-11-27T00:00:00Z",
           "reason":"KubeletReady"}],
         "addresses":[{"type":"InternalIP","address":"10.0.0.7"},
           {"type":"Hostname","address":"gpu-7"}],
         "images":[{"names":["registry.example.com/llm@sha256:0123","registry.example.com/llm:1"],
           "sizeBytes":12345678901}],
         "nodeInfo":{"kubeletVersion":"v1.34.1","containerRuntimeVersion":"containerd://2.1.4"}}}""";

  private final KubernetesSerialization essentials = KubernetesAccess.serialization();
  private final KubernetesSerialization fabric8 = new KubernetesSerialization();

  @ParameterizedTest
  @ValueSource(
      strings = {
        // as the API server writes a pod: kind first, decoded as it streams by
        "{\"type\":\"MODIFIED\",\"object\":{\"kind\":\"Pod\",\"apiVersion\":\"v1\","
            + POD_BODY
            + "}}",
        // apiVersion first, as fabric8 writes a pod
        "{\"type\":\"MODIFIED\",\"object\":{\"apiVersion\":\"v1\",\"kind\":\"Pod\","
            + POD_BODY
            + "}}",
        // the object before the type
        "{\"object\":{\"kind\":\"Pod\",\"apiVersion\":\"v1\"," + POD_BODY + "},\"type\":\"ADDED\"}",
        // kind not first: fabric8's own path, which still ends in the pod deserializer
        "{\"type\":\"DELETED\",\"object\":{"
            + POD_BODY
            + ",\"kind\":\"Pod\",\"apiVersion\":\"v1\"}}",
        "{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"Pod\",\"apiVersion\":\"v1\","
            + "\"metadata\":{\"resourceVersion\":\"99\"}}}",
        "{\"type\":\"ADDED\",\"object\":{\"kind\":\"Pod\",\"apiVersion\":\"v1\"}}"
      })
  void decodesAPodEventAsFabric8DoesButKeepsOnlyTheEssentials(String text) {
    WatchEvent event = essentials.unmarshal(text, WatchEvent.class);
    WatchEvent whole = fabric8.unmarshal(text, WatchEvent.class);

    assertThat(event.getType()).isEqualTo(whole.getType());
    assertThat(event.getObject()).isInstanceOf(Pod.class);
    assertThat(event.getObject()).isEqualTo(PodEssentials.trim((Pod) whole.getObject()));
  }

  @Test
  void takesAPodWithoutApiVersionForTheWatchedPodAsFabric8sWatchEndsUpDoing() {
    String text =
        "{\"type\":\"ADDED\",\"object\":{\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"}}}";

    // fabric8 decodes a RawExtension here, which its watch then converts into the watched type.
    assertThat(fabric8.unmarshal(text, WatchEvent.class).getObject()).isNotInstanceOf(Pod.class);
    assertThat(essentials.unmarshal(text, WatchEvent.class).getObject())
        .isInstanceOfSatisfying(
            Pod.class, p -> assertThat(p.getMetadata().getName()).isEqualTo("p"));
  }

  @Test
  void keepsWhatTheLedgerReadsOfAStreamedPod() {
    String text =
        "{\"type\":\"MODIFIED\",\"object\":{\"kind\":\"Pod\",\"apiVersion\":\"v1\","
            + POD_BODY
            + "}}";

    Pod pod = (Pod) essentials.unmarshal(text, WatchEvent.class).getObject();

    assertThat(pod.getMetadata().getResourceVersion()).isEqualTo("42");
    assertThat(pod.getMetadata().getAnnotations()).containsKey("k8s-rdma.io/interfaces");
    assertThat(pod.getMetadata().getManagedFields()).isEmpty();
    assertThat(pod.getSpec().getNodeName()).isEqualTo("node-7");
    assertThat(pod.getSpec().getVolumes()).isEmpty();
    assertThat(pod.getStatus().getPhase()).isEqualTo("Running");
    assertThat(pod.getApiVersion()).isEqualTo("v1");
  }

  @Test
  void decodesAGpuNodeWholeAsFabric8Does() {
    String kindFirst = "{\"type\":\"MODIFIED\",\"object\":" + GPU_NODE + "}";
    String apiVersionFirst =
        kindFirst.replace(
            "\"kind\":\"Node\",\"apiVersion\":\"v1\",", "\"apiVersion\":\"v1\",\"kind\":\"Node\",");

    for (String text : new String[] {kindFirst, apiVersionFirst}) {
      WatchEvent event = essentials.unmarshal(text, WatchEvent.class);

      assertThat(event.getObject())
          .isEqualTo(fabric8.unmarshal(text, WatchEvent.class).getObject());
      Node node = (Node) event.getObject();
      assertThat(node.getStatus().getAddresses().get(0).getAddress()).isEqualTo("10.0.0.7");
      assertThat(node.getSpec().getAdditionalProperties()).containsKey("futureField");
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"type\":\"ADDED\",\"object\":{\"kind\":\"Node\",\"metadata\":{\"name\":\"no-api-version\"}}}",
        "{\"type\":\"ADDED\",\"object\":{\"kind\":\"Node\",\"apiVersion\":\"v1\"}}",
        "{\"type\":\"ADDED\",\"object\":{\"kind\":\"Node\",\"apiVersion\":\"v1\","
            + "\"metadata\":{\"name\":\"node-7\",\"labels\":{\"a\":\"b\"}},"
            + "\"status\":{\"addresses\":[{\"type\":\"InternalIP\",\"address\":\"10.0.0.7\"}]}}}",
        "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"apiVersion\":\"v1\","
            + "\"status\":\"Failure\",\"message\":\"too old resource version: 1 (42)\","
            + "\"reason\":\"Expired\",\"code\":410}}",
        "{\"type\":\"ADDED\",\"object\":{\"apiVersion\":\"v1\",\"kind\":\"Node\","
            + "\"metadata\":{\"name\":\"node-8\"}}}",
        "{\"type\":\"ADDED\",\"object\":{}}",
        "{\"type\":\"ADDED\",\"object\":{\"kind\":\"Pod\",\"apiVersion\":\"v2\"}}",
        "{\"type\":\"ADDED\",\"object\":{\"apiVersion\":\"v1\",\"kind\":{\"odd\":true},\"x\":1}}",
        "{\"type\":\"ADDED\",\"object\":{\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"n\"}}}",
        "{\"type\":\"ADDED\",\"object\":null}",
        "{\"type\":null,\"object\":{\"kind\":\"Status\",\"apiVersion\":\"v1\"}}",
        "{\"type\":\"ADDED\"}",
        "{\"type\":\"ADDED\",\"object\":{\"kind\":\"Pod\",\"apiVersion\":\"v1\"},\"extra\":[1,{}]}"
      })
  void decodesEveryOtherEventExactlyAsFabric8Does(String text) {
    WatchEvent event = essentials.unmarshal(text, WatchEvent.class);
    WatchEvent whole = fabric8.unmarshal(text, WatchEvent.class);

    assertThat(event.getType()).isEqualTo(whole.getType());
    assertThat(event.getObject()).isEqualTo(whole.getObject());
  }

  @Test
  void aStatusAndANodeKeepTheirTypes() {
    Object status =
        essentials
            .unmarshal(
                "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"apiVersion\":\"v1\","
                    + "\"code\":410}}",
                WatchEvent.class)
            .getObject();
    Object node =
        essentials
            .unmarshal(
                "{\"type\":\"ADDED\",\"object\":{\"kind\":\"Node\",\"apiVersion\":\"v1\","
                    + "\"metadata\":{\"name\":\"n\",\"labels\":{\"a\":\"b\"}}}}",
                WatchEvent.class)
            .getObject();

    assertThat(status).isInstanceOf(Status.class);
    assertThat(((Status) status).getCode()).isEqualTo(410);
    assertThat(node).isInstanceOf(Node.class);
    assertThat(((Node) node).getMetadata().getLabels()).containsEntry("a", "b");
  }
}
