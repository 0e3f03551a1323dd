package io.k8srdma.bench.extender;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.k8srdma.model.json.Json;
import java.util.Locale;

/**
 * A GPU node's object as the API server returns it (~25 KB of JSON): the labels node feature
 * discovery and the GPU operator add, the kubelet's list of up to 50 images, conditions, capacity
 * with GPUs and VFs, and the managedFields of the managers that wrote them. Only the size and the
 * shape matter; the values are made up.
 */
final class RealisticNode {

  /** The kubelet reports at most this many images (its {@code nodeStatusMaxImages} default). */
  private static final int IMAGES = 50;

  private static final int FEATURE_LABELS = 80;

  private RealisticNode() {}

  /** The node {@code name}, reachable at {@code internalIp}. */
  static ObjectNode json(String name, String internalIp) {
    ObjectNode node = Json.mapper().createObjectNode().put("apiVersion", "v1").put("kind", "Node");
    metadata(node.putObject("metadata"), name);
    ObjectNode spec = node.putObject("spec").put("podCIDR", "10.244.0.0/24");
    spec.put("providerID", "metal://" + name);
    spec.putArray("taints")
        .addObject()
        .put("key", "nvidia.com/gpu")
        .put("value", "present")
        .put("effect", "NoSchedule");
    status(node.putObject("status"), name, internalIp);
    return node;
  }

  private static void metadata(ObjectNode meta, String name) {
    meta.put("name", name).put("uid", "uid-" + name).put("resourceVersion", "991204");
    ObjectNode labels = meta.putObject("labels");
    labels.put("kubernetes.io/hostname", name).put("kubernetes.io/os", "linux");
    labels.put("nvidia.com/gpu.product", "NVIDIA-H100-80GB-HBM3").put("nvidia.com/gpu.count", "8");
    for (int i = 0; i < FEATURE_LABELS; i++) {
      labels.put(
          String.format(Locale.ROOT, "feature.node.kubernetes.io/cpu-cpuid.FEATURE%02d", i),
          "true");
    }
    meta.putObject("annotations")
        .put("node.alpha.kubernetes.io/ttl", "0")
        .put("volumes.kubernetes.io/controller-managed-attach-detach", "true")
        .put("nfd.node.kubernetes.io/feature-labels", featureNames(labels));
    ArrayNode managed = meta.putArray("managedFields");
    for (String manager :
        new String[] {"kubelet", "nfd-master", "kube-controller-manager", "gpu-operator"}) {
      ObjectNode fields = Json.mapper().createObjectNode();
      ObjectNode labelFields = fields.putObject("f:metadata").putObject("f:labels");
      labels.fieldNames().forEachRemaining(l -> labelFields.putObject("f:" + l));
      managed
          .addObject()
          .put("manager", manager)
          .put("operation", "Update")
          .put("apiVersion", "v1")
          .put("time", "2026-11-26T12:00:00Z")
          .put("fieldsType", "FieldsV1")
          .set("fieldsV1", manager.equals("kubelet") ? fields : Json.mapper().createObjectNode());
    }
  }

  private static String featureNames(ObjectNode labels) {
    StringBuilder names = new StringBuilder();
    labels
        .fieldNames()
        .forEachRemaining(
            l -> names.append(names.isEmpty() ? "" : ",").append(l.substring(l.indexOf('/') + 1)));
    return names.toString();
  }

  private static void status(ObjectNode status, String name, String internalIp) {
    ArrayNode addresses = status.putArray("addresses");
    addresses.addObject().put("type", "InternalIP").put("address", internalIp);
    addresses.addObject().put("type", "Hostname").put("address", name);
    for (String kind : new String[] {"capacity", "allocatable"}) {
      status
          .putObject(kind)
          .put("cpu", "224")
          .put("memory", "2113612Mi")
          .put("ephemeral-storage", "3750000000Ki")
          .put("hugepages-1Gi", "0")
          .put("hugepages-2Mi", "0")
          .put("pods", "110")
          .put("nvidia.com/gpu", "8")
          .put("k8s-rdma.io/vf", "64");
    }
    ArrayNode conditions = status.putArray("conditions");
    for (String type : new String[] {"MemoryPressure", "DiskPressure", "PIDPressure", "Ready"}) {
      conditions
          .addObject()
          .put("type", type)
          .put("status", type.equals("Ready") ? "True" : "False")
          .put("lastHeartbeatTime", "2026-11-26T12:00:00Z")
          .put("lastTransitionTime", "2026-11-20T08:00:00Z")
          .put("reason", "Kubelet" + type)
          .put("message", "kubelet has no " + type.toLowerCase(Locale.ROOT));
    }
    status.putObject("daemonEndpoints").putObject("kubeletEndpoint").put("Port", 10250);
    ArrayNode images = status.putArray("images");
    for (int i = 0; i < IMAGES; i++) {
      String repo = String.format(Locale.ROOT, "registry.example.com/ml/image-%02d", i);
      ObjectNode image = images.addObject();
      image
          .putArray("names")
          .add(repo + "@sha256:" + "0123456789abcdef".repeat(4))
          .add(repo + ":2026.11." + i);
      image.put("sizeBytes", 1_000_000_000L + i);
    }
    status
        .putObject("nodeInfo")
        .put("machineID", "0123456789abcdef0123456789abcdef")
        .put("systemUUID", "01234567-89ab-cdef-0123-456789abcdef")
        .put("bootID", "fedcba98-7654-3210-fedc-ba9876543210")
        .put("kernelVersion", "6.8.0-45-generic")
        .put("osImage", "Ubuntu 24.04.1 LTS")
        .put("containerRuntimeVersion", "containerd://1.7.22")
        .put("kubeletVersion", "v1.33.4")
        .put("kubeProxyVersion", "")
        .put("operatingSystem", "linux")
        .put("architecture", "amd64");
  }
}
