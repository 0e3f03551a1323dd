package io.k8srdma.extender.bind;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.k8srdma.model.Annotations;
import io.k8srdma.model.extender.ExtenderBindingArgs;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The Kubernetes API calls bind makes: read a pod, write or remove its {@code
 * k8s-rdma.io/assignment}, create its Binding (with or without the assignment on it). Each throws
 * {@link KubernetesClientException} on failure; what a failure means is {@link BindService}'s to
 * decide.
 */
final class PodWrites {

  /** The field manager the API server records for what bind writes. */
  static final String FIELD_MANAGER = "k8s-rdma-scheduler-extender";

  private static final String MERGE_PATCH = "application/merge-patch+json";
  private static final String JSON_PATCH = "application/json-patch+json";

  private final KubernetesClient client;

  /** {@code <master URL>/api/v1/namespaces/}, made once: the client's configuration is fixed. */
  private final String namespaces;

  PodWrites(KubernetesClient client) {
    this.client = client;
    this.namespaces =
        client.getMasterUrl().toString().replaceAll("/+$", "") + "/api/v1/namespaces/";
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
   * Removes the annotation with a JSON patch {@code remove} of the key, guarded by {@code test}s
   * that the pod is still the one with {@code uid} and still carries {@code assignment}: a pod
   * re-created under the name, or another decision written meanwhile, keeps its annotation (the API
   * answers 422 instead).
   */
  void removeAssignment(String namespace, String name, String uid, String assignment) {
    String path = "/metadata/annotations/" + jsonPointerEscape(Annotations.ASSIGNMENT);
    ArrayNode patch = JsonNodeFactory.instance.arrayNode();
    patch.addObject().put("op", "test").put("path", "/metadata/uid").put("value", uid);
    patch.addObject().put("op", "test").put("path", path).put("value", assignment);
    patch.addObject().put("op", "remove").put("path", path);
    patch(namespace, name, JSON_PATCH, patch);
  }

  /** {@code POST .../pods/<name>/binding}, the subresource kube-scheduler itself uses. */
  void bind(ExtenderBindingArgs args) {
    post(args, binding(args));
  }

  /**
   * The Binding with the assignment as an annotation and the pod's resourceVersion. The API server
   * copies a Binding's annotations onto the pod in the same write that sets its node, and answers
   * 409 when the pod changed since that resourceVersion or is bound already.
   */
  void bindWithAssignment(ExtenderBindingArgs args, Pod pod, String assignment) {
    ObjectNode binding = binding(args);
    ObjectNode metadata = (ObjectNode) binding.get("metadata");
    putIfSet(metadata, "resourceVersion", pod.getMetadata().getResourceVersion());
    metadata.putObject("annotations").put(Annotations.ASSIGNMENT, assignment);
    post(args, binding);
  }

  /**
   * A {@code v1} Binding of the pod to the node, as fabric8's model writes it (fields that are not
   * set left out), built as JSON directly: the model's builder and serialisation were ~2.5% of the
   * request threads' samples in a profile (docs/benchmarks-log.md, "Small costs off the request
   * path").
   */
  private static ObjectNode binding(ExtenderBindingArgs args) {
    ObjectNode binding = JsonNodeFactory.instance.objectNode();
    binding.put("apiVersion", "v1").put("kind", "Binding");
    ObjectNode metadata = binding.putObject("metadata");
    putIfSet(metadata, "name", args.podName());
    putIfSet(metadata, "namespace", args.podNamespace());
    putIfSet(metadata, "uid", args.podUID());
    ObjectNode target = binding.putObject("target");
    target.put("apiVersion", "v1").put("kind", "Node");
    putIfSet(target, "name", args.node());
    return binding;
  }

  private static void putIfSet(ObjectNode object, String field, String value) {
    if (value != null) {
      object.put(field, value);
    }
  }

  private void post(ExtenderBindingArgs args, ObjectNode binding) {
    send(
        "POST",
        podUrl(args.podNamespace(), args.podName()) + "/binding",
        "application/json",
        binding.toString());
  }

  private void patch(String namespace, String name, String contentType, JsonNode patch) {
    send(
        "PATCH",
        podUrl(namespace, name) + "?fieldManager=" + FIELD_MANAGER,
        contentType,
        patch.toString());
  }

  private String podUrl(String namespace, String name) {
    return namespaces + namespace + "/pods/" + name;
  }

  /**
   * Sends one write through the client's HTTP stack (its authentication, retries and request
   * timeout) but not through fabric8's resource operations, which for a patch copy the target
   * object through JSON and rebuild its URL on every call: a third of a patch's CPU on the request
   * thread (docs/benchmarks-log.md). Fails as fabric8 does, with the API's {@code Status}.
   */
  private void send(String method, String url, String contentType, String body) {
    HttpClient http = client.getHttpClient();
    HttpRequest request =
        http.newHttpRequestBuilder()
            .uri(url)
            .method(method, contentType, body)
            .timeout(client.getConfiguration().getRequestTimeout(), TimeUnit.MILLISECONDS)
            .build();
    HttpResponse<String> response = await(http.sendAsync(request, String.class));
    if (!response.isSuccessful()) {
      Status status = statusOf(response);
      throw new KubernetesClientException(
          method + " " + request.uri().getPath() + ": " + status.getMessage(),
          response.code(),
          status);
    }
  }

  private static <T> T await(CompletableFuture<T> future) {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KubernetesClientException("interrupted while waiting for the API", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      if (cause instanceof KubernetesClientException k) {
        throw k;
      }
      throw new KubernetesClientException(String.valueOf(cause.getMessage()), cause);
    }
  }

  /** The API's {@code Status} in a failed answer, or one made of the code when there is none. */
  private Status statusOf(HttpResponse<String> response) {
    String body = response.body();
    try {
      Status status = client.getKubernetesSerialization().unmarshal(body, Status.class);
      if (status != null && status.getMessage() != null) {
        return status;
      }
    } catch (RuntimeException notAStatus) {
      // e.g. a proxy's answer: its text is the message
    }
    String message = body == null || body.isBlank() ? "HTTP " + response.code() : body.strip();
    return new StatusBuilder().withCode(response.code()).withMessage(message).build();
  }

  /** RFC 6901: {@code ~} and {@code /} inside a key are written {@code ~0} and {@code ~1}. */
  private static String jsonPointerEscape(String key) {
    return key.replace("~", "~0").replace("/", "~1");
  }
}
