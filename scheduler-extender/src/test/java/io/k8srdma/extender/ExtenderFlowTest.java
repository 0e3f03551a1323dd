package io.k8srdma.extender;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeListBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.k8srdma.extender.ledger.Ledger;
import io.k8srdma.extender.ledger.PodLedgerSync;
import io.k8srdma.model.Annotations;
import io.k8srdma.model.assignment.Assignment;
import io.k8srdma.model.assignment.AssignmentCodec;
import io.k8srdma.model.json.Json;
import io.k8srdma.model.testing.RawHttp;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
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
 * The extender end to end over HTTP: WireMock agents on 127.0.0.1, fabric8's mock API server in
 * CRUD mode for pods with the binding subresource as the API server implements it ({@link
 * BindingApiServer}), and the real Spring Boot service on a random port.
 */
@AutoConfigureObservability
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
// Closed after the class: its agents and API server stop in @AfterAll, and a cached context would
// keep polling their ports, which a later class's servers may be given.
@DirtiesContext
class ExtenderFlowTest {

  private static final KubernetesMockServer server = BindingApiServer.start().server();
  private static final KubernetesClient client = server.createClient();

  private static final ObjectMapper JSON = Json.mapper();
  private static final WireMockServer agentA = agent();
  private static final WireMockServer agentB = agent();
  private static final WireMockServer agentStale = agent();
  private static final WireMockServer agentC = agent();

  /** Only read by the test of kube-scheduler's request shapes, so its VFs stay free. */
  private static final WireMockServer agentWire = agent();

  private static final int DEAD_PORT = LateApiServer.freePort();

  /** A request for one VF with a floor, for pods the tests only filter. */
  private static final String REQUEST = "[{\"minTxRateMbps\": 1000}]";

  @LocalServerPort int port;
  @Autowired Ledger ledger;
  @Autowired MeterRegistry registry;

  @DynamicPropertySource
  static void props(DynamicPropertyRegistry r) {
    r.add("k8s-rdma.extender.kubernetes.master-url", () -> server.url("/"));
    r.add("k8s-rdma.extender.static-agents.node-a", agentA::baseUrl);
    r.add("k8s-rdma.extender.static-agents.node-b", agentB::baseUrl);
    r.add("k8s-rdma.extender.static-agents.node-stale", agentStale::baseUrl);
    r.add("k8s-rdma.extender.static-agents.node-c", agentC::baseUrl);
    r.add("k8s-rdma.extender.static-agents.node-wire", agentWire::baseUrl);
    r.add("k8s-rdma.extender.static-agents.node-down", () -> "http://127.0.0.1:" + DEAD_PORT);
    r.add("k8s-rdma.extender.poll.interval", () -> "200ms");
    r.add("k8s-rdma.extender.poll.timeout", () -> "1s");
    r.add("k8s-rdma.extender.staleness", () -> "3s");
  }

  @BeforeAll
  static void agents() {
    serve(agentA, TestInventories.ibNode("node-a", 0x1a, 1, 400_000));
    serve(agentB, TestInventories.ibNode("node-b", 0x3c, 4, 400_000));
    serve(agentStale, TestInventories.ibNode("node-stale", 0x5e, 4, 400_000));
    serve(agentC, TestInventories.ibNode("node-c", 0x9a, 4, 400_000));
    serve(agentWire, TestInventories.ibNode("node-wire", 0x7c, 4, 400_000));
  }

  @AfterAll
  static void stopAgents() {
    agentA.stop();
    agentB.stop();
    agentStale.stop();
    agentC.stop();
    agentWire.stop();
    client.close();
    server.destroy();
  }

  @Test
  void podWithoutRdmaRequestPassesEveryNodeUntouched() throws Exception {
    Pod pod = pod("plain", null);
    JsonNode r = filter(pod, List.of("node-a", "node-down", "not-an-rdma-node"));
    assertThat(names(r.get("nodenames")))
        .containsExactly("node-a", "node-down", "not-an-rdma-node");
    assertThat(r.has("failedNodes")).isFalse();
  }

