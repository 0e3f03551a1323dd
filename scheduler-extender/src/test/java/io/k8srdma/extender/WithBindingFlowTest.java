package io.k8srdma.extender;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.k8srdma.extender.ledger.Ledger;
import io.k8srdma.extender.ledger.PodLedgerSync;
import io.k8srdma.model.Annotations;
import io.k8srdma.model.assignment.AssignmentCodec;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The extender end to end with {@code bind.write-assignment=with-binding}, against a mock API
 * server whose binding subresource behaves as the API server's ({@link BindingApiServer}): the
 * assignment reaches the pod with its node in one write, the loser of a race for the last VF gets a
 * reason and nothing, and a restarted extender rebuilds its ledger from what the Binding wrote.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
// Closed after the class: its agents and API server stop in @AfterAll, and a cached context would
// keep polling their ports, which a later class's servers may be given.
@DirtiesContext
class WithBindingFlowTest {

  private static final BindingApiServer.Started API = BindingApiServer.start();
  private static final KubernetesMockServer server = API.server();
  private static final KubernetesClient client = server.createClient();
  private static final WireMockServer agent = TestAgents.start();

  @LocalServerPort int port;
  @Autowired Ledger ledger;
  @Autowired PodLedgerSync sync;

  @DynamicPropertySource
  static void props(DynamicPropertyRegistry r) {
    TestAgents.serve(agent, TestInventories.ibNode("node-a", 0x1a, 1, 400_000));
    r.add("k8s-rdma.extender.kubernetes.master-url", () -> server.url("/"));
    r.add("k8s-rdma.extender.static-agents.node-a", agent::baseUrl);
    r.add("k8s-rdma.extender.poll.interval", () -> "200ms");
    r.add("k8s-rdma.extender.bind.write-assignment", () -> "with-binding");
  }

  @AfterAll
  static void stop() {
    agent.stop();
    client.close();
    server.destroy();
  }

  @Test
  void theLastVfGoesToOnePodInOneWriteAndARestartFindsIt() throws Exception {
    ExtenderHttp http = new ExtenderHttp(port);
    http.awaitReady();
    Pod first = create("race-1");
    Pod second = create("race-2");
    for (Pod p : List.of(first, second)) {
      assertThat(ExtenderHttp.names(http.filter(p, List.of("node-a")).get("nodenames")))
          .containsExactly("node-a");
    }
    // Bind reads a pod from the informer's cache when it has it, and from the API otherwise: the
    // count below is of the writes alone once the informer has seen both pods.
    Await.until(
        "the pod informer has seen both pods",
        Duration.ofSeconds(20),
        () -> sync.cached("ml", "race-1").isPresent() && sync.cached("ml", "race-2").isPresent());
    int before = server.getRequestCount();

    JsonNode bound = http.bind(first, "node-a");
    JsonNode lost = http.bind(second, "node-a");

    assertThat(bound.has("error")).as(bound.toString()).isFalse();
    assertThat(lost.get("error").asText())
        .contains("cannot bind pod ml/race-2 to node node-a")
        .containsIgnoringCase("free VF");
    assertThat(server.getRequestCount() - before)
        .as("one API call for the bind that won, none for the one that lost")
        .isEqualTo(1);
    Pod won = client.pods().inNamespace("ml").withName("race-1").get();
    assertThat(won.getSpec().getNodeName()).isEqualTo("node-a");
    assertThat(AssignmentCodec.read(won.getMetadata().getAnnotations()).orElseThrow().node())
        .isEqualTo("node-a");
    Pod other = client.pods().inNamespace("ml").withName("race-2").get();
    assertThat(other.getSpec().getNodeName()).isNull();
    assertThat(other.getMetadata().getAnnotations()).doesNotContainKey(Annotations.ASSIGNMENT);

    String uid = won.getMetadata().getUid();
    Ledger rebuilt = new Ledger(Clock.systemUTC(), Duration.ofSeconds(30));
    try (PodLedgerSync rebuiltSync = new PodLedgerSync(client, rebuilt)) {
      Await.until(
          "the first pod in a rebuilt ledger",
          Duration.ofSeconds(10),
          () -> rebuilt.assignmentOf(uid).isPresent());
      assertThat(rebuilt.assignmentOf(uid)).isEqualTo(ledger.assignmentOf(uid));
    }
  }

  private static Pod create(String name) {
    Pod pod =
        TestPods.pod("ml", name, "uid-" + name, "Pending")
            .editMetadata()
            .addToAnnotations(Annotations.INTERFACES, "[{\"minTxRateMbps\": 10000}]")
            .endMetadata()
            .build();
    return client.pods().inNamespace("ml").resource(pod).create();
  }
}
