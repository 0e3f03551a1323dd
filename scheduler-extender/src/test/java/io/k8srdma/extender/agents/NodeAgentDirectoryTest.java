package io.k8srdma.extender.agents;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.k8srdma.extender.Await;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/** Agents found from Node objects, against fabric8's mock API server in CRUD mode. */
@EnableKubernetesMockClient(crud = true)
@ExtendWith(OutputCaptureExtension.class)
class NodeAgentDirectoryTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  static KubernetesClient client;
  static KubernetesMockServer server;

  @AfterEach
  void deleteNodes() {
    // The mock server (and its CRUD state) is shared by the tests of this class.
    client.nodes().delete();
  }

  @Test
  void agentsAreInternalIpsWithTheAgentPort() {
    create(
        node(
            "v4",
            address("Hostname", "v4.example"),
            address("ExternalIP", "203.0.113.7"),
            address("InternalIP", "10.0.0.7")));
    create(node("v6", address("InternalIP", "fd00::7")));
    create(node("no-addresses"));
    create(node("hostname-only", address("Hostname", "h.example")));

    try (NodeAgentDirectory directory = new NodeAgentDirectory(client, 9099)) {
      Await.until("both agents listed", WAIT, () -> directory.agents().size() == 2);

      assertThat(directory.agents())
          .isEqualTo(
              Map.of(
                  "v4", URI.create("http://10.0.0.7:9099"),
                  "v6", URI.create("http://[fd00::7]:9099")));
      // The bracketed form is what makes the port parse as a port.
      assertThat(directory.agents().get("v6").getPort()).isEqualTo(9099);
    }
  }

  @Test
  void followsNodesAddedAndDeleted() {
    create(node("first", address("InternalIP", "10.0.0.1")));
    try (NodeAgentDirectory directory = new NodeAgentDirectory(client, 8089)) {
      Await.until("first node listed", WAIT, () -> directory.agents().containsKey("first"));

      create(node("second", address("InternalIP", "10.0.0.2")));
      Await.until("second node listed", WAIT, () -> directory.agents().containsKey("second"));
      client.nodes().withName("first").delete();
      Await.until("first node gone", WAIT, () -> !directory.agents().containsKey("first"));

      assertThat(directory.agents()).containsOnlyKeys("second");
      assertThat(directory.agents().get("second")).isEqualTo(URI.create("http://10.0.0.2:8089"));
    }
  }

  @Test
  void aLabelSelectorKeepsNodesWithoutAnAgentOut() {
    Node gpu = node("gpu-1", address("InternalIP", "10.0.0.1"));
    gpu.getMetadata().setLabels(Map.of("k8s-rdma.io/agent", "true"));
    create(gpu);
    create(node("cpu-1", address("InternalIP", "10.0.0.2")));

    try (NodeAgentDirectory directory =
        new NodeAgentDirectory(client, 8089, "k8s-rdma.io/agent=true")) {
      Await.until("the labelled node listed", WAIT, () -> directory.agents().containsKey("gpu-1"));
      Node gpu2 = node("gpu-2", address("InternalIP", "10.0.0.3"));
      gpu2.getMetadata().setLabels(Map.of("k8s-rdma.io/agent", "true"));
      create(gpu2);
      Await.until("a labelled node added", WAIT, () -> directory.agents().containsKey("gpu-2"));

      assertThat(directory.agents()).containsOnlyKeys("gpu-1", "gpu-2");
    }
  }

  @Test
  void listsNodesInPages() throws InterruptedException {
    create(node("paged", address("InternalIP", "10.0.0.9")));
    for (int i = server.getRequestCount(); i > 0 && next() != null; i--) {
      // forget the requests made so far (bounded by their count)
    }

    try (NodeAgentDirectory directory = new NodeAgentDirectory(client, 8089)) {
      Await.until("node listed", WAIT, () -> directory.agents().containsKey("paged"));
    }

    RecordedRequest list = next();
    for (int i = 0; i < 10 && list != null && list.getPath().contains("watch=true"); i++) {
      list = next();
    }
    assertThat(list).isNotNull();
    assertThat(list.getPath()).startsWith("/api/v1/nodes?").contains("limit=500");
  }

  @Test
  void aNodeWhoseAddressMakesNoUrlCostsOnlyItsOwnAgent() {
    // The API does not check the form of a Node's addresses (a cloud controller writes them): one
    // that makes no URL must not stop the directory from naming every other node's agent (the
    // poller asks for them all at once), and the node's next InternalIP is its agent's.
    create(node("empty", address("InternalIP", "")));
    create(node("spaced", address("InternalIP", "10.0.0.8 "), address("InternalIP", "10.0.0.9")));
    create(node("good", address("InternalIP", "10.0.0.7")));

    try (NodeAgentDirectory directory = new NodeAgentDirectory(client, 8089)) {
      Await.until("nodes listed", WAIT, directory::synced);
      Await.until("good node listed", WAIT, () -> directory.agents().containsKey("good"));

      assertThat(directory.agents())
          .isEqualTo(
              Map.of(
                  "good", URI.create("http://10.0.0.7:8089"),
                  "spaced", URI.create("http://10.0.0.9:8089")));
    }
  }

  @Test
  void aNodeWithNoUsableAddressIsLoggedOnceNotEveryRound(CapturedOutput output) {
    create(node("empty", address("InternalIP", "")));
    create(node("good", address("InternalIP", "10.0.0.7")));

    try (NodeAgentDirectory directory = new NodeAgentDirectory(client, 8089)) {
      Await.until("nodes listed", WAIT, directory::synced);
      Await.until("good node listed", WAIT, () -> directory.agents().containsKey("good"));
      directory.agents();
      directory.agents();

      String warning =
          "node empty: no InternalIP makes an agent URL (['']); the node is not polled";
      assertThat(output.getOut().split("\n")).filteredOn(l -> l.contains(warning)).hasSize(1);
      assertThat(output.getOut()).doesNotContain("node good:");
    }
  }

  private static RecordedRequest next() throws InterruptedException {
    return server.takeRequest(100, TimeUnit.MILLISECONDS);
  }

  // --- helpers ---------------------------------------------------------------------------------

  /** Creates the node, then sets its status (the API ignores status on create). */
  private static void create(Node node) {
    Node created = client.nodes().resource(node).create();
    if (node.getStatus() != null) {
      created.setStatus(node.getStatus());
      client.nodes().resource(created).updateStatus();
    }
  }

  private static Node node(String name, NodeAddress... addresses) {
    NodeBuilder b = new NodeBuilder().withNewMetadata().withName(name).endMetadata();
    if (addresses.length > 0) {
      b.withNewStatus().withAddresses(List.of(addresses)).endStatus();
    }
    return b.build();
  }

  private static NodeAddress address(String type, String value) {
    return new NodeAddress(value, type);
  }
}
