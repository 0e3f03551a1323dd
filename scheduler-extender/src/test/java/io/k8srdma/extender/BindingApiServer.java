package io.k8srdma.extender;

import io.fabric8.kubernetes.api.model.Binding;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.internal.MockDispatcher;
import io.fabric8.mockwebserver.internal.SimpleRequest;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * fabric8's mock API server in CRUD mode plus what CRUD mode lacks: the {@code pods/binding}
 * subresource as the API server implements it ({@code BindingREST} in Kubernetes'
 * pkg/registry/core/pod/storage): the Binding's UID and resourceVersion are preconditions (409 when
 * they differ from the pod's), a pod with a node already is a 409, and otherwise the pod gets the
 * node and the Binding's annotations in one write, which watches see as one MODIFIED event.
 *
 * <p>Expectations ({@code server.expect()}) still come first, as in fabric8's mixed mode.
 */
public final class BindingApiServer extends Dispatcher {

  private static final Pattern BINDING =
      Pattern.compile("/api/v1/namespaces/([^/]+)/pods/([^/]+)/binding");

  private final Map<ServerRequest, Queue<ServerResponse>> responses = new ConcurrentHashMap<>();
  private final MockDispatcher expectations = new MockDispatcher(responses);
  private final KubernetesCrudDispatcher crud = new KubernetesCrudDispatcher();
  private final Set<String> answersToLose = ConcurrentHashMap.newKeySet();

  private BindingApiServer() {}

  /** A started server (plain HTTP, a random port on localhost); create clients from it. */
  public static Started start() {
    BindingApiServer api = new BindingApiServer();
    KubernetesMockServer server =
        new KubernetesMockServer(new Context(), new MockWebServer(), api.responses, api, false);
    server.init();
    return new Started(server, api);
  }

  /** The server and its binding subresource. */
  public record Started(KubernetesMockServer server, BindingApiServer api) {}

  /**
   * The next Binding for {@code namespace/name} is applied and then answered 500, as when the API
   * server's answer is lost on the way.
   */
  public void loseNextAnswer(String namespace, String name) {
    answersToLose.add(namespace + "/" + name);
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    String path = request.getPath();
    Queue<ServerResponse> expected =
        responses.get(new SimpleRequest(HttpMethod.valueOf(request.getMethod()), path));
    if (expected != null && !expected.isEmpty()) {
      return expectations.dispatch(request);
    }
    Matcher binding = BINDING.matcher(path.split("\\?", 2)[0]);
    if (request.getMethod().equals("POST") && binding.matches()) {
      return bind(binding.group(1), binding.group(2), request);
    }
    return crud.dispatch(request);
  }

  private MockResponse bind(String namespace, String name, RecordedRequest request) {
    Binding binding =
        Serialization.unmarshal(
            new String(request.getBody().getBytes(), StandardCharsets.UTF_8), Binding.class);
    if (binding.getMetadata() == null || !name.equals(binding.getMetadata().getName())) {
      return status(400, "BadRequest", "name in URL does not match name in Binding object");
    }
    String podPath = "/api/v1/namespaces/" + namespace + "/pods/" + name;
    MockResponse current = crud.dispatch(request("GET", podPath, null, null));
    if (current.code() != 200) {
      return status(404, "NotFound", "pods \"" + name + "\" not found");
    }
    Pod pod = Serialization.unmarshal(current.getBody().readUtf8(), Pod.class);
    String conflict = conflict(binding, pod);
    if (conflict != null) {
      return status(409, "Conflict", conflict);
    }
    Map<String, Object> patch =
        Map.of(
            "metadata",
            Map.of(
                "resourceVersion",
                pod.getMetadata().getResourceVersion(),
                "annotations",
                binding.getMetadata().getAnnotations() == null
                    ? Map.of()
                    : binding.getMetadata().getAnnotations()),
            "spec",
            Map.of("nodeName", binding.getTarget().getName()));
    MockResponse written =
        crud.dispatch(
            request("PATCH", podPath, "application/merge-patch+json", Serialization.asJson(patch)));
    if (written.code() >= 300) {
      return written;
    }
    if (answersToLose.remove(namespace + "/" + name)) {
      return status(500, "InternalError", "the answer was lost");
    }
    return status(201, null, null);
  }

  /** Why the API server would refuse this Binding for this pod, or null. */
  private static String conflict(Binding binding, Pod pod) {
    String name = pod.getMetadata().getName();
    String uid = binding.getMetadata().getUid();
    if (uid != null && !uid.isEmpty() && !uid.equals(pod.getMetadata().getUid())) {
      return "Precondition failed: UID in precondition: "
          + uid
          + ", UID in object meta: "
          + pod.getMetadata().getUid();
    }
    String version = binding.getMetadata().getResourceVersion();
    if (version != null
        && !version.isEmpty()
        && !version.equals(pod.getMetadata().getResourceVersion())) {
      return "Operation cannot be fulfilled on pods \""
          + name
          + "\": the object has been modified; please apply your changes to the latest version"
          + " and try again";
    }
    String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
    if (node != null && !node.isEmpty()) {
      return "Operation cannot be fulfilled on pods/binding \""
          + name
          + "\": pod "
          + name
          + " is already assigned to node \""
          + node
          + "\"";
    }
    return null;
  }

  private static RecordedRequest request(
      String method, String path, String contentType, String body) {
    Headers.Builder headers = new Headers.Builder();
    if (contentType != null) {
      headers.add("Content-Type", contentType);
    }
    byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    return new RecordedRequest(
        "HTTP/1.1", HttpMethod.valueOf(method), path, headers.build(), new Buffer(bytes));
  }

  private static MockResponse status(int code, String reason, String message) {
    String body =
        code < 300
            ? "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Success\"}"
            : Serialization.asJson(
                Map.of(
                    "kind",
                    "Status",
                    "apiVersion",
                    "v1",
                    "status",
                    "Failure",
                    "reason",
                    reason,
                    "message",
                    message,
                    "code",
                    code));
    return new MockResponse().setResponseCode(code).setBody(body);
  }
}
