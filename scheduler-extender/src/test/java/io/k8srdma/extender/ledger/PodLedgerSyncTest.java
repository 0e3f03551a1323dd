package io.k8srdma.extender.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.k8srdma.extender.Await;
import io.k8srdma.extender.TestPods;
import io.k8srdma.model.Annotations;
import io.k8srdma.model.assignment.AssignedInterface;
import io.k8srdma.model.assignment.Assignment;
import io.k8srdma.model.assignment.AssignmentCodec;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The pod informer feeding the ledger, against fabric8's mock API server in CRUD mode. */
@EnableKubernetesMockClient(crud = true)
class PodLedgerSyncTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final String NS = "team-a";

  static KubernetesClient client;

  private final Ledger ledger = new Ledger(Clock.systemUTC(), Duration.ofMinutes(5));
  private PodLedgerSync sync;

  @AfterEach
  void closeSyncAndDeletePods() {
    if (sync != null) {
      sync.close();
    }
    // The mock server (and its CRUD state) is shared by the tests of this class.
    client.pods().inNamespace(NS).delete();
  }

  @Test
  void initialListFillsTheLedgerWithLiveAssignedPodsOnly() {
    Assignment a = assignment("worker-1", "0000:1a:00.2");
    String bound = create(pod("bound", "Running", AssignmentCodec.encode(a)));
    String plain = create(pod("plain", "Running", null));
    String garbled = create(pod("garbled", "Running", "{\"node\": \"worker-1\", \"interf"));
    String done = create(pod("done", "Succeeded", annotation("worker-1", "0000:1a:00.3")));

    startSync();

    assertThat(ledger.assignmentOf(bound)).contains(a);
    assertThat(ledger.assignmentOf(plain)).isEmpty();
    // Unreadable annotations are logged and ignored, not fatal to the informer.
    assertThat(ledger.assignmentOf(garbled)).isEmpty();
    assertThat(ledger.assignmentOf(done)).isEmpty();
    assertThat(ledger.size()).isEqualTo(1);
  }

  @Test
  void watchedChangesFreeOrTakeVfs() {
    String deleted = create(pod("deleted", "Running", annotation("worker-1", "0000:1a:00.2")));
    String failing = create(pod("failing", "Running", annotation("worker-1", "0000:1a:00.3")));
    startSync();
    assertThat(ledger.size()).isEqualTo(2);

    String added = create(pod("added", "Pending", annotation("worker-2", "0000:3b:00.2")));
    Await.until("added pod in the ledger", WAIT, () -> ledger.assignmentOf(added).isPresent());

    client.pods().inNamespace(NS).withName("deleted").delete();
    Await.until("deleted pod freed", WAIT, () -> ledger.assignmentOf(deleted).isEmpty());

    client
        .pods()
        .inNamespace(NS)
        .withName("failing")
        .editStatus(p -> new PodBuilder(p).editStatus().withPhase("Failed").endStatus().build());
    Await.until("failed pod freed", WAIT, () -> ledger.assignmentOf(failing).isEmpty());

    assertThat(ledger.sizeOn("worker-1")).isZero();
    assertThat(ledger.sizeOn("worker-2")).isEqualTo(1);
  }

  @Test
  void removingTheAnnotationDropsTheBoundEntry() {
    String pod = create(pod("p", "Running", annotation("worker-1", "0000:1a:00.2")));
    startSync();
    assertThat(ledger.assignmentOf(pod)).isPresent();

    client
        .pods()
        .inNamespace(NS)
        .withName("p")
        .edit(
            p ->
                new PodBuilder(p)
                    .editMetadata()
                    .removeFromAnnotations(Annotations.ASSIGNMENT)
                    .endMetadata()
                    .build());

    Await.until("unannotated pod dropped", WAIT, () -> ledger.assignmentOf(pod).isEmpty());
  }

  // --- helpers ---------------------------------------------------------------------------------

  private void startSync() {
    sync = new PodLedgerSync(client, ledger);
    Await.until("pod informer synced", WAIT, sync::synced);
  }

  /**
   * Creates the pod, then sets its status (the API ignores status on create), and returns the UID.
   */
  private static String create(Pod pod) {
    Pod created = client.pods().inNamespace(NS).resource(pod).create();
    created.setStatus(pod.getStatus());
    client.pods().inNamespace(NS).resource(created).updateStatus();
    return created.getMetadata().getUid();
  }

  private static Pod pod(String name, String phase, String assignmentAnnotation) {
    Map<String, String> annotations = new HashMap<>();
    if (assignmentAnnotation != null) {
      annotations.put(Annotations.ASSIGNMENT, assignmentAnnotation);
    }
    return TestPods.pod(NS, name, "uid-" + name, phase)
        .editMetadata()
        .withAnnotations(annotations)
        .endMetadata()
        .build();
  }

  private static String annotation(String node, String vf) {
    return AssignmentCodec.encode(assignment(node, vf));
  }

  private static Assignment assignment(String node, String vf) {
    String pf = vf.substring(0, vf.lastIndexOf(':') + 1) + "00.0";
    return new Assignment(node, List.of(new AssignedInterface("net1", pf, vf, 1000, 0)));
  }
}
