package io.k8srdma.extender.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.k8srdma.extender.BindingApiServer;
import io.k8srdma.extender.ExtenderHttp;
import io.k8srdma.extender.TestAgents;
import io.k8srdma.extender.TestInventories;
import io.k8srdma.extender.TestPods;
import io.k8srdma.extender.ledger.Ledger;
import io.k8srdma.model.Annotations;
import io.k8srdma.model.assignment.Assignment;
import io.k8srdma.model.assignment.AssignmentCodec;
import io.k8srdma.model.json.Json;
import io.k8srdma.model.placement.Commitments;
import io.k8srdma.model.testing.Fuzz;
import io.k8srdma.model.testing.JsonMutator;
import io.k8srdma.model.testing.JsonMutator.Mutant;
import io.k8srdma.model.testing.RawHttp;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Seeded mutations of kube-scheduler's requests sent to the real extender over HTTP (WireMock
 * agents, fabric8's mock API server with the binding subresource): whatever arrives, the answer is
 * a 200 of the verb's shape or a documented error (400, 405, 415) whose JSON body has an {@code
 * error}, never a 5xx; rejected binds leave no VF held; and after each barrage a well-formed pod is
 * still filtered, prioritized and bound as usual. The defects they found have their own tests in
 * {@code ExtenderFlowTest}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
// Closed after the class: its agents and API server stop in @AfterAll, and a cached context would
// keep polling their ports, which a later class's servers may be given.
@DirtiesContext
class MalformedRequestsFuzzTest {

  private static final KubernetesMockServer server = BindingApiServer.start().server();
  private static final KubernetesClient client = server.createClient();
  private static final ObjectMapper JSON = Json.mapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  /**
   * The node the pods are placed on: 7 free VFs, for the 3 pods of the bind barrage and the pod
   * each test binds after its barrage.
   */
  private static final WireMockServer agent = TestAgents.start();

  /** A second node, which must keep serving through it all. */
  private static final WireMockServer otherAgent = TestAgents.start();

  /** An agent that answers anything but an inventory of its node. */
  private static final WireMockServer brokenAgent = TestAgents.start();

  private static final String BROKEN = "node-broken";
  private static final String NODE = "node-fz";
  private static final String OTHER = "node-ok";
  private static final String NAMESPACE = "fuzz";
  private static final String REQUEST =
      "[{\"minTxRateMbps\": 10000, \"linkLayer\": \"InfiniBand\"}]";

  /** kube-scheduler's bodies, as captured (see common-model's test resources). */
  private static final List<String> FILTER_ARGS =
      List.of(
          fixture("kube-scheduler/filter-args-nodenames.json"),
          fixture("kube-scheduler/filter-args-nodes.json"),
          fixture("filter-args-nodes.json"));

  /** The answers a malformed request may get (besides 200), as docs/api.md lists them. */
  private static final Set<Integer> ERRORS = Set.of(400, 405, 415);

  @LocalServerPort int port;
  @Autowired Ledger ledger;

  @DynamicPropertySource
  static void props(DynamicPropertyRegistry r) {
    r.add("k8s-rdma.extender.kubernetes.master-url", () -> server.url("/"));
    r.add("k8s-rdma.extender.static-agents." + NODE, agent::baseUrl);
    r.add("k8s-rdma.extender.static-agents." + OTHER, otherAgent::baseUrl);
    r.add("k8s-rdma.extender.static-agents." + BROKEN, brokenAgent::baseUrl);
    r.add("k8s-rdma.extender.poll.interval", () -> "200ms");
  }

  @BeforeAll
  static void agents() {
    TestAgents.serve(agent, TestInventories.ibNode(NODE, 0x4a, 7, 400_000));
    TestAgents.serve(otherAgent, TestInventories.ibNode(OTHER, 0x4b, 7, 400_000));
  }

  @AfterAll
  static void stop() {
    agent.stop();
    otherAgent.stop();
    brokenAgent.stop();
    client.close();
    server.destroy();
  }

  // --- filter and prioritize --------------------------------------------------------------------