  @Test
  void kubeSchedulersConnectionStaysOpenPastAHundredRequests() throws Exception {
    // Tomcat closes a connection after 100 requests unless told otherwise; kube-scheduler would
    // then open a new one every ~33 pods, and that pod's filter waits for it.
    String body =
        JSON.writeValueAsString(ExtenderHttp.args(pod("keep-alive", null), List.of("node-a")));
    try (KeepAliveConnection connection = new KeepAliveConnection(port)) {
      for (int i = 1; i <= 150; i++) {
        KeepAliveConnection.Answer answer = connection.post("/filter", body);
        assertThat(answer.status()).as("request %d", i).isEqualTo(200);
        assertThat(answer.headers().get("connection")).as("request %d", i).isNotEqualTo("close");
        assertThat(names(JSON.readTree(answer.body()).get("nodenames"))).containsExactly("node-a");
      }
    }
  }

  @Test
  void nodesWithoutUsableInventoryFailWithTheReason() throws Exception {
    awaitReady();
    Pod pod = pod("down-check", "[{\"minTxRateMbps\": 1000}]");
    JsonNode r = filter(pod, List.of("node-b", "node-down", "unknown-node"));
    assertThat(names(r.get("nodenames"))).containsExactly("node-b");
    JsonNode unresolvable = r.get("failedAndUnresolvableNodes");
    assertThat(unresolvable.get("node-down").asText())
        .startsWith("no RDMA inventory from the node agent at http://127.0.0.1:" + DEAD_PORT)
        .contains("connection refused");
    assertThat(unresolvable.get("unknown-node").asText())
        .isEqualTo("no k8s-rdma node agent is known for this node");
  }

  @Test
  void aNodeWhoseAgentStopsAnsweringTurnsStale() throws Exception {
    awaitReady();
    Pod pod = pod("stale-check", "[{\"minTxRateMbps\": 1000}]");
    assertThat(names(filter(pod, List.of("node-stale")).get("nodenames")))
        .containsExactly("node-stale");
    agentStale.resetAll();
    agentStale.stubFor(get(urlEqualTo("/vfs")).willReturn(aResponse().withStatus(500)));
    Await.until(
        "node-stale turns stale",
        Duration.ofSeconds(15),
        () -> filter(pod, List.of("node-stale")).has("failedAndUnresolvableNodes"));
    String reason =
        filter(pod, List.of("node-stale"))
            .get("failedAndUnresolvableNodes")
            .get("node-stale")
            .asText();
    assertThat(reason).startsWith("RDMA inventory is stale: last confirmed").contains("HTTP 500");
  }

  @Test
  void fullNodeListModeAnswersWithNodes() throws Exception {
    awaitReady();
    Pod pod = pod("nodes-mode", "[{\"minTxRateMbps\": 1000}]");
    // As kube-scheduler sends it with nodeCacheCapable: false (Go's field names, no tags).
    Map<String, Object> args = new LinkedHashMap<>();
    args.put("Pod", pod);
    args.put("Nodes", new NodeListBuilder().withItems(node("node-b"), node("node-down")).build());
    args.put("NodeNames", null);
    JsonNode r = post("/filter", args);
    assertThat(r.has("nodenames")).isFalse();
    assertThat(r.get("nodes").get("items")).hasSize(1);
    assertThat(r.get("nodes").get("items").get(0).get("metadata").get("name").asText())
        .isEqualTo("node-b");
    assertThat(r.get("failedAndUnresolvableNodes").has("node-down")).isTrue();
  }

  @Test
  void malformedAnnotationFailsEveryNodeNamingTheField() throws Exception {
    Pod pod = pod("bad", "[{\"minTxRateMbps\": 2000, \"maxTxRateMbps\": 1000}]");
    JsonNode r = filter(pod, List.of("node-a", "node-b"));
    assertThat(names(r.get("nodenames"))).isEmpty();
    assertThat(r.get("failedAndUnresolvableNodes").get("node-a").asText())
        .contains("k8s-rdma.io/interfaces[0].maxTxRateMbps");
  }

