package io.k8srdma.extender;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Pod;
import io.k8srdma.model.json.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Calls a running extender on 127.0.0.1 as kube-scheduler (and an operator) would. */
public record ExtenderHttp(int port) {

  private static final ObjectMapper JSON = Json.mapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  /** {@code POST /filter} in nodenames mode. */
  public JsonNode filter(Pod pod, List<String> nodes) {
    return post("/filter", args(pod, nodes));
  }

  /** {@code POST /prioritize} in nodenames mode. */
  public JsonNode prioritize(Pod pod, List<String> nodes) {
    return post("/prioritize", args(pod, nodes));
  }

  /**
   * An {@code ExtenderArgs} in nodenames mode as kube-scheduler writes it: Go's field names (the
   * type has no JSON tags) and the nil NodeList as null.
   */
  public static Map<String, Object> args(Pod pod, List<String> nodes) {
    Map<String, Object> args = new LinkedHashMap<>();
    args.put("Pod", pod);
    args.put("Nodes", null);
    args.put("NodeNames", nodes);
    return args;
  }

  /** {@code POST /bind} of {@code pod} to {@code node}, with Go's field names as above. */
  public JsonNode bind(Pod pod, String node) {
    return post(
        "/bind",
        Map.of(
            "PodName", pod.getMetadata().getName(),
            "PodNamespace", pod.getMetadata().getNamespace(),
            "PodUID", pod.getMetadata().getUid(),
            "Node", node));
  }

  /** POSTs {@code body} as JSON and returns the answer, which must be a 200. */
  public JsonNode post(String path, Object body) {
    try {
      HttpResponse<String> r = postRaw(path, JSON.writeValueAsString(body));
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      return JSON.readTree(r.body());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** POSTs a body as it is, for malformed requests. */
  public HttpResponse<String> postRaw(String path, String body) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(url(path))
            .header("Content-Type", "application/json")
            .timeout(Duration.ofSeconds(10))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** GETs {@code path}. */
  public HttpResponse<String> getRaw(String path) {
    try {
      return HTTP.send(
          HttpRequest.newBuilder(url(path)).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Waits until readiness answers 200 (first poll round done, pod informer synced). */
  public void awaitReady() {
    Await.until(
        "extender ready",
        Duration.ofSeconds(20),
        () -> getRaw("/actuator/health/readiness").statusCode() == 200);
  }

  /** The strings of a JSON array; empty for a missing or null one. */
  public static List<String> names(JsonNode array) {
    if (array == null || array.isNull()) {
      return List.of();
    }
    return JSON.convertValue(
        array, JSON.getTypeFactory().constructCollectionType(List.class, String.class));
  }

  private URI url(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }
}