  @Test
  void mutatedFilterAndPrioritizeBodiesAreAnsweredOrRefusedWithAnError() {
    http().awaitReady();
    Commitments before = ledger.commitmentsOn(NODE, null);
    int held = ledger.size();

    Fuzz.run(
        "filter/prioritize body",
        Fuzz.seed(1),
        Fuzz.iterations(300),
        MalformedRequestsFuzzTest::filterInput,
        this::checkVerb);

    assertThat(ledger.size()).as("filter and prioritize hold nothing").isEqualTo(held);
    assertThat(ledger.commitmentsOn(NODE, null)).isEqualTo(before);
    assertStillServes("after-filter");
  }

  /** A mutated ExtenderArgs (its pod's request mutated too, at times) for filter or prioritize. */
  private static Call filterInput(Random random) throws IOException {
    String body =
        FILTER_ARGS
            .get(random.nextInt(FILTER_ARGS.size()))
            .replace("worker-7", NODE)
            .replace("worker-8", OTHER);
    if (random.nextInt(3) == 0) {
      JsonNode args = JSON.readTree(body);
      JsonNode annotations =
          args.has("Pod")
              ? args.at("/Pod/metadata/annotations")
              : args.at("/pod/metadata/annotations");
      Mutant request = new JsonMutator(random).mutate(REQUEST);
      ((ObjectNode) annotations).put(Annotations.INTERFACES, request.text());
      body = JSON.writeValueAsString(args);
    }
    Mutant m = new JsonMutator(random).mutate(body);
    String verb = random.nextBoolean() ? "/filter" : "/prioritize";
    return new Call("POST", verb, m.description(), m.bytes(), Map.of());
  }

  @Test
  void oddTransportsAreRefusedWithAnError() {
    http().awaitReady();
    String valid = FILTER_ARGS.get(0).replace("worker-7", NODE);
    List<Call> calls = new ArrayList<>();
    for (String verb : List.of("/filter", "/prioritize", "/bind")) {
      for (String type :
          List.of(
              "text/plain",
              "application/x-www-form-urlencoded",
              "application/xml",
              "multipart/form-data",
              "application/json;charset=bogus",
              "application/json; charset=utf-16",
              "application/json;charset=\"",
              "application/json-patch+json",
              "*/*",
              "application/*",
              "text/*",
              "*/json",
              "application/merge-patch+json",
              "application/",
              ";;;",
              "")) {
        calls.add(new Call("POST", verb, "Content-Type " + type, utf8(valid), type(type)));
      }
      calls.add(new Call("POST", verb, "no body", new byte[0], type("application/json")));
      calls.add(new Call("POST", verb, "no Content-Type", utf8(valid), Map.of()));
      calls.add(
          new Call(
              "POST",
              verb,
              "gzip body",
              gzip(valid),
              Map.of("Content-Type", "application/json", "Content-Encoding", "gzip")));
      calls.add(
          new Call(
              "POST",
              verb,
              "gzip header, plain body",
              utf8(valid),
              Map.of("Content-Type", "application/json", "Content-Encoding", "gzip")));
      for (String method : List.of("GET", "PUT", "DELETE", "PATCH")) {
        calls.add(new Call(method, verb, method, utf8(valid), type("application/json")));
      }
    }
    calls.add(new Call("POST", "/inventory", "POST /inventory", utf8("{}"), Map.of()));
    for (Call call : calls) {
      Fuzz.run("odd transport", 0, 1, random -> call, this::checkVerb);
    }
    assertStillServes("after-transport");
  }

