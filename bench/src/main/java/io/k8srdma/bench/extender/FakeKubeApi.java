package io.k8srdma.bench.extender;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.k8srdma.model.Annotations;
import io.k8srdma.model.json.Json;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Just enough of the Kubernetes API for the extender's bind and pod informer, so their cost is
 * measured without an API server: an empty pod list and a watch (over WebSocket, through {@link
 * WatchSocketFront}) that reports what happens to the driver's pods ({@code ADDED} when registered,
 * {@code MODIFIED} after the extender's annotation {@code PATCH}, {@code DELETED} when the driver
 * forgets them), {@code GET} of a pod, a merge or JSON {@code PATCH} of its assignment annotation
 * (200 with the next resourceVersion, 409 when the patch carries a stale one), a {@code PUT} of the
 * pod as builds before 2026-11-26 wrote it (so {@link ExtenderComparison} can compare with them)
 * and {@code POST .../binding} (201; one that carries the assignment annotation is checked and
 * stored like the PATCH). As in a cluster, the extender's informer thus sees each pod before bind
 * (which can take it from the cache), records the bound assignment, and frees it when the pod goes.
 */
final class FakeKubeApi implements AutoCloseable {

  private static final Pattern POD =
      Pattern.compile("/api/v1/namespaces/([^/]+)/pods/([^/]+)(/binding)?");

  private final PodShape shape;
  private final HttpServer server;
  private final WatchSocketFront front;
  private final ExecutorService pool;
  private final Map<String, FakePod> pods = new ConcurrentHashMap<>();
  private final AtomicLong gets = new AtomicLong();
  private final AtomicLong patches = new AtomicLong();
  private final AtomicLong puts = new AtomicLong();
  private final AtomicLong bindings = new AtomicLong();
  private final AtomicLong unexpected = new AtomicLong();
  private final AtomicLong nextVersion = new AtomicLong(1000);

  /**
   * A pending pod.
   *
   * @param uid its UID
   * @param interfaces its {@code k8s-rdma.io/interfaces} annotation, null for none
   * @param resourceVersion the current resourceVersion
   * @param assignment its {@code k8s-rdma.io/assignment} annotation, null for none
   * @param json the pod as the API serves it, rendered once per state (every GET, watch event and
   *     answer of this state sends the same)
   */
  record FakePod(
      String uid, String interfaces, long resourceVersion, String assignment, String json) {}

  /**
   * @param shape what the pods it serves look like besides their annotations
   */
  FakeKubeApi(PodShape shape) throws Exception {
    this.shape = shape;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
    pool = Executors.newCachedThreadPool(r -> FakeAgents.daemon(r, "fake-kube-api"));
    server.setExecutor(pool);
    server.createContext("/", this::handle);
    server.start();
    front =
        new WatchSocketFront(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/"));
  }

  /** Where the extender finds the API: the WebSocket front, which passes the rest on. */
  URI url() {
    return front.url();
  }

  /** Makes a pod visible to GET before the driver asks the extender to bind it. */
  void addPod(String namespace, String name, String uid, String interfaces) {
    FakePod pod = state(namespace, name, uid, interfaces, null);
    pods.put(namespace + "/" + name, pod);
    emit("ADDED", pod.json());
  }

  /** Forgets a pod once its bind answered, so memory stays bounded (and the ledger frees it). */
  void removePod(String namespace, String name) {
    FakePod pod = pods.remove(namespace + "/" + name);
    if (pod != null) {
      emit("DELETED", pod.json());
    }
  }

  /** Writes one watch event to every open watch; a watch that fails to take it is dropped. */
  private void emit(String type, String object) {
    front.emit("{\"type\":\"" + type + "\",\"object\":" + object + "}");
  }

  long gets() {
    return gets.get();
  }

  long patches() {
    return patches.get();
  }

  long puts() {
    return puts.get();
  }

  long bindings() {
    return bindings.get();
  }

  /** Requests the fake did not expect (a sign the extender's API usage changed). */
  long unexpected() {
    return unexpected.get();
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getPath();
      String method = ex.getRequestMethod();
      if (path.equals("/api/v1/pods") && "GET".equals(method)) {
        // Watches never get here: the WebSocket front answers them.
        send(ex, 200, podList());
        return;
      }
      Matcher m = POD.matcher(path);
      if (!m.matches()) {
        notFound(ex);
        return;
      }
      String key = m.group(1) + "/" + m.group(2);
      if (m.group(3) != null && "POST".equals(method)) {
        bind(ex, m.group(1), m.group(2), key);
      } else if ("GET".equals(method)) {
        get(ex, m.group(1), m.group(2), key);
      } else if ("PATCH".equals(method) || "PUT".equals(method)) {
        write(ex, "PUT".equals(method), m.group(1), m.group(2), key);
      } else {
        notFound(ex);
      }
    }
  }

