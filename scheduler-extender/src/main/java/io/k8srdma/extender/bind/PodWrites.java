package io.k8srdma.extender.bind;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Binding;
import io.fabric8.kubernetes.api.model.BindingBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.k8srdma.model.Annotations;
import io.k8srdma.model.extender.ExtenderBindingArgs;

/**
 * The Kubernetes API calls bind makes: read a pod, write or remove its {@code
 * k8s-rdma.io/assignment}, create its Binding (with or without the assignment on it). Each throws
 * {@link KubernetesClientException} on failure; what a failure means is {@link BindService}'s to
 * decide.
 */
final class PodWrites {

  /** The field manager the API server records for what bind writes. */
  static final String FIELD_MANAGER = "k8s-rdma-scheduler-extender";

  private static final PatchContext MERGE_PATCH = patchContext(PatchType.JSON_MERGE);
  private static final PatchContext JSON_PATCH = patchContext(PatchType.JSON);

  private final KubernetesClient client;

  PodWrites(KubernetesClient client) {
    this.client = client;
  }

  /** The pod as the API has it now, null when there is none. */
  Pod get(String namespace, String name) {
    return client.pods().inNamespace(namespace).withName(name).get();
  }

  /**
   * Writes the annotation with a JSON merge patch that carries the resourceVersion read, as {@code
   * kubectl annotate --resource-version} does: the API answers 409 if the pod changed since, and
   * only the annotation travels, not the whole pod (the informer's object is never touched).
   */
  void annotate(Pod pod, String assignment) {
    ObjectNode patch = JsonNodeFactory.instance.objectNode();
    ObjectNode metadata = patch.putObject("metadata");
    metadata.put("resourceVersion", pod.getMetadata().getResourceVersion());
    metadata.putObject("annotations").put(Annotations.ASSIGNMENT, assignment);
    patch(pod.getMetadata().getNamespace(), pod.getMetadata().getName(), MERGE_PATCH, patch);
  }

  /**
   * Removes the annotation with a JSON patch {@code remove} of the key (a merge patch with null
   * does the same on an API server, but not on every test double of one).
   */
  void removeAssignment(String namespace, String name) {
    ArrayNode patch = JsonNodeFactory.instance.arrayNode();
    patch
        .addObject()
        .put("op", "remove")
        .put("path", "/metadata/annotations/" + jsonPointerEscape(Annotations.ASSIGNMENT));
    patch(namespace, name, JSON_PATCH, patch);
  }

  /** {@code POST .../pods/<name>/binding}, the subresource kube-scheduler itself uses. */
  void bind(ExtenderBindingArgs args) {
    post(args, binding(args).build());
  }

  /**
   * The Binding with the assignment as an annotation and the pod's resourceVersion. The API server
   * copies a Binding's annotations onto the pod in the same write that sets its node, and answers
   * 409 when the pod changed since that resourceVersion or is bound already.
   */
  void bindWithAssignment(ExtenderBindingArgs args, Pod pod, String assignment) {
    BindingBuilder binding = binding(args);
    binding
        .editMetadata()
        .withResourceVersion(pod.getMetadata().getResourceVersion())
        .addToAnnotations(Annotations.ASSIGNMENT, assignment)
        .endMetadata();
    post(args, binding.build());
  }

  private static BindingBuilder binding(ExtenderBindingArgs args) {
    return new BindingBuilder()
        .withNewMetadata()
        .withName(args.podName())
        .withNamespace(args.podNamespace())
        .withUid(args.podUID())
        .endMetadata()
        .withNewTarget()
        .withKind("Node")
        .withApiVersion("v1")
        .withName(args.node())
        .endTarget();
  }

  private void post(ExtenderBindingArgs args, Binding binding) {
    String url =
        client.getMasterUrl().toString().replaceAll("/+$", "")
            + "/api/v1/namespaces/"
            + args.podNamespace()
            + "/pods/"
            + args.podName()
            + "/binding";
    client.raw(url, "POST", binding);
  }

  /**
   * Sends a patch to the pod. It goes through a resource made of the pod's name and namespace only:
   * fabric8 GETs the pod first when patching by name, and copies the whole object when patching a
   * full one.
   */
  private void patch(String namespace, String name, PatchContext type, JsonNode patch) {
    Pod target =
        new PodBuilder()
            .withNewMetadata()
            .withNamespace(namespace)
            .withName(name)
            .endMetadata()
            .build();
    client.resource(target).patch(type, patch.toString());
  }

  /** RFC 6901: {@code ~} and {@code /} inside a key are written {@code ~0} and {@code ~1}. */
  private static String jsonPointerEscape(String key) {
    return key.replace("~", "~0").replace("/", "~1");
  }

  private static PatchContext patchContext(PatchType type) {
    return new PatchContext.Builder().withPatchType(type).withFieldManager(FIELD_MANAGER).build();
  }
}
