package io.k8srdma.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.k8srdma.model.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NodeEssentialsTest {

  /** A GPU node as the API server returns it, shortened: one of each kind of field. */
  private static final String GPU_NODE =
      """
      {"apiVersion":"v1","kind":"Node","metadata":{"name":"gpu-017",
        "uid":"0b6c7a52-1d2e-4f3a-9b8c-7d6e5f4a3b21","resourceVersion":"991204",
        "labels":{"kubernetes.io/hostname":"gpu-017","nvidia.com/gpu.product":"NVIDIA-H100-80GB-HBM3",
          "feature.node.kubernetes.io/rdma.available":"true"},
        "annotations":{"node.alpha.kubernetes.io/ttl":"0"},
        "managedFields":[{"manager":"kubelet","operation":"Update","apiVersion":"v1",
          "subresource":"status","fieldsType":"FieldsV1","fieldsV1":{"f:status":{"f:images":{}}}}]},
       "spec":{"podCIDR":"10.244.17.0/24","providerID":"metal://gpu-017",
        "taints":[{"key":"nvidia.com/gpu","value":"present","effect":"NoSchedule"}]},
       "status":{"addresses":[{"type":"InternalIP","address":"10.0.3.17"},
          {"type":"Hostname","address":"gpu-017"}],
        "capacity":{"cpu":"224","memory":"2113612Mi","nvidia.com/gpu":"8","k8s-rdma.io/vf":"64"},
        "allocatable":{"cpu":"222","memory":"2097152Mi","nvidia.com/gpu":"8","k8s-rdma.io/vf":"64"},
        "conditions":[{"type":"Ready","status":"True","reason":"KubeletReady",
          "message":"kubelet is posting ready status"}],
        "images":[{"names":["nvcr.io/nvidia/pytorch@sha256:0123456789abcdef","nvcr.io/nvidia/pytorch:24.10-py3"],
          "sizeBytes":21474836480}],
        "nodeInfo":{"kubeletVersion":"v1.33.4","kernelVersion":"6.8.0-45-generic",
          "osImage":"Ubuntu 24.04.1 LTS","containerRuntimeVersion":"containerd://1.7.22",
          "architecture":"amd64","operatingSystem":"linux","machineID":"m","systemUUID":"s",
          "bootID":"b","kubeProxyVersion":""}}}""";

  @Test
  void keepsTheNameAndTheAddressesAndDropsTheRest() throws Exception {
    Node full = decode(GPU_NODE);
    Node kept = NodeEssentials.trim(decode(GPU_NODE));

    assertThat(kept.getMetadata().getName()).isEqualTo("gpu-017");
    assertThat(kept.getMetadata().getUid()).isEqualTo(full.getMetadata().getUid());
    assertThat(kept.getMetadata().getResourceVersion()).isEqualTo("991204");
    assertThat(kept.getStatus().getAddresses())
        .extracting(NodeAddress::getType, NodeAddress::getAddress)
        .containsExactly(tuple("InternalIP", "10.0.3.17"), tuple("Hostname", "gpu-017"));

    assertThat(kept.getMetadata().getLabels()).isNullOrEmpty();
    assertThat(kept.getMetadata().getManagedFields()).isNullOrEmpty();
    assertThat(kept.getSpec()).isNull();
    assertThat(kept.getStatus().getImages()).isNullOrEmpty();
    assertThat(kept.getStatus().getCapacity()).isNullOrEmpty();
    assertThat(kept.getStatus().getNodeInfo()).isNull();
    assertThat(json(kept).length()).isLessThan(json(full).length() / 4);
  }

  @Test
  void trimmingTwiceChangesNothing() throws Exception {
    Node once = NodeEssentials.trim(decode(GPU_NODE));
    String afterOnce = json(once);

    assertThat(json(NodeEssentials.trim(once))).isEqualTo(afterOnce);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"apiVersion\":\"v1\",\"kind\":\"Node\"}",
        "{\"metadata\":{\"name\":\"n\"},\"status\":{}}"
      })
  void copesWithNodesThatLackParts(String text) throws Exception {
    Node kept = NodeEssentials.trim(decode(text));

    assertThat(kept.getStatus() == null || kept.getStatus().getAddresses().isEmpty()).isTrue();
  }

  private static Node decode(String text) throws JsonProcessingException {
    return Json.mapper().readValue(text, Node.class);
  }

  private static String json(Node node) throws JsonProcessingException {
    return Json.mapper().writeValueAsString(node);
  }
}