  @Test
  void largeAndOddNodeListsAreAnswered() throws IOException {
    http().awaitReady();
    List<Call> calls = new ArrayList<>();
    Pod pod = pod("odd-nodes", REQUEST);
    List<List<String>> lists = new ArrayList<>();
    List<String> many = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      many.add("worker-" + i);
    }
    many.add(NODE);
    lists.add(many);
    lists.add(List.of(NODE, NODE, OTHER, NODE));
    lists.add(List.of("Node_1", "..", "a/b", " ", "x".repeat(300), "\u0000", "ñode", NODE));
    lists.add(List.of());
    for (List<String> names : lists) {
      for (String verb : List.of("/filter", "/prioritize")) {
        String body = JSON.writeValueAsString(ExtenderHttp.args(pod, names));
        calls.add(new Call("POST", verb, names.size() + " names", utf8(body), json()));
        Map<String, Object> nodesMode = new HashMap<>();
        nodesMode.put("Pod", pod);
        nodesMode.put(
            "Nodes",
            Map.of(
                "items", names.stream().map(n -> Map.of("metadata", Map.of("name", n))).toList()));
        calls.add(
            new Call(
                "POST",
                verb,
                names.size() + " nodes",
                utf8(JSON.writeValueAsString(nodesMode)),
                json()));
      }
    }
    for (Call call : calls) {
      Fuzz.run("odd node list", 0, 1, random -> call, this::checkVerb);
    }
    assertThat(http().filter(pod, List.of(NODE, NODE)).get("nodenames"))
        .as("a name twice passes twice, as sent")
        .hasSize(2);
  }

  // --- bind -------------------------------------------------------------------------------------

  @Test
  void mutatedBindBodiesHoldNoVfUnlessTheyBoundThePod() throws Exception {
    http().awaitReady();
    List<Pod> pods = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      pods.add(create(pod("bz-" + i, REQUEST)));
    }

    Fuzz.run(
        "bind body",
        Fuzz.seed(3),
        Fuzz.iterations(150),
        random -> bindInput(random, pods),
        this::checkVerb);

    for (Pod p : pods) {
      assertHeldOnlyIfBound(p);
    }
    assertStillServes("after-bind");
  }

  private static Call bindInput(Random random, List<Pod> pods) throws IOException {
    Pod pod = pods.get(random.nextInt(pods.size()));
    Map<String, String> args = new HashMap<>();
    args.put("PodName", pod.getMetadata().getName());
    args.put("PodNamespace", NAMESPACE);
    args.put("PodUID", pod.getMetadata().getUid());
    args.put("Node", random.nextInt(4) == 0 ? OTHER : NODE);
    Mutant m = new JsonMutator(random).mutate(JSON.writeValueAsString(args));
    return new Call("POST", "/bind", m.description(), m.bytes(), json());
  }

  /**
   * The ledger holds a pod's VFs only when the pod is on the node with the same VFs recorded in its
   * annotation: a rejected bind may not keep any.
   */
  private void assertHeldOnlyIfBound(Pod created) throws Exception {
    Pod now = client.pods().inNamespace(NAMESPACE).withName(created.getMetadata().getName()).get();
    String uid = created.getMetadata().getUid();
    String node = now.getSpec().getNodeName();
    if (node == null) {
      assertThat(ledger.holds(uid)).as("%s was not bound", uid).isFalse();
      assertThat(now.getMetadata().getAnnotations()).doesNotContainKey(Annotations.ASSIGNMENT);
      return;
    }
    Assignment recorded =
        AssignmentCodec.decode(now.getMetadata().getAnnotations().get(Annotations.ASSIGNMENT));
    assertThat(recorded.node()).isEqualTo(node);
    assertThat(ledger.assignmentOf(uid)).contains(recorded);
  }

  // --- GET /inventory ---------------------------------------------------------------------------

  @Test
  void oddInventoryQueriesAreAnsweredOrRefusedWithAnError() {
    http().awaitReady();
    List<String> parts =
        List.of(
            "node=" + NODE,
            "node=",
            "node=,,,",
            "node=%00",
            "node=%ZZ",
            "usable=%",
            "node=%C3%28",
            "=x",
            "node=a%2Cb",
            "node=" + "x".repeat(5000),
            "node={a}",
            "node=a|b",
            "usable=true",
            "usable=false",
            "usable=",
            "usable=TRUE",
            "usable=1",
            "usable=yes",
            "usable=maybe",
            "usable",
            "usable=%00",
            "usable=true&usable=false",
            "usable%5B%5D=true",
            "=",
            "&&",
            "node=%F0%9F%9A%80",
            "node=%C3%28");
    Fuzz.run(
        "GET /inventory",
        Fuzz.seed(4),
        Fuzz.iterations(120),
        random -> {
          List<String> chosen = new ArrayList<>();
          for (int i = random.nextInt(4); i >= 0; i--) {
            chosen.add(parts.get(random.nextInt(parts.size())));
          }
          String query = String.join("&", chosen);
          return new Call("GET", "/inventory?" + query, query, new byte[0], Map.of());
        },
        this::checkVerb);
    assertStillServes("after-inventory");
  }

  // --- an agent answering garbage ---------------------------------------------------------------

  @Test
  void anAgentAnsweringGarbageLeavesItsNodeUnusableWithTheReasonAndTheOthersServing()
      throws Exception {
    http().awaitReady();
    String valid = TestInventories.json(TestInventories.ibNode(BROKEN, 0x4c, 2, 400_000));
    Map<String, String> answers = new java.util.LinkedHashMap<>();
    answers.put(valid.substring(0, valid.length() / 2), "unreadable inventory: ");
    answers.put("<html>proxy error</html>", "unreadable inventory: ");
    answers.put(valid.replace(BROKEN, "node-elsewhere"), "agent reports node 'node-elsewhere'");
    answers.put(
        valid.replace("0000:4c:00.2", "0000:4c:00.1"),
        "invalid inventory: pfs[0].vfs[1].pciAddress 0000:4c:00.1 appears twice on the node");
    Pod pod = pod("beside-broken", REQUEST);
    for (Map.Entry<String, String> answer : answers.entrySet()) {
      brokenAgent.stubFor(
          com.github.tomakehurst.wiremock.client.WireMock.get("/vfs")
              .willReturn(
                  com.github.tomakehurst.wiremock.client.WireMock.aResponse()
                      .withStatus(200)
                      .withHeader("Content-Type", "application/json")
                      .withBody(answer.getKey())));
      io.k8srdma.extender.Await.until(
          "GET /inventory shows: " + answer.getValue(),
          Duration.ofSeconds(20),
          () -> inventoryView(BROKEN).path("lastError").asText().startsWith(answer.getValue()));

      JsonNode view = inventoryView(BROKEN);
      assertThat(view.get("usable").asBoolean()).isFalse();
      assertThat(view.get("unusableReason").asText()).contains(view.get("lastError").asText());
      JsonNode usable = JSON.readTree(http().getRaw("/inventory?usable=true").body());
      assertThat(usable).extracting(n -> n.get("node").asText()).contains(NODE, OTHER);
      JsonNode filtered = http().filter(pod, List.of(NODE, BROKEN, OTHER));
      assertThat(ExtenderHttp.names(filtered.get("nodenames"))).containsExactly(NODE, OTHER);
      assertThat(filtered.at("/failedAndUnresolvableNodes/" + BROKEN).asText())
          .contains(answer.getValue());
    }
  }

  private JsonNode inventoryView(String node) {
    try {
      return JSON.readTree(http().getRaw("/inventory?node=" + node).body()).path(0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // --- the checks -------------------------------------------------------------------------------

  /** One HTTP request; the path carries the query string, the bytes the body. */
  record Call(
      String method, String path, String description, byte[] bytes, Map<String, String> headers)
      implements Fuzz.Described {
    @Override
    public String description() {
      return method + " " + cut(path) + " " + headers + ": " + description;
    }

    private static String cut(String s) {
      return s.length() <= 200 ? s : s.substring(0, 200) + "... (" + s.length() + " chars)";
    }
  }

  /** Sends {@code call} and checks that the answer is a 200 of the right shape or an error. */
  private void checkVerb(Call call) throws Exception {
    Answered r = answer(call);
    int status = r.status();
    assertThat(status).as("status, body %s", r.body()).isLessThan(500);
    if (status == 200) {
      assertThat(call.bytes().length == 0 || isOneJsonValue(call.bytes()))
          .as("a body that is not one JSON value is malformed, answered %s", r.body())
          .isTrue();
      JsonNode body = JSON.readTree(r.body());
      switch (call.path()) {
        case "/filter" -> assertThat(body.isObject()).as(r.body()).isTrue();
        case "/prioritize" -> {
          assertThat(body.isArray()).as(r.body()).isTrue();
          body.forEach(h -> assertThat(h.get("score").asInt()).isBetween(0, 10));
        }
        case "/bind" -> assertThat(body.isObject()).as(r.body()).isTrue();
        default -> assertThat(body.isArray()).as(r.body()).isTrue();
      }
      return;
    }
    assertThat(status).as("status, body %s", r.body()).isIn(ERRORS);
    JsonNode error = JSON.readTree(r.body());
    assertThat(error.path("error").asText()).as(r.body()).isNotBlank();
    assertThat(error.path("status").asInt()).as(r.body()).isEqualTo(status);
  }

  private static boolean isOneJsonValue(byte[] body) {
    try {
      JSON.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readTree(body);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** A status and a body, however the request went. */
  record Answered(int status, String body) {}

  /**
   * Sends {@code call}: a GET without a body byte for byte ({@link RawHttp}), as {@code
   * java.net.http} refuses a query such as {@code node=%ZZ}; anything else with {@link #HTTP}.
   */
  private Answered answer(Call call) throws Exception {
    if (call.method().equals("GET") && call.bytes().length == 0) {
      List<String> headers = new ArrayList<>();
      call.headers().forEach((name, value) -> headers.add(name + ": " + value));
      RawHttp.Answer a = RawHttp.send(port, "GET", call.path(), headers.toArray(String[]::new));
      return new Answered(a.status(), a.body());
    }
    HttpResponse<String> r = send(call);
    return new Answered(r.statusCode(), r.body());
  }

  private HttpResponse<String> send(Call call) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + call.path()))
            .timeout(Duration.ofSeconds(30))
            .method(call.method(), HttpRequest.BodyPublishers.ofByteArray(call.bytes()));
    call.headers().forEach(b::header);
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /**
   * A pod with a well-formed request is still filtered and prioritized on both nodes and bound to
   * one, taking VFs no other pod holds.
   */
  private void assertStillServes(String name) {
    Pod pod = create(pod(name, REQUEST));
    ExtenderHttp http = http();
    JsonNode filtered = http.filter(pod, List.of(NODE, OTHER));
    assertThat(ExtenderHttp.names(filtered.get("nodenames"))).containsExactly(NODE, OTHER);
    JsonNode scores = http.prioritize(pod, List.of(NODE, OTHER));
    assertThat(scores).hasSize(2).allSatisfy(s -> assertThat(s.get("score").asInt()).isPositive());
    Commitments before = ledger.commitmentsOn(NODE, null);
    JsonNode bound = http.bind(pod, NODE);
    assertThat(bound.has("error")).as(bound.toString()).isFalse();
    Assignment a = ledger.assignmentOf(pod.getMetadata().getUid()).orElseThrow();
    assertThat(a.interfaces())
        .singleElement()
        .satisfies(i -> assertThat(before.isTaken(i.vf())).as("%s taken before", i.vf()).isFalse());
  }

  // --- helpers ----------------------------------------------------------------------------------

  private ExtenderHttp http() {
    return new ExtenderHttp(port);
  }

  private static Pod pod(String name, String interfaces) {
    return TestPods.pod(
            NAMESPACE, name, UUID.nameUUIDFromBytes(name.getBytes()).toString(), "Pending")
        .editMetadata()
        .addToAnnotations(Annotations.INTERFACES, interfaces)
        .endMetadata()
        .build();
  }

  private static Pod create(Pod pod) {
    return client.pods().inNamespace(NAMESPACE).resource(pod).create();
  }

  private static Map<String, String> json() {
    return type("application/json");
  }

  private static Map<String, String> type(String contentType) {
    return contentType.isEmpty() ? Map.of() : Map.of("Content-Type", contentType);
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] gzip(String text) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(utf8(text));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static String fixture(String name) {
    try (InputStream in =
        MalformedRequestsFuzzTest.class.getResourceAsStream("/extender/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
