package io.k8srdma.bench.extender;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.k8srdma.model.Annotations;
import io.k8srdma.model.json.Json;
import io.k8srdma.model.request.PodRequestCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the driver's pods look like on the wire, in {@code ExtenderArgs} and in the fake API's
 * answers and watch events. kube-scheduler sends the whole pod to filter and prioritize, and the
 * informer decodes every version of it, so the pod's size is part of what the extender pays per
 * cycle.
 */
enum PodShape {

  /** Name, namespace, UID, annotations and one container: the least a pod can be (~0.3 KB). */
  MINIMAL(
      """
      {"apiVersion":"v1","kind":"Pod","metadata":{},
       "spec":{"containers":[{"name":"main","image":"bench"}]},"status":{"phase":"Pending"}}"""),

  /**
   * A pending worker of a training job as a controller creates it (~4.5 KB): labels, an owner
   * reference, the controller's managedFields, a GPU container with environment, resources (with
   * one {@code k8s-rdma.io/vf} per interface the pod asks for) and mounts, the projected
   * service-account token, tolerations and a Pending status.
   */
  REALISTIC(
      """
      {"apiVersion":"v1","kind":"Pod","metadata":{
        "generateName":"llm-pretrain-worker-",
        "creationTimestamp":"2026-11-26T12:00:00Z",
        "labels":{"app.kubernetes.io/name":"llm-pretrain","app.kubernetes.io/component":"worker",
          "batch.kubernetes.io/controller-uid":"3f1c2a9e-5b7d-4e21-9c1a-0d6e8f4b2a11",
          "batch.kubernetes.io/job-name":"llm-pretrain-worker","controller-uid":"3f1c2a9e-5b7d-4e21-9c1a-0d6e8f4b2a11",
          "job-name":"llm-pretrain-worker","training.kubeflow.org/replica-type":"worker",
          "training.kubeflow.org/job-name":"llm-pretrain"},
        "ownerReferences":[{"apiVersion":"batch/v1","kind":"Job","name":"llm-pretrain-worker",
          "uid":"3f1c2a9e-5b7d-4e21-9c1a-0d6e8f4b2a11","controller":true,"blockOwnerDeletion":true}],
        "managedFields":[{"manager":"kube-controller-manager","operation":"Update","apiVersion":"v1",
          "time":"2026-11-26T12:00:00Z","fieldsType":"FieldsV1","fieldsV1":{
            "f:metadata":{"f:annotations":{".":{},"f:k8s-rdma.io/interfaces":{}},
              "f:generateName":{},"f:labels":{".":{},"f:app.kubernetes.io/component":{},
              "f:app.kubernetes.io/name":{},"f:batch.kubernetes.io/controller-uid":{},
              "f:batch.kubernetes.io/job-name":{},"f:controller-uid":{},"f:job-name":{}},
              "f:ownerReferences":{".":{},"k:{\\"uid\\":\\"3f1c2a9e-5b7d-4e21-9c1a-0d6e8f4b2a11\\"}":{}}},
            "f:spec":{"f:containers":{"k:{\\"name\\":\\"trainer\\"}":{".":{},"f:command":{},"f:env":{
              ".":{},"k:{\\"name\\":\\"MASTER_ADDR\\"}":{".":{},"f:name":{},"f:value":{}},
              "k:{\\"name\\":\\"MASTER_PORT\\"}":{".":{},"f:name":{},"f:value":{}},
              "k:{\\"name\\":\\"NCCL_IB_HCA\\"}":{".":{},"f:name":{},"f:value":{}}},
              "f:image":{},"f:imagePullPolicy":{},"f:name":{},"f:resources":{".":{},"f:limits":{},
              "f:requests":{}},"f:volumeMounts":{}}},"f:dnsPolicy":{},"f:enableServiceLinks":{},
              "f:restartPolicy":{},"f:schedulerName":{},"f:securityContext":{},
              "f:terminationGracePeriodSeconds":{},"f:tolerations":{},"f:volumes":{}}}}]},
       "spec":{
        "volumes":[{"name":"dshm","emptyDir":{"medium":"Memory","sizeLimit":"64Gi"}},
          {"name":"datasets","persistentVolumeClaim":{"claimName":"datasets-ro","readOnly":true}},
          {"name":"kube-api-access-7x2kq","projected":{"defaultMode":420,"sources":[
            {"serviceAccountToken":{"expirationSeconds":3607,"path":"token"}},
            {"configMap":{"name":"kube-root-ca.crt","items":[{"key":"ca.crt","path":"ca.crt"}]}},
            {"downwardAPI":{"items":[{"path":"namespace","fieldRef":{"apiVersion":"v1",
              "fieldPath":"metadata.namespace"}}]}}]}}],
        "containers":[{"name":"trainer","image":"registry.example.com/ml/llm-train:2026.11.2",
          "command":["torchrun","--nnodes=16","--nproc-per-node=8","train.py","--config=/cfg/llm.yaml"],
          "env":[{"name":"MASTER_ADDR","value":"llm-pretrain-worker-0.llm-pretrain"},
            {"name":"MASTER_PORT","value":"29500"},{"name":"NCCL_IB_HCA","value":"mlx5"},
            {"name":"NCCL_SOCKET_IFNAME","value":"eth0"},{"name":"NCCL_DEBUG","value":"WARN"},
            {"name":"OMP_NUM_THREADS","value":"8"},
            {"name":"POD_NAME","valueFrom":{"fieldRef":{"apiVersion":"v1","fieldPath":"metadata.name"}}}],
          "resources":{"limits":{"cpu":"96","memory":"1600Gi","nvidia.com/gpu":"8"},
            "requests":{"cpu":"96","memory":"1600Gi","nvidia.com/gpu":"8"}},
          "volumeMounts":[{"name":"dshm","mountPath":"/dev/shm"},
            {"name":"datasets","mountPath":"/data","readOnly":true},
            {"name":"kube-api-access-7x2kq","readOnly":true,
             "mountPath":"/var/run/secrets/kubernetes.io/serviceaccount"}],
          "securityContext":{"capabilities":{"add":["IPC_LOCK"]}},
          "terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File",
          "imagePullPolicy":"IfNotPresent"}],
        "restartPolicy":"Never","terminationGracePeriodSeconds":30,"dnsPolicy":"ClusterFirst",
        "serviceAccountName":"default","serviceAccount":"default","securityContext":{},
        "schedulerName":"default-scheduler","enableServiceLinks":true,"priority":0,
        "preemptionPolicy":"PreemptLowerPriority",
        "tolerations":[{"key":"nvidia.com/gpu","operator":"Exists","effect":"NoSchedule"},
          {"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute",
           "tolerationSeconds":300},
          {"key":"node.kubernetes.io/unreachable","operator":"Exists","effect":"NoExecute",
           "tolerationSeconds":300}]},
       "status":{"phase":"Pending","qosClass":"Guaranteed"}}""");