  @Test
  void twoPodsRaceForTheLastVfOneBindsTheOtherFailsWithAReason() throws Exception {
    awaitReady();
    Pod first = create(pod("race-1", "[{\"minTxRateMbps\": 10000}]"));
    Pod second = create(pod("race-2", "[{\"minTxRateMbps\": 10000}]"));
    assertThat(names(filter(first, List.of("node-a")).get("nodenames"))).containsExactly("node-a");
    assertThat(names(filter(second, List.of("node-a")).get("nodenames"))).containsExactly("node-a");

    double boundBefore = binds("bound");
    double failedBefore = binds("failed");

    JsonNode bound = bind(first, "node-a");
    JsonNode lost = bind(second, "node-a");

    assertThat(binds("bound") - boundBefore).as("binds_total{result=bound}").isEqualTo(1);
    assertThat(binds("failed") - failedBefore).as("binds_total{result=failed}").isEqualTo(1);

    assertThat(bound.has("error")).as(bound.toString()).isFalse();
    assertThat(bindingPostedFor("race-1"))
        .contains("\"kind\":\"Binding\"")
        .contains("\"name\":\"node-a\"");
    assertThat(lost.get("error").asText())
        .contains("cannot bind pod ml/race-2 to node node-a")
        .containsIgnoringCase("free VF");
    Assignment a = assignmentOf("race-1");
    assertThat(a.node()).isEqualTo("node-a");
    assertThat(client.pods().inNamespace("ml").withName("race-1").get().getSpec().getNodeName())
        .as("the Binding put the pod on the node")
        .isEqualTo("node-a");
    assertThat(a.interfaces())
        .singleElement()
        .satisfies(i -> assertThat(i.vf()).isEqualTo("0000:1a:00.1"));
    assertThat(
            client.pods().inNamespace("ml").withName("race-2").get().getMetadata().getAnnotations())
        .doesNotContainKey(Annotations.ASSIGNMENT);
    JsonNode again = filter(second, List.of("node-a"));
    assertThat(again.get("failedNodes").get("node-a").asText()).containsIgnoringCase("free VF");
  }

  @Test
  void bandwidthIsAccountedAcrossPodsAndADeletedPodFreesItAtOnce() throws Exception {
    awaitReady();
    String req = "[{\"minTxRateMbps\": 150000, \"linkLayer\": \"InfiniBand\"}]";
    Pod p1 = create(pod("bw-1", req));
    Pod p2 = create(pod("bw-2", req));
    Pod p3 = create(pod("bw-3", req));
    assertThat(bind(p1, "node-c").has("error")).isFalse();
    assertThat(bind(p2, "node-c").has("error")).isFalse();

    JsonNode third = filter(p3, List.of("node-c"));
    assertThat(names(third.get("nodenames"))).isEmpty();
    assertThat(third.get("failedNodes").get("node-c").asText()).contains("100000");

    client.pods().inNamespace("ml").withName("bw-1").delete();
    Await.until(
        "deleted pod freed", Duration.ofSeconds(10), () -> ledger.assignmentOf(uid(p1)).isEmpty());
    assertThat(names(filter(p3, List.of("node-c")).get("nodenames"))).containsExactly("node-c");
    assertThat(bind(p3, "node-c").has("error")).isFalse();
  }

  @Test
  void aRestartedExtenderRebuildsItsLedgerFromThePods() throws Exception {
    awaitReady();
    Pod p = create(pod("rebuild-1", "[{\"minTxRateMbps\": 5000}]"));
    assertThat(bind(p, "node-b").has("error")).isFalse();
    Ledger rebuilt = new Ledger(Clock.systemUTC(), Duration.ofSeconds(30));
    try (PodLedgerSync sync = new PodLedgerSync(client, rebuilt)) {
      Await.until("rebuilt ledger synced", Duration.ofSeconds(10), sync::synced);
      Await.until(
          "pod in the rebuilt ledger",
          Duration.ofSeconds(10),
          () -> rebuilt.assignmentOf(uid(p)).isPresent());
      assertThat(rebuilt.assignmentOf(uid(p))).isEqualTo(ledger.assignmentOf(uid(p)));
      assertThat(rebuilt.commitmentsOn("node-b", null))
          .isEqualTo(ledger.commitmentsOn("node-b", null));
    }
  }

  @Test
  void prioritizeScoresFittingNodesAndZeroesTheRest() throws Exception {
    awaitReady();
    Pod pod = pod("prio", "[{\"minTxRateMbps\": 1000}]");
    JsonNode r = http().prioritize(pod, List.of("node-b", "node-down"));
    assertThat(r).hasSize(2);
    assertThat(r.get(0).get("host").asText()).isEqualTo("node-b");
    assertThat(r.get(0).get("score").asInt()).isBetween(1, 10);
    assertThat(r.get(1).get("score").asInt()).isZero();
  }

