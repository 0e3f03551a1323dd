package io.k8srdma.extender;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.k8srdma.model.json.Json;
import java.net.InetAddress;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The API server is down while the extender starts: the extender starts anyway, serves, says why it
 * is not ready, and becomes ready once the API answers, without a restart.
 */
@AutoConfigureObservability
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
// Closed after the class: its agents and API server stop in @AfterAll, and a cached context would
// keep polling their ports, which a later class's servers may be given.
@DirtiesContext
class ApiOutageAtStartTest {

  private static final int API_PORT = LateApiServer.freePort();
  private static final WireMockServer agent = TestAgents.start();
  private static final KubernetesMockServer api = LateApiServer.crud();

  @LocalServerPort int port;

  @DynamicPropertySource
  static void props(DynamicPropertyRegistry r) {
    TestAgents.serve(agent, TestInventories.ibNode("node-a", 0x1a, 2, 400_000));
    r.add("k8s-rdma.extender.kubernetes.master-url", () -> "http://127.0.0.1:" + API_PORT);
    r.add("k8s-rdma.extender.agent-port", agent::port);
    r.add("k8s-rdma.extender.poll.interval", () -> "200ms");
  }

  @AfterAll
  static void stop() {
    agent.stop();
    api.destroy();
  }

  @Test
  void servesWhileTheApiIsDownAndBecomesReadyWhenItAnswers() throws Exception {
    ExtenderHttp http = new ExtenderHttp(port);

    HttpResponse<String> notReady = http.getRaw("/actuator/health/readiness");
    assertThat(notReady.statusCode()).isEqualTo(503);
    assertThat(Json.mapper().readTree(notReady.body()).findValue("reason").asText())
        .isEqualTo("node informer not synced yet");
    JsonNode filtered = http.filter(TestPods.pendingRdmaPod("ml", "trainer"), List.of("node-a"));
    // No inventory for the node yet: unresolvable, with the reason, until its agent is polled.
    assertThat(filtered.get("failedAndUnresolvableNodes").get("node-a").asText())
        .as(filtered.toString())
        .isNotBlank();

    api.init(InetAddress.getLoopbackAddress(), API_PORT);
    try (KubernetesClient client = api.createClient()) {
      client.nodes().resource(TestNodes.onLoopback("node-a").build()).create();
    }

    // fabric8 retries after 1, 2, 4, ... s; the API came up within the first few seconds.
    Await.until(
        "ready once the API answers",
        Duration.ofSeconds(40),
        () -> http.getRaw("/actuator/health/readiness").statusCode() == 200);
    // The informer may list the nodes before node-a is created; then the extender turns ready
    // without it and polls node-a in a later round (every 200 ms here), as for any node that joins.
    Await.until(
        "node-a polled and passing filter",
        Duration.ofSeconds(10),
        () ->
            ExtenderHttp.names(
                    http.filter(TestPods.pendingRdmaPod("ml", "trainer"), List.of("node-a"))
                        .get("nodenames"))
                .equals(List.of("node-a")));
    assertThat(http.getRaw("/actuator/prometheus").body())
        .contains("k8s_rdma_extender_informer_watching{informer=\"nodes\"}")
        .contains("k8s_rdma_extender_informer_watching{informer=\"pods\"}");
  }
}