  private final ObjectNode template;

  PodShape(String json) {
    try {
      this.template = (ObjectNode) Json.mapper().readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The pod in this shape.
   *
   * @param resourceVersion null to leave it out
   * @param annotations written in this order
   */
  ObjectNode pod(
      String namespace,
      String name,
      String uid,
      String resourceVersion,
      Map<String, String> annotations) {
    ObjectNode pod = template.deepCopy();
    ObjectNode meta = (ObjectNode) pod.get("metadata");
    meta.put("name", name).put("namespace", namespace).put("uid", uid);
    if (resourceVersion != null) {
      meta.put("resourceVersion", resourceVersion);
    }
    ObjectNode written = meta.putObject("annotations");
    annotations.forEach(written::put);
    requestVfs(pod, interfaceCount(annotations.get(Annotations.INTERFACES)));
    return pod;
  }

  /** Adds the VF count to the first container's resources, when the shape has resources. */
  private static void requestVfs(ObjectNode pod, int vfs) {
    JsonNode resources = pod.path("spec").path("containers").path(0).path("resources");
    if (vfs == 0 || !resources.isObject()) {
      return;
    }
    for (String kind : List.of("requests", "limits")) {
      ((ObjectNode) resources.get(kind)).put(PodRequestCodec.VF_RESOURCE, Integer.toString(vfs));
    }
  }

  private static int interfaceCount(String interfaces) {
    if (interfaces == null) {
      return 0;
    }
    try {
      return Json.mapper().readTree(interfaces).size();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code realistic} or {@code minimal}, as the benchmarks' {@code pod-shape} option. */
  static PodShape parse(String option) {
    return valueOf(option.toUpperCase(Locale.ROOT));
  }

  /** The option's spelling of this shape. */
  String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