  @Test
  void requestsShapedAsKubeSchedulerSendsThemDecodeAndAreAnswered() throws Exception {
    awaitReady();
    // Go's field names (the extender types have no JSON tags), and this project's documented
    // lower-case names; the pods ask for one 25 Gb/s InfiniBand interface.
    for (String fixture :
        List.of(
            "kube-scheduler/filter-args-nodenames.json",
            "kube-scheduler/filter-args-nodes.json",
            "filter-args-nodes.json")) {
      String body = Files.readString(fixtures().resolve(fixture)).replace("worker-7", "node-wire");
      for (String verb : List.of("/filter", "/prioritize")) {
        HttpResponse<String> r = postRaw(verb, body);
        assertThat(r.statusCode()).as(verb + " " + fixture + ": " + r.body()).isEqualTo(200);
        JsonNode answer = JSON.readTree(r.body());
        if (verb.equals("/prioritize")) {
          assertThat(answer.get(0).get("host").asText()).as(fixture).isEqualTo("node-wire");
          assertThat(answer.get(0).get("score").asInt()).as(fixture).isBetween(1, 10);
        } else if (fixture.contains("nodenames")) {
          assertThat(names(answer.get("nodenames"))).as(fixture).containsExactly("node-wire");
          assertThat(answer.get("failedAndUnresolvableNodes").get("worker-8").asText())
              .as(fixture)
              .isEqualTo("no k8s-rdma node agent is known for this node");
        } else {
          assertThat(answer.get("nodes").get("items").get(0).get("metadata").get("name").asText())
              .as(fixture)
              .isEqualTo("node-wire");
        }
      }
    }
    JsonNode readmeExample =
        JSON.readTree(
            postRaw(
                    "/filter",
                    Files.readString(Path.of("..", "docs", "examples", "filter-request.json")))
                .body());
    assertThat(readmeExample.get("failedAndUnresolvableNodes").fieldNames())
        .toIterable()
        .as("docs/examples/filter-request.json, whose nodes have no agent here")
        .containsExactly("demo-node", "node-without-agent");
    HttpResponse<String> bind =
        postRaw(
            "/bind",
            Files.readString(fixtures().resolve("kube-scheduler/bind-args.json"))
                .replace("worker-7", "node-wire"));
    assertThat(bind.statusCode()).as(bind.body()).isEqualTo(200);
    assertThat(JSON.readTree(bind.body()).get("error").asText())
        .as("read whole: the pod is not in this API server")
        .isEqualTo("k8s-rdma: cannot bind pod ml/trainer-0 to node node-wire: pod not found");
  }

  private static Path fixtures() {
    return Path.of("..", "common-model", "src", "test", "resources", "extender");
  }

  @Test
  void malformedRequestsAre400WithAnErrorFieldAndTheServiceKeepsServing() throws Exception {
    for (String body :
        List.of(
            "{\"pod\":",
            "not json",
            "{\"pod\": 5}",
            "{}",
            "{\"nodenames\": [\"a\"]}",
            "{\"Pod\": {\"metadata\": {\"name\": \"p\"}}, \"NodeNames\": [\"a\", null]}")) {
      HttpResponse<String> r = postRaw("/filter", body);
      assertThat(r.statusCode()).as(body).isEqualTo(400);
      assertThat(JSON.readTree(r.body()).get("error").asText()).as(body).isNotBlank();
    }
    String nameless = "{\"Pod\": {\"metadata\": {\"name\": \"p\"}}, \"NodeNames\": [\"a\", null]}";
    assertThat(JSON.readTree(postRaw("/prioritize", nameless).body()).get("error").asText())
        .isEqualTo(
            "malformed request body: ExtenderArgs.nodenames[1] is empty: every candidate needs a"
                + " node name");
    assertThat(JSON.readTree(postRaw("/filter", "").body()).get("error").asText())
        .isEqualTo("malformed request body: the body is missing (a JSON object is required)");
    assertThat(JSON.readTree(postRaw("/prioritize", "[]").body()).get("error").asText())
        .startsWith("malformed request body: Cannot deserialize value of type `ExtenderArgs`")
        .doesNotContain("io.k8srdma");
    String badContainers = "{\"pod\":{\"spec\":{\"containers\":{}}},\"nodenames\":[\"a\"]}";
    assertThat(JSON.readTree(postRaw("/filter", badContainers).body()).get("error").asText())
        .isEqualTo(
            "malformed request body: expected an array of containers, got an object"
                + " (at pod.spec.containers)")
        .doesNotContain("io.k8srdma", "io.fabric8");
    HttpResponse<String> bind = postRaw("/bind", "{\"podName\": \"x\"}");
    assertThat(bind.statusCode()).isEqualTo(400);
    assertThat(bind.body()).contains("podNamespace");
    assertThat(
            postRaw(
                    "/filter",
                    JSON.writeValueAsString(
                        Map.of("pod", pod("ok", null), "nodenames", List.of("n"))))
                .statusCode())
        .isEqualTo(200);
  }