  private void get(HttpExchange ex, String namespace, String name, String key) throws IOException {
    gets.incrementAndGet();
    FakePod pod = pods.get(key);
    if (pod == null) {
      podNotFound(ex, name);
      return;
    }
    send(ex, 200, pod.json());
  }

  /**
   * A write of the assignment annotation: the merge patch bind sends (checked against the
   * resourceVersion it carries), the JSON patch that removes the annotation, or the PUT of the
   * whole pod that builds before 2026-11-26 sent (which must carry the current resourceVersion).
   */
  private void write(HttpExchange ex, boolean put, String namespace, String name, String key)
      throws IOException {
    (put ? puts : patches).incrementAndGet();
    JsonNode body = Json.mapper().readTree(ex.getRequestBody());
    FakePod pod = pods.get(key);
    if (pod == null) {
      podNotFound(ex, name);
      return;
    }
    String assignment;
    if (body.isArray()) {
      assignment = null;
    } else {
      JsonNode meta = body.path("metadata");
      String sent = meta.path("resourceVersion").asText("");
      if ((put || !sent.isEmpty()) && !sent.equals(Long.toString(pod.resourceVersion()))) {
        send(ex, 409, status(409, "Conflict", "the object has been modified"));
        return;
      }
      // A merge patch keeps a value it does not mention and removes one it sets to null.
      JsonNode value = meta.path("annotations").path(Annotations.ASSIGNMENT);
      assignment =
          !put && value.isMissingNode()
              ? pod.assignment()
              : value.isTextual() ? value.asText() : null;
    }
    store(ex, namespace, key, pod, assignment, name);
  }

  /** Keeps the pod with its new assignment and next resourceVersion, answers and tells watchers. */
  private void store(
      HttpExchange ex, String namespace, String key, FakePod pod, String assignment, String name)
      throws IOException {
    FakePod updated = state(namespace, name, pod.uid(), pod.interfaces(), assignment);
    pods.put(key, updated);
    send(ex, 200, updated.json());
    emit("MODIFIED", updated.json());
  }

  /**
   * A Binding. One that carries the assignment as an annotation ({@code with-binding}) is checked
   * against the resourceVersion it carries and stored as the API server does, in one write.
   */
  private void bind(HttpExchange ex, String namespace, String name, String key) throws IOException {
    bindings.incrementAndGet();
    byte[] body = ex.getRequestBody().readAllBytes();
    JsonNode meta = Json.mapper().readTree(body).path("metadata");
    JsonNode assignment = meta.path("annotations").path(Annotations.ASSIGNMENT);
    if (!assignment.isTextual()) {
      send(ex, 201, new String(body, StandardCharsets.UTF_8));
      return;
    }
    FakePod pod = pods.get(key);
    if (pod == null) {
      podNotFound(ex, name);
      return;
    }
    String sent = meta.path("resourceVersion").asText("");
    if (!sent.isEmpty() && !sent.equals(Long.toString(pod.resourceVersion()))) {
      send(ex, 409, status(409, "Conflict", "the object has been modified"));
      return;
    }
    FakePod updated = state(namespace, name, pod.uid(), pod.interfaces(), assignment.asText());
    pods.put(key, updated);
    send(ex, 201, "{\"apiVersion\":\"v1\",\"kind\":\"Status\",\"status\":\"Success\"}");
    emit("MODIFIED", updated.json());
  }

  private static void podNotFound(HttpExchange ex, String name) throws IOException {
    send(ex, 404, status(404, "NotFound", "pods \"" + name + "\" not found"));
  }

  private void notFound(HttpExchange ex) throws IOException {
    unexpected.incrementAndGet();
    System.err.println(
        "[extender-bench] fake API: unexpected "
            + ex.getRequestMethod()
            + " "
            + ex.getRequestURI());
    send(ex, 404, status(404, "NotFound", "not in the fake API"));
  }

  private static String podList() {
    return """
        {"apiVersion":"v1","kind":"PodList","metadata":{"resourceVersion":"1"},"items":[]}""";
  }

  /** A pod's next state: the next resourceVersion, and its rendering. */
  private FakePod state(
      String namespace, String name, String uid, String interfaces, String assignment) {
    long version = nextVersion.incrementAndGet();
    Map<String, String> annotations = new LinkedHashMap<>();
    if (interfaces != null) {
      annotations.put(Annotations.INTERFACES, interfaces);
    }
    if (assignment != null) {
      annotations.put(Annotations.ASSIGNMENT, assignment);
    }
    String json = shape.pod(namespace, name, uid, Long.toString(version), annotations).toString();
    return new FakePod(uid, interfaces, version, assignment, json);
  }

  private static String status(int code, String reason, String message) {
    return """
        {"apiVersion":"v1","kind":"Status","status":"Failure","message":"%s","reason":"%s",\
        "code":%d}"""
        .formatted(message.replace("\"", "\\\""), reason, code);
  }

  private static void send(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    ex.getResponseBody().write(bytes);
  }

  @Override
  public void close() {
    front.close();
    server.stop(0);
    pool.shutdownNow();
  }
}
