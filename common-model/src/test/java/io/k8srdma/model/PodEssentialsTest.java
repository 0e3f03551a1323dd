package io.k8srdma.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.fabric8.kubernetes.api.model.Pod;
import io.k8srdma.model.assignment.AssignmentCodec;
import io.k8srdma.model.json.Json;
import io.k8srdma.model.request.PodRequestCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PodEssentialsTest {

  /** A running worker as the API server returns it, with the status the kubelet writes. */
  static final String RUNNING_WORKER =
      """
      {"apiVersion":"v1","kind":"Pod","metadata":{"name":"worker-3","namespace":"ml",
        "uid":"6a1f0c52-9a7e-4d1b-8f3e-2b9c7d4e5f60","resourceVersion":"48213",
        "generateName":"worker-","creationTimestamp":"2026-11-26T12:00:00Z",
        "labels":{"job-name":"pretrain","app":"llm"},
        "annotations":{"k8s-rdma.io/interfaces":"[{\\"name\\":\\"net1\\",\\"minTxRateMbps\\":25000}]",
          "k8s-rdma.io/assignment":"{\\"node\\":\\"node-7\\",\\"interfaces\\":[{\\"name\\":\\"net1\\",\\"pf\\":\\"0000:1a:00.0\\",\\"vf\\":\\"0000:1a:00.3\\",\\"minTxRateMbps\\":25000,\\"maxTxRateMbps\\":0}]}"},
        "ownerReferences":[{"apiVersion":"batch/v1","kind":"Job","name":"pretrain","uid":"u-1",
          "controller":true}],
        "managedFields":[
          {"manager":"kube-controller-manager","operation":"Update","apiVersion":"v1",
           "fieldsType":"FieldsV1","fieldsV1":{"f:metadata":{"f:labels":{"f:app":{}}}}},
          {"manager":"kubelet","operation":"Update","apiVersion":"v1","subresource":"status",
           "fieldsType":"FieldsV1","fieldsV1":{"f:status":{"f:conditions":{},"f:phase":{}}}}]},
       "spec":{"nodeName":"node-7","schedulerName":"default-scheduler",
        "initContainers":[{"name":"fetch","image":"busybox",
          "resources":{"limits":{"k8s-rdma.io/vf":"1"}}}],
        "containers":[{"name":"trainer","image":"registry.example.com/llm:1",
          "command":["torchrun","train.py"],"env":[{"name":"NCCL_IB_HCA","value":"mlx5"}],
          "resources":{"requests":{"cpu":"96","k8s-rdma.io/vf":"1"},
            "limits":{"cpu":"96","k8s-rdma.io/vf":"1"}},
          "volumeMounts":[{"name":"data","mountPath":"/data"}]}],
        "volumes":[{"name":"data","emptyDir":{}}],
        "tolerations":[{"key":"nvidia.com/gpu","operator":"Exists","effect":"NoSchedule"}]},
       "status":{"phase":"Running","hostIP":"10.0.0.7","podIP":"10.244.7.12",
        "conditions":[{"type":"Ready","status":"True"},{"type":"PodScheduled","status":"True"}],
        "containerStatuses":[{"name":"trainer","ready":true,"restartCount":0,
          "image":"registry.example.com/llm:1","imageID":"sha256:0123",
          "state":{"running":{"startedAt":"2026-11-26T12:00:05Z"}}}]}}""";

  @Test
  void keepsWhatTheCodecsAndTheLedgerReadAndDropsTheRest() throws Exception {
    Pod full = decode(RUNNING_WORKER);
    Pod kept = PodEssentials.trim(decode(RUNNING_WORKER));

    assertThat(kept.getMetadata().getName()).isEqualTo("worker-3");
    assertThat(kept.getMetadata().getNamespace()).isEqualTo("ml");
    assertThat(kept.getMetadata().getUid()).isEqualTo(full.getMetadata().getUid());
    assertThat(kept.getMetadata().getResourceVersion()).isEqualTo("48213");
    assertThat(kept.getMetadata().getAnnotations()).isEqualTo(full.getMetadata().getAnnotations());
    assertThat(kept.getSpec().getNodeName()).isEqualTo("node-7");
    assertThat(kept.getStatus().getPhase()).isEqualTo("Running");
    assertThat(PodRequestCodec.read(kept)).isEqualTo(PodRequestCodec.read(full)).isPresent();
    assertThat(PodRequestCodec.vfResourceCount(kept)).isEqualTo(1);
    assertThat(AssignmentCodec.read(kept.getMetadata().getAnnotations()))
        .isEqualTo(AssignmentCodec.read(full.getMetadata().getAnnotations()))
        .isPresent();

    assertThat(kept.getMetadata().getManagedFields()).isNullOrEmpty();
    assertThat(kept.getMetadata().getLabels()).isNullOrEmpty();
    assertThat(kept.getMetadata().getOwnerReferences()).isNullOrEmpty();
    assertThat(kept.getSpec().getContainers().get(0).getEnv()).isNullOrEmpty();
    assertThat(kept.getSpec().getContainers().get(0).getImage()).isNull();
    assertThat(kept.getSpec().getContainers().get(0).getResources().getRequests())
        .containsOnlyKeys(PodRequestCodec.VF_RESOURCE);
    assertThat(kept.getSpec().getInitContainers().get(0).getResources().getRequests()).isNull();
    assertThat(kept.getSpec().getVolumes()).isNullOrEmpty();
    assertThat(kept.getSpec().getTolerations()).isNullOrEmpty();
    assertThat(kept.getStatus().getConditions()).isNullOrEmpty();
    assertThat(kept.getStatus().getContainerStatuses()).isNullOrEmpty();
    assertThat(json(kept).length()).isLessThan(json(full).length() / 2);
  }

  @Test
  void trimmingTwiceChangesNothing() throws Exception {
    Pod once = PodEssentials.trim(decode(RUNNING_WORKER));
    String afterOnce = json(once);

    assertThat(json(PodEssentials.trim(once))).isEqualTo(afterOnce);
  }

  @Test
  void anInvalidVfCountFailsTheSameWayAfterTrimming() throws Exception {
    String bad =
        RUNNING_WORKER.replace("\"k8s-rdma.io/vf\":\"1\"}", "\"k8s-rdma.io/vf\":\"1500m\"}");

    Throwable onFull = catchThrowable(() -> PodRequestCodec.read(decode(bad)));
    Throwable onKept = catchThrowable(() -> PodRequestCodec.read(PodEssentials.trim(decode(bad))));

    assertThat(onFull).hasMessageContaining("container trainer");
    assertThat(onKept).hasMessage(onFull.getMessage());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"apiVersion\":\"v1\",\"kind\":\"Pod\"}",
        "{\"metadata\":{\"name\":\"p\"},\"spec\":{}}",
        "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[{\"name\":\"c\"}]},\"status\":{}}"
      })
  void copesWithPodsThatLackParts(String text) throws Exception {
    Pod kept = PodEssentials.trim(decode(text));

    assertThat(PodRequestCodec.read(kept)).isEmpty();
  }

  private static Pod decode(String text) throws JsonProcessingException {
    return Json.mapper().readValue(text, Pod.class);
  }

  private static String json(Pod pod) throws JsonProcessingException {
    return Json.mapper().writeValueAsString(pod);
  }
}