  @Test
  void inventoryHealthAndMetricsForOperators() throws Exception {
    awaitReady();
    JsonNode inv = JSON.readTree(getRaw("/inventory").body());
    assertThat(inv).hasSizeGreaterThanOrEqualTo(4);
    JsonNode down = null;
    for (JsonNode n : inv) {
      if (n.get("node").asText().equals("node-down")) {
        down = n;
      }
    }
    assertThat(down).isNotNull();
    assertThat(down.get("usable").asBoolean()).isFalse();
    assertThat(down.get("lastError").asText()).isNotBlank();
    assertThat(getRaw("/actuator/health/readiness").statusCode()).isEqualTo(200);
    String metrics = getRaw("/actuator/prometheus").body();
    assertThat(metrics)
        .contains("k8s_rdma_extender_agents ")
        .contains("k8s_rdma_extender_ledger_pods")
        .contains("k8s_rdma_extender_binds_total{result=\"failed\"}");
    assertThat(metrics).contains("k8s_rdma_extender_poll_round_seconds_count");
    Await.until(
        "the pod informer reported watching",
        Duration.ofSeconds(10),
        () ->
            getRaw("/actuator/prometheus")
                .body()
                .contains("k8s_rdma_extender_informer_watching{informer=\"pods\"} 1"));
    assertThat(metrics).as("static agents: no node informer").doesNotContain("informer=\"nodes\"");
  }

