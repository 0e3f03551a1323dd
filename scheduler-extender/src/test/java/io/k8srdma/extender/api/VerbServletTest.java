package io.k8srdma.extender.api;

import static io.k8srdma.extender.ExtenderHttp.names;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.k8srdma.extender.Await;
import io.k8srdma.extender.BindingApiServer;
import io.k8srdma.extender.ExtenderHttp;
import io.k8srdma.extender.TestAgents;
import io.k8srdma.extender.TestInventories;
import io.k8srdma.extender.TestPods;
import io.k8srdma.model.Annotations;
import io.k8srdma.model.json.Json;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The verbs' servlet over HTTP, at paths other than the defaults: what it answers besides the
 * verbs' own answers (methods, content types, charsets), and what it keeps of Spring MVC's
 * behaviour (the request metrics' path). The verbs' answers and malformed bodies are {@code
 * ExtenderFlowTest}'s.
 */
@AutoConfigureObservability
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
// Closed after the class: its agents and API server stop in @AfterAll, and a cached context would
// keep polling their ports, which a later class's servers may be given.
@DirtiesContext
class VerbServletTest {

  private static final KubernetesMockServer server = BindingApiServer.start().server();
  private static final KubernetesClient client = server.createClient();
  private static final WireMockServer agent = TestAgents.start();
  private static final ObjectMapper JSON = Json.mapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final String NODE = "node-v";

  @LocalServerPort int port;
  @Autowired MeterRegistry registry;

  @DynamicPropertySource
  static void props(DynamicPropertyRegistry r) {
    r.add("k8s-rdma.extender.kubernetes.master-url", () -> server.url("/"));
    r.add("k8s-rdma.extender.static-agents." + NODE, agent::baseUrl);
    r.add("k8s-rdma.extender.poll.interval", () -> "200ms");
    r.add("k8s-rdma.extender.verbs.filter", () -> "/scheduler/filter");
    r.add("k8s-rdma.extender.verbs.prioritize", () -> "/scheduler/prioritize");
    r.add("k8s-rdma.extender.verbs.bind", () -> "/scheduler/bind");
  }

  @BeforeAll
  static void agents() {
    TestAgents.serve(agent, TestInventories.ibNode(NODE, 0x6d, 2, 400_000));
  }

  @AfterAll
  static void stop() {
    agent.stop();
    client.close();
    server.destroy();
  }

  @Test
  void theVerbsAnswerAtTheConfiguredPathsOnly() throws Exception {
    http().awaitReady();
    Pod pod = client.pods().inNamespace("ml").resource(pod("routed")).create();
    Map<String, Object> args = ExtenderHttp.args(pod, List.of(NODE));

    JsonNode filtered = http().post("/scheduler/filter", args);
    JsonNode scores = http().post("/scheduler/prioritize", args);
    JsonNode bound =
        http()
            .post(
                "/scheduler/bind",
                Map.of(
                    "PodName",
                    "routed",
                    "PodNamespace",
                    "ml",
                    "PodUID",
                    pod.getMetadata().getUid(),
                    "Node",
                    NODE));

    assertThat(names(filtered.get("nodenames"))).containsExactly(NODE);
    assertThat(scores.get(0).get("host").asText()).isEqualTo(NODE);
    assertThat(scores.get(0).get("score").asInt()).isPositive();
    assertThat(bound.has("error")).as(bound.toString()).isFalse();
    assertThat(client.pods().inNamespace("ml").withName("routed").get().getSpec().getNodeName())
        .isEqualTo(NODE);
    assertThat(http().postRaw("/filter", JSON.writeValueAsString(args)).statusCode())
        .isEqualTo(404);
  }

  @Test
  void aMethodOtherThanPostIs405NamingTheMethodAllowed() throws Exception {
    for (String method : List.of("GET", "PUT", "DELETE")) {
      HttpResponse<String> r =
          send(
              request("/scheduler/filter")
                  .header("Content-Type", "application/json")
                  .method(method, HttpRequest.BodyPublishers.ofString("{}")));

      assertError(r, 405, method + " is not allowed; use POST");
      assertThat(r.headers().firstValue("Allow")).as(method).hasValue("POST");
    }
  }

  @Test
  void aRequestWithoutContentTypeOrWithACharsetJavaLacksIs415() throws Exception {
    String body = JSON.writeValueAsString(ExtenderHttp.args(pod("typeless"), List.of(NODE)));

    HttpResponse<String> none =
        send(request("/scheduler/prioritize").POST(HttpRequest.BodyPublishers.ofString(body)));
    HttpResponse<String> unknownCharset =
        send(
            request("/scheduler/prioritize")
                .header("Content-Type", "application/json; charset=x-no-such-charset")
                .POST(HttpRequest.BodyPublishers.ofString(body)));

    assertError(none, 415, "Content-Type must be application/json: the request has none");
    assertError(
        unknownCharset,
        415,
        "Content-Type must be application/json: its charset 'x-no-such-charset' is not"
            + " supported");
  }

  @Test
  void aBodyIsReadInTheCharsetItsContentTypeNames() throws Exception {
    // A pod without an RDMA request passes every node, so the answer echoes the names as read.
    String body =
        JSON.writeValueAsString(
            ExtenderHttp.args(
                TestPods.pod("ml", "latin", "uid-latin", "Pending").build(),
                List.of("n\u00f6de-\u00e9")));

    HttpResponse<String> r =
        send(
            request("/scheduler/filter")
                .header("Content-Type", "application/json; charset=ISO-8859-1")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.ISO_8859_1)));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(names(JSON.readTree(r.body()).get("nodenames"))).containsExactly("n\u00f6de-\u00e9");
  }

  @Test
  void httpServerRequestsNamesEachVerbByItsPath() throws Exception {
    http().postRaw("/scheduler/filter", "not json");
    http().post("/scheduler/prioritize", ExtenderHttp.args(pod("metered"), List.of(NODE)));

    // The observation records its timer once the answer is written, so the client can read the
    // answer before the timer exists.
    Await.until(
        "the filter 400 and the prioritize 200 timed",
        Duration.ofSeconds(10),
        () ->
            requests("/scheduler/filter", "400") > 0
                && requests("/scheduler/prioritize", "200") > 0);
  }

  private long requests(String uri, String status) {
    return registry
        .find("http.server.requests")
        .tag("uri", uri)
        .tag("status", status)
        .timers()
        .stream()
        .mapToLong(t -> t.count())
        .sum();
  }

  private static Pod pod(String name) {
    return TestPods.pod("ml", name, "uid-" + name, "Pending")
        .editMetadata()
        .addToAnnotations(Annotations.INTERFACES, "[{\"minTxRateMbps\": 1000}]")
        .endMetadata()
        .build();
  }

  private ExtenderHttp http() {
    return new ExtenderHttp(port);
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10));
  }

  private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static void assertError(HttpResponse<String> r, int status, String error)
      throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.get("error").asText()).isEqualTo(error);
    assertThat(body.get("status").asInt()).isEqualTo(status);
  }
}
