package io.k8srdma.agent.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.k8srdma.agent.inventory.InventoryService;
import io.k8srdma.model.testing.Fuzz;
import io.k8srdma.model.testing.RawHttp;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Seeded odd requests to the agent's API over real HTTP (a fake host, a random port): {@code ?pf=}
 * values, {@code If-None-Match} and {@code Accept} headers, bodies and content types on {@code POST
 * /rescan}, parameters on {@code GET /getpfs}, other methods. Whatever arrives, the answer is never
 * a 5xx: 200 or 304 of the documented shape, or an error (400, 404 for an unknown PF, 405, 406,
 * 415) whose JSON body has an {@code error}, and the agent keeps serving. The defects they found
 * have their own tests in {@link AgentApiTest}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class OddRequestsFuzzTest {

  private static final Path ROOT = FakeHostAgent.demoRoot("agent-odd-requests");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  /** The statuses an odd request may get besides 200 and 304. */
  private static final Set<Integer> ERRORS = Set.of(400, 404, 405, 406, 415);

  private static final List<String> PF_VALUES =
      List.of(
          "ibp26s0",
          "0000:1a:00.0",
          "0000:1A:00.0",
          "IBP26S0",
          "",
          " ",
          "%00",
          "..",
          "../vfs",
          "a/b",
          "ibp26s0,enp28s0f0np0",
          "x".repeat(2000),
          "ınfınıband",
          "%F0%9F%9A%80",
          "%C3%28",
          "0000:1a:00.0%0A",
          "%ZZ",
          "%",
          "%u0041",
          "%{a}",
          "%|",
          "*");

  private static final List<String> IF_NONE_MATCH =
      List.of(
          "*",
          "\"",
          "W/",
          "W/\"",
          "W/\"\"",
          ",",
          ", ,",
          "\"x\", W/\"1\"",
          "W/\"-1\"",
          "W/\"99999999999999999999999999\"",
          "\"" + "9".repeat(4000) + "\"",
          "\"" + "9".repeat(9000) + "\"",
          "W/\"1795689739388\"",
          "garbage",
          "W/garbage\"",
          "**",
          "\"*\"");

  private static final List<String> ACCEPT =
      List.of(
          "application/json",
          "*/*",
          "text/html",
          "application/xml",
          "text/plain",
          "application/*",
          "garbage",
          "application/json;q=0",
          "application/json;q=x",
          ";;");

  private static final List<String> CONTENT_TYPES =
      List.of(
          "application/json",
          "multipart/form-data",
          "multipart/form-data; boundary=x",
          "application/x-www-form-urlencoded",
          "text/plain",
          "*/*",
          "application/json;charset=bogus",
          "application/");

  @LocalServerPort int port;
  @Autowired InventoryService inventory;

  @DynamicPropertySource
  static void props(DynamicPropertyRegistry registry) {
    FakeHostAgent.register(registry, ROOT, "1h");
  }

  @BeforeEach
  void scanned() {
    inventory.rescan();
  }

  // --- seeded barrages
  // ----------------------------------------------------------------------------

  @Test
  void oddInventoryRequestsAreAnsweredOrRefusedWithAnError() {
    Fuzz.run(
        "GET /vfs",
        Fuzz.seed(8089),
        Fuzz.iterations(80),
        OddRequestsFuzzTest::inventoryRequest,
        this::check);
    assertStillServes();
  }

  @Test
  void oddRescansAreAnsweredOrRefusedWithAnError() {
    Fuzz.run(
        "POST /rescan",
        Fuzz.seed(1),
        Fuzz.iterations(60),
        random -> withBody(random, "POST", "/rescan"),
        this::check);
    assertStillServes();
  }

  @Test
  void oddRitRequestsAreAnsweredOrRefusedWithAnError() {
    Fuzz.run(
        "GET /getpfs",
        Fuzz.seed(54005),
        Fuzz.iterations(60),
        random -> {
          Call call = withBody(random, "GET", "/getpfs?" + query(random, "node", "pf", "x"));
          return random.nextBoolean() ? call : call.withoutBody();
        },
        this::check);
    assertStillServes();
  }

  @Test
  void otherMethodsAreRefusedWithAnError() {
    for (String path : List.of("/vfs", "/rescan", "/getpfs")) {
      for (String method : List.of("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD")) {
        Call call = new Call(method, path, Map.of(), new byte[0]);
        Fuzz.run(method + " " + path, 0, 1, random -> call, this::check);
      }
    }
    assertStillServes();
  }

  // --- inputs -----------------------------------------------------------------------------------

  /** One request; the path carries the query string. */
  record Call(String method, String path, Map<String, String> headers, byte[] bytes)
      implements Fuzz.Described {
    @Override
    public String description() {
      String p = path.length() <= 200 ? path : path.substring(0, 200) + "...";
      return method + " " + p + " " + headers;
    }

    Call withoutBody() {
      return new Call(method, path, headers, new byte[0]);
    }
  }

  private static Call inventoryRequest(Random random) {
    Map<String, String> headers = new LinkedHashMap<>();
    if (random.nextBoolean()) {
      headers.put("If-None-Match", pick(random, IF_NONE_MATCH));
    }
    if (random.nextInt(3) == 0) {
      headers.put("Accept", pick(random, ACCEPT));
    }
    if (random.nextInt(5) == 0) {
      headers.put("If-Modified-Since", random.nextBoolean() ? "yesterday" : "0");
    }
    return new Call("GET", "/vfs?" + query(random, "pf", "pf", "pF"), headers, new byte[0]);
  }

  /** A query of odd {@code ?pf=}-like parameters under the given names. */
  private static String query(Random random, String... names) {
    List<String> parts = new ArrayList<>();
    for (int i = random.nextInt(3); i >= 0; i--) {
      String value = pick(random, PF_VALUES);
      // Most values are sent encoded; a value that is an escape sequence already goes as it is.
      String sent =
          value.startsWith("%") ? value : URLEncoder.encode(value, StandardCharsets.UTF_8);
      parts.add(names[random.nextInt(names.length)] + (random.nextInt(6) == 0 ? "" : "=" + sent));
    }
    return String.join("&", parts);
  }

  private static Call withBody(Random random, String method, String path) {
    Map<String, String> headers = new LinkedHashMap<>();
    if (random.nextInt(4) != 0) {
      headers.put("Content-Type", pick(random, CONTENT_TYPES));
    }
    if (random.nextInt(4) == 0) {
      headers.put("Accept", pick(random, ACCEPT));
    }
    byte[] body = new byte[random.nextInt(3) == 0 ? 0 : random.nextInt(2000)];
    random.nextBytes(body);
    if (random.nextBoolean()) {
      body = "{\"pf\": \"ibp26s0\", \"force\": true}".getBytes(StandardCharsets.UTF_8);
    }
    return new Call(method, path, headers, body);
  }

  private static String pick(Random random, List<String> from) {
    return from.get(random.nextInt(from.size()));
  }

  // --- the check --------------------------------------------------------------------------------

  private void check(Call call) throws Exception {
    Answered r = answer(call);
    int status = r.status();
    assertThat(status).as("status, body %s", r.body()).isLessThan(500);
    if (status == 200 || status == 304) {
      if (status == 200 && !call.method().equals("HEAD") && !call.method().equals("OPTIONS")) {
        assertThat(JSON.readTree(r.body()).isContainerNode()).as(r.body()).isTrue();
      }
      return;
    }
    assertThat(status).as("status, body %s", r.body()).isIn(ERRORS);
    if (acceptsJson(call) && !call.method().equals("HEAD")) {
      JsonNode error = JSON.readTree(r.body());
      assertThat(error.path("error").asText()).as(r.body()).isNotBlank();
      assertThat(error.path("status").asInt()).as(r.body()).isEqualTo(status);
    }
  }

  /** Whether the caller can read a JSON error (a client asking only for XML gets no body). */
  private static boolean acceptsJson(Call call) {
    String accept = call.headers().get("Accept");
    return accept == null
        || accept.equals("application/json")
        || accept.equals("*/*")
        || accept.equals("application/*");
  }

  /** A status and a body, however the request went. */
  record Answered(int status, String body) {}

  /**
   * Sends {@code call} byte for byte ({@link RawHttp}): {@code java.net.http} refuses a query such
   * as {@code pf=%ZZ}.
   */
  private Answered answer(Call call) throws Exception {
    List<String> headers = new ArrayList<>();
    call.headers().forEach((name, value) -> headers.add(name + ": " + value));
    RawHttp.Answer a =
        RawHttp.send(
            port, call.method(), call.path(), call.bytes(), headers.toArray(String[]::new));
    return new Answered(a.status(), a.body());
  }

  private HttpResponse<String> send(Call call) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + call.path()))
            .timeout(Duration.ofSeconds(30))
            .method(
                call.method(),
                call.bytes().length == 0
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(call.bytes()));
    call.headers().forEach(b::header);
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The agent still answers a plain {@code GET /vfs}, its ETag, and a rescan. */
  private void assertStillServes() {
    try {
      HttpResponse<String> vfs = send(new Call("GET", "/vfs", Map.of(), new byte[0]));
      assertThat(vfs.statusCode()).isEqualTo(200);
      assertThat(JSON.readTree(vfs.body()).get("pfs")).hasSize(3);
      String etag = vfs.headers().firstValue("ETag").orElseThrow();
      assertThat(
              send(new Call("GET", "/vfs", Map.of("If-None-Match", etag), new byte[0]))
                  .statusCode())
          .isEqualTo(304);
      assertThat(send(new Call("POST", "/rescan", Map.of(), new byte[0])).statusCode())
          .isEqualTo(200);
    } catch (Exception e) {
      throw new AssertionError("the agent stopped serving", e);
    }
  }
}
