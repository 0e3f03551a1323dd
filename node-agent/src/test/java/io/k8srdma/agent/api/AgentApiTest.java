package io.k8srdma.agent.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.k8srdma.agent.inventory.InventoryService;
import io.k8srdma.model.testing.RawHttp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The agent's HTTP API on a real server on a random port, over a fake host. */
@AutoConfigureObservability
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class AgentApiTest {

  private static final Path ROOT = FakeHostAgent.demoRoot("agent-api-it");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

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

  @Test
  void servesTheInventoryWithAnEtag() throws Exception {
    HttpResponse<String> r = get("/vfs");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.get("node").asText()).isEqualTo("worker-7");
    assertThat(body.get("generation").asLong()).isPositive();
    assertThat(body.get("scannedAt").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
    assertThat(body.get("pfs")).hasSize(3);
    JsonNode pf = body.get("pfs").get(0);
    assertThat(pf.get("name").asText()).isEqualTo("ibp26s0");
    assertThat(pf.get("capacityMbps").asLong()).isEqualTo(400000);
    assertThat(pf.get("vfs")).hasSize(8);
    assertThat(pf.get("vfs").get(0).get("state").asText()).isEqualTo("IN_USE");
    assertThat(pf.get("vfs").get(0).has("mac")).as("null fields are written").isTrue();
    assertThat(r.headers().firstValue("ETag"))
        .hasValue("W/\"" + body.get("generation").asLong() + "\"");
  }

  @Test
  void ifNoneMatchAnswers304UntilTheInventoryChanges() throws Exception {
    String etag = get("/vfs").headers().firstValue("ETag").orElseThrow();
    HttpResponse<String> same = get("/vfs", "If-None-Match", etag);
    assertThat(same.statusCode()).isEqualTo(304);
    assertThat(same.body()).isEmpty();

    assertThat(post("/rescan").body()).contains("\"changed\":false");
    assertThat(get("/vfs", "If-None-Match", etag).statusCode()).isEqualTo(304);

    Files.delete(ROOT.resolve("var/lib/cni/sriov/pci/0000:3c:00.1"));
    try {
      HttpResponse<String> rescan = post("/rescan");
      assertThat(rescan.statusCode()).isEqualTo(200);
      assertThat(rescan.body()).contains("\"changed\":true");
      HttpResponse<String> changed = get("/vfs", "If-None-Match", etag);
      assertThat(changed.statusCode()).isEqualTo(200);
      assertThat(changed.headers().firstValue("ETag")).isPresent().get().isNotEqualTo(etag);
    } finally {
      Files.writeString(
          ROOT.resolve("var/lib/cni/sriov/pci/0000:3c:00.1"), "/var/run/netns/cni-0000-3c-00.1");
    }
  }

  @Test
  void ifNoneMatchStarAnswers304AsRfc9110Says() throws Exception {
    String etag = get("/vfs").headers().firstValue("ETag").orElseThrow();
    for (String value : List.of("*", " * ", "\"x\", *")) {
      HttpResponse<String> any = get("/vfs", "If-None-Match", value);
      assertThat(any.statusCode()).as(value).isEqualTo(304);
      assertThat(any.body()).isEmpty();
      assertThat(any.headers().firstValue("ETag")).contains(etag);
    }
    assertThat(get("/vfs?pf=enp28s0f0np0", "If-None-Match", "*").statusCode()).isEqualTo(304);
    assertThat(get("/vfs", "If-None-Match", "\"*x\"").statusCode()).isEqualTo(200);
  }

  @Test
  void filtersByPfNameOrPciAddress() throws Exception {
    JsonNode byName = JSON.readTree(get("/vfs?pf=enp28s0f0np0").body());
    assertThat(byName.get("pfs")).hasSize(1);
    assertThat(byName.get("pfs").get(0).get("linkLayer").asText()).isEqualTo("Ethernet");
    JsonNode byPci = JSON.readTree(get("/vfs?pf=0000:3c:00.0").body());
    assertThat(byPci.get("pfs").get(0).get("name").asText()).isEqualTo("ibp60s0");
  }

  @Test
  void rescanAnswersWithTheFieldsOfTheApi() throws Exception {
    HttpResponse<String> r = post("/rescan");

    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.fieldNames())
        .toIterable()
        .containsExactly("ok", "changed", "generation", "error");
    assertThat(body.get("ok").asBoolean()).isTrue();
    assertThat(body.get("error").isNull()).isTrue();
    assertThat(body.get("generation").asLong())
        .isEqualTo(JSON.readTree(get("/vfs").body()).get("generation").asLong());
  }

  @Test
  void unknownPfIsA404JsonErrorNamingIt() throws Exception {
    HttpResponse<String> r = get("/vfs?pf=ib9");
    assertThat(r.statusCode()).isEqualTo(404);
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.get("status").asInt()).isEqualTo(404);
    assertThat(body.get("message").asText())
        .contains("no PF 'ib9' on node worker-7")
        .contains("ibp26s0");
    assertThat(get("/vfs").statusCode()).as("still serving").isEqualTo(200);
  }

  @Test
  void servesTheRitFormat() throws Exception {
    HttpResponse<String> r = get("/getpfs");
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode pfs = JSON.readTree(r.body());
    assertThat(pfs).hasSize(3);
    JsonNode ib = pfs.get(0);
    assertThat(ib.get("name").asText()).isEqualTo("ibp26s0");
    assertThat(ib.get("capacity_tx_rate").asLong()).isEqualTo(400000);
    assertThat(ib.get("capacity_vfs").asInt()).isEqualTo(8);
    assertThat(ib.get("used_vfs").asInt()).isEqualTo(2);
    assertThat(ib.get("used_tx_rate").asLong()).isZero();
    JsonNode vf = ib.get("vfs").get(0);
    assertThat(vf.get("vf").asInt()).isZero();
    assertThat(vf.get("allocated").asBoolean()).isTrue();
    assertThat(vf.has("min_tx_rate")).isTrue();
    assertThat(vf.has("max_tx_rate")).isTrue();
    assertThat(ib.get("vfs").get(2).get("allocated").asBoolean()).isFalse();
  }

  @Test
  void healthProbesAndPrometheusMetrics() throws Exception {
    assertThat(get("/actuator/health/liveness").statusCode()).isEqualTo(200);
    HttpResponse<String> ready = get("/actuator/health/readiness");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.body()).contains("\"inventory\"");
    String metrics = get("/actuator/prometheus").body();
    assertThat(metrics).contains("k8s_rdma_agent_pfs 3.0");
    assertThat(metrics).contains("k8s_rdma_agent_vfs{state=\"IN_USE\"} 3.0");
    assertThat(metrics).contains("k8s_rdma_agent_vfs{state=\"FREE\"} 17.0");
    assertThat(metrics).contains("k8s_rdma_agent_scan_seconds_count");
  }

  @Test
  void aMultipartContentTypeIsServedLikeAnyOther() throws Exception {
    // Multipart parsing failed in the DispatcherServlet before the controller: a 500 (found by
    // OddRequestsFuzzTest).
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(uri("/rescan"))
                .header("Content-Type", "multipart/form-data")
                .POST(HttpRequest.BodyPublishers.ofString("x"))
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(JSON.readTree(r.body()).get("ok").asBoolean()).isTrue();
  }

  @Test
  void aQueryStringTheServerCannotDecodeIsA400NamingThePart() throws Exception {
    // Tomcat dropped the parameter and served the request without it: every PF for ?pf=%ZZ.
    Map<String, String> parts = new LinkedHashMap<>();
    parts.put("/vfs?pf=%ZZ", "'pf=%ZZ' is not valid percent-encoding (%XX, X a hex digit)");
    parts.put("/vfs?pf=ibp26s0&=x", "'=x' has no parameter name");
    parts.put("/getpfs?%", "'%' is not valid percent-encoding (%XX, X a hex digit)");
    for (Map.Entry<String, String> part : parts.entrySet()) {
      String target = part.getKey();

      RawHttp.Answer r = RawHttp.send(port, "GET", target);

      assertThat(r.status()).as(target + ": " + r.body()).isEqualTo(400);
      JsonNode error = JSON.readTree(r.body());
      assertThat(error.get("status").asInt()).isEqualTo(400);
      assertThat(error.get("error").asText()).isEqualTo("Bad Request");
      assertThat(error.get("message").asText())
          .isEqualTo("malformed query string: " + part.getValue());
      assertThat(error.get("path").asText()).isEqualTo(target.substring(0, target.indexOf('?')));
    }
  }

  @Test
  void aRequestTomcatRefusesByItselfIsA400WithAJsonError() throws Exception {
    // Tomcat answers these before any servlet, and answered them with its HTML page.
    Map<String, RawHttp.Answer> refused = new LinkedHashMap<>();
    refused.put(
        "Invalid character found in the request target", RawHttp.send(port, "GET", "/vfs?pf={a}"));
    refused.put(
        "Request header is too large",
        RawHttp.send(port, "GET", "/vfs", "If-None-Match: " + "x".repeat(9000)));

    for (Map.Entry<String, RawHttp.Answer> r : refused.entrySet()) {
      assertThat(r.getValue().status()).as(r.getValue().body()).isEqualTo(400);
      assertThat(r.getValue().head()).containsIgnoringCase("Content-Type: application/json");
      JsonNode error = JSON.readTree(r.getValue().body());
      assertThat(error.get("status").asInt()).isEqualTo(400);
      assertThat(error.get("error").asText()).isEqualTo("Bad Request");
      assertThat(error.get("message").asText()).startsWith(r.getKey());
    }
  }

  private HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }
}