  @Test
  void inventoryFiltersByNodeAndUsability() throws Exception {
    awaitReady();

    JsonNode two = JSON.readTree(getRaw("/inventory?node=node-down&node=node-a,no-such").body());
    JsonNode unusable = JSON.readTree(getRaw("/inventory?usable=false").body());
    HttpResponse<String> bad = getRaw("/inventory?usable=maybe");

    assertThat(two).extracting(n -> n.get("node").asText()).containsExactly("node-a", "node-down");
    assertThat(unusable)
        .extracting(n -> n.get("node").asText())
        .contains("node-down")
        .doesNotContain("node-a");
    assertThat(unusable).allSatisfy(n -> assertThat(n.get("usable").asBoolean()).isFalse());
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(bad.body()).get("error").asText())
        .isEqualTo("query parameter usable: 'maybe' is not true or false");
    assertThat(getRaw("/actuator/health/liveness").statusCode()).isEqualTo(200);
  }

  // --- malformed requests that seeded mutations found (api.MalformedRequestsFuzzTest) ----------

  @Test
  void aFieldGivenTwiceIsA400NamingIt() throws Exception {
    // Jackson 2 built the record once it had every field, then failed the repeated one as a
    // definition error, which Spring answers with 500.
    HttpResponse<String> bind =
        postRaw(
            "/bind",
            "{\"PodName\": \"p\", \"PodNamespace\": \"ml\", \"PodUID\": \"u\","
                + " \"Node\": \"node-a\", \"node\": \"node-b\"}");
    HttpResponse<String> filter =
        postRaw(
            "/filter",
            "{\"Pod\": {\"metadata\": {\"name\": \"p\"}}, \"Nodes\": null,"
                + " \"NodeNames\": [\"node-a\"], \"NodeNames\": [\"node-b\"]}");

    assertError(
        bind,
        400,
        "malformed request body: ExtenderBindingArgs.node is given twice (as \"Node\" and as"
            + " \"node\")");
    assertError(
        filter,
        400,
        "malformed request body: ExtenderArgs.nodenames is given twice (as \"NodeNames\" and as"
            + " \"NodeNames\")");
  }

  @Test
  void aQuantityFabric8CannotReadIsA400NamingWhereItIs() throws Exception {
    // fabric8's Quantity deserializer throws IllegalArgumentException for an empty quantity: a
    // mapping error all the same, which says where it is.
    String body =
        JSON.writeValueAsString(ExtenderHttp.args(pod("quantity", REQUEST), List.of("node-a")))
            .replace(
                "\"containers\":[{",
                "\"containers\":[{\"resources\":{\"limits\":{\"k8s-rdma.io/vf\":\"\"}},");

    HttpResponse<String> r = postRaw("/filter", body);

    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    assertThat(JSON.readTree(r.body()).get("error").asText())
        .startsWith("malformed request body: ")
        .endsWith("(at pod.spec.containers[0].resources.limits.k8s-rdma.io/vf)");
  }

  @Test
  void aContentTypeOtherThanJsonIsA415EvenAWildcardOrMultipart() throws Exception {
    // multipart/form-data failed in the DispatcherServlet, */* and application/* in Spring's body
    // reading: both were 500s.
    String body = JSON.writeValueAsString(ExtenderHttp.args(pod("typed", REQUEST), List.of("n")));
    for (String verb : List.of("/filter", "/prioritize", "/bind")) {
      for (String type : List.of("*/*", "application/*", "multipart/form-data", "text/plain")) {
        HttpResponse<String> r = postAs(verb, type, body);

        assertThat(r.statusCode()).as(verb + " " + type).isEqualTo(415);
        assertThat(JSON.readTree(r.body()).get("error").asText())
            .as(verb + " " + type)
            .startsWith("Content-Type must be application/json: ");
      }
    }
  }

  @Test
  void aBodyWithAnythingAfterItsJsonValueIsA400() throws Exception {
    // Spring read the body up to its first value and ignored the rest.
    String body =
        JSON.writeValueAsString(ExtenderHttp.args(pod("trailing", REQUEST), List.of("node-a")));

    HttpResponse<String> r = postRaw("/filter", body + " {\"NodeNames\": []}");

    assertError(r, 400, "malformed request body: Trailing token (of type START_OBJECT) found");
  }

  @Test
  void aBindNamingAPodOrNodeKubernetesCannotHaveIsA400NamingTheField() throws Exception {
    // Such names went into the API's URLs: a namespace with a right-to-left override (U+202E)
    // was never answered by the mock API server and held the bind for the client's 10 s timeout;
    // "../x" addresses another resource.
    int held = ledger.size();
    Map<String, String> bad = new LinkedHashMap<>();
    bad.put("PodNamespace", "\u202eevil");
    bad.put("PodName", "../x");
    bad.put("Node", "Node_1");
    for (Map.Entry<String, String> field : bad.entrySet()) {
      Map<String, String> args = new LinkedHashMap<>();
      args.put("PodName", "p");
      args.put("PodNamespace", "ml");
      args.put("Node", "node-a");
      args.put(field.getKey(), field.getValue());

      HttpResponse<String> r = postRaw("/bind", JSON.writeValueAsString(args));

      String name = Character.toLowerCase(field.getKey().charAt(0)) + field.getKey().substring(1);
      assertError(
          r, 400, "ExtenderBindingArgs." + name + ": '" + field.getValue() + "' is not a valid ");
    }
    assertThat(ledger.size()).isEqualTo(held);
  }

  @Test
  void aQueryStringTheServerCannotDecodeIsA400NamingThePart() throws Exception {
    // Tomcat dropped the parameter and the request was served without it: every node.
    Map<String, String> parts = new LinkedHashMap<>();
    parts.put("node=%ZZ", "'node=%ZZ' is not valid percent-encoding (%XX, X a hex digit)");
    parts.put("usable=%", "'usable=%' is not valid percent-encoding (%XX, X a hex digit)");
    parts.put("node=node-a&=x", "'=x' has no parameter name");
    for (Map.Entry<String, String> part : parts.entrySet()) {
      RawHttp.Answer r = RawHttp.send(port, "GET", "/inventory?" + part.getKey());

      assertThat(r.status()).as(part.getKey() + ": " + r.body()).isEqualTo(400);
      assertThat(JSON.readTree(r.body()).get("error").asText())
          .isEqualTo("malformed query string: " + part.getValue());
    }
  }

  @Test
  void aRequestTomcatRefusesByItselfIsA400WithAJsonError() throws Exception {
    // Tomcat answers these before any servlet, and answered them with its HTML page.
    Map<String, RawHttp.Answer> refused = new LinkedHashMap<>();
    refused.put(
        "Invalid character found in the request target",
        RawHttp.send(port, "GET", "/inventory?node={a}"));
    refused.put(
        "Request header is too large",
        RawHttp.send(port, "GET", "/inventory", "X-Big: " + "x".repeat(9000)));

    for (Map.Entry<String, RawHttp.Answer> r : refused.entrySet()) {
      assertThat(r.getValue().status()).as(r.getValue().body()).isEqualTo(400);
      assertThat(r.getValue().head()).containsIgnoringCase("Content-Type: application/json");
      JsonNode body = JSON.readTree(r.getValue().body());
      assertThat(body.get("error").asText()).startsWith(r.getKey());
      assertThat(body.get("status").asInt()).isEqualTo(400);
    }
  }

  // --- helpers ------------------------------------------------------------------------------

  private void awaitReady() {
    http().awaitReady();
  }

  private static void assertError(HttpResponse<String> r, int status, String startOfError)
      throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.get("error").asText()).startsWith(startOfError);
    assertThat(body.get("status").asInt()).isEqualTo(status);
  }

  private double binds(String result) {
    return registry.get("k8s_rdma_extender_binds").tag("result", result).counter().count();
  }

  private static Pod pod(String name, String interfaces) {
    PodBuilder b =
        TestPods.pod("ml", name, UUID.nameUUIDFromBytes(name.getBytes()).toString(), "Pending")
            .editSpec()
            .withSchedulerName("k8s-rdma-scheduler")
            .endSpec();
    if (interfaces != null) {
      b.editMetadata().addToAnnotations(Annotations.INTERFACES, interfaces).endMetadata();
    }
    return b.build();
  }

  /** Creates the pod in the API. */
  private static Pod create(Pod pod) {
    return client.pods().inNamespace("ml").resource(pod).create();
  }

  private static String uid(Pod pod) {
    return pod.getMetadata().getUid();
  }

  private static Assignment assignmentOf(String pod) throws Exception {
    String text =
        client
            .pods()
            .inNamespace("ml")
            .withName(pod)
            .get()
            .getMetadata()
            .getAnnotations()
            .get(Annotations.ASSIGNMENT);
    return AssignmentCodec.decode(text);
  }

  /** The body of the Binding POST for {@code pod}, from the mock API server's request log. */
  private static String bindingPostedFor(String pod) throws InterruptedException {
    String path = "/api/v1/namespaces/ml/pods/" + pod + "/binding";
    int seen = server.getRequestCount();
    for (int i = 0; i < seen; i++) {
      var request = server.takeRequest(1, java.util.concurrent.TimeUnit.SECONDS);
      if (request == null) {
        break;
      }
      if ("POST".equals(request.getMethod()) && path.equals(request.getPath())) {
        return request.getBody().readUtf8();
      }
    }
    throw new AssertionError("no Binding was posted to " + path);
  }

  private static Node node(String name) {
    return new NodeBuilder().withNewMetadata().withName(name).endMetadata().build();
  }

  private JsonNode filter(Pod pod, List<String> nodes) {
    return http().filter(pod, nodes);
  }

  private JsonNode bind(Pod pod, String node) {
    return http().bind(pod, node);
  }

  private JsonNode post(String path, Object body) {
    return http().post(path, body);
  }

  private HttpResponse<String> postRaw(String path, String body) throws Exception {
    return http().postRaw(path, body);
  }

  /** POSTs {@code body} with the Content-Type {@code type}. */
  private HttpResponse<String> postAs(String path, String type, String body) throws Exception {
    return java.net.http.HttpClient.newHttpClient()
        .send(
            java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", type)
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> getRaw(String path) {
    return http().getRaw(path);
  }

  private ExtenderHttp http() {
    return new ExtenderHttp(port);
  }

  private static List<String> names(JsonNode array) {
    return ExtenderHttp.names(array);
  }

  private static WireMockServer agent() {
    return TestAgents.start();
  }

  private static void serve(WireMockServer agent, io.k8srdma.model.inventory.NodeInventory inv) {
    TestAgents.serve(agent, inv);
  }
}
