package io.k8srdma.extender.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.k8srdma.extender.Await;
import io.k8srdma.extender.MutableClock;
import io.k8srdma.extender.TestPods;
import io.k8srdma.model.Annotations;
import io.k8srdma.model.assignment.AssignedInterface;
import io.k8srdma.model.assignment.Assignment;
import io.k8srdma.model.assignment.AssignmentCodec;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The pod informer feeding the ledger, against fabric8's mock API server in CRUD mode. */
@EnableKubernetesMockClient(crud = true)
class PodLedgerSyncTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final String NS = "team-a";

  static KubernetesClient client;
  static KubernetesMockServer server;

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
    // Unreadable annotations are logged, not fatal to the informer; with no earlier entry, the
    // ledger has nothing to hold for the pod.
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

  @Test
  void listsAndWatchesOnlyPodsThatHaveNotTerminated() throws InterruptedException {
    drainRecordedRequests();
    startSync();
    // Synced means listed; the watch request follows the list.
    Await.until("pod informer watching", WAIT, sync::watching);

    List<String> podQueries = new ArrayList<>();
    for (RecordedRequest r = next(); r != null; r = next()) {
      if (r.getPath().startsWith("/api/v1/pods?")) {
        podQueries.add(URLDecoder.decode(r.getPath(), StandardCharsets.UTF_8));
      }
    }
    // The list and the watch that follows it, both with kube-scheduler's own pod selector.
    assertThat(podQueries)
        .hasSizeGreaterThanOrEqualTo(2)
        .allSatisfy(
            q ->
                assertThat(q)
                    .contains("fieldSelector=status.phase!=Succeeded,status.phase!=Failed"))
        .anySatisfy(q -> assertThat(q).contains("watch=true"));
  }

  @Test
  void keepsOnlyEachPodsEssentials() {
    String listed =
        create(withManagedFields(pod("listed", "Running", annotation("worker-1", "0000:1a:00.2"))));
    startSync();
    String watched =
        create(
            withManagedFields(pod("watched", "Pending", annotation("worker-2", "0000:3b:00.2"))));
    Await.until("watched pod in the ledger", WAIT, () -> ledger.assignmentOf(watched).isPresent());

    assertThat(
            client.pods().inNamespace(NS).withName("listed").get().getMetadata().getManagedFields())
        .as("the API server's copy keeps them")
        .isNotEmpty();
    for (String name : List.of("listed", "watched")) {
      Pod cached = sync.cached(NS, name).orElseThrow();
      assertThat(cached.getMetadata().getManagedFields()).as(name).isNullOrEmpty();
      assertThat(cached.getSpec().getContainers())
          .singleElement()
          .satisfies(
              c -> {
                assertThat(c.getName()).isEqualTo("main");
                assertThat(c.getImage()).as("not an essential").isNull();
              });
      assertThat(cached.getMetadata().getAnnotations()).containsKey(Annotations.ASSIGNMENT);
    }
    assertThat(ledger.assignmentOf(listed)).isPresent();
  }

  @Test
  void letsInFlightDecisionsExpireWhileTheInformerWatches() {
    MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    Ledger timed = new Ledger(clock, Duration.ofSeconds(30));
    sync = new PodLedgerSync(client, timed);
    Await.until("pod informer watching", WAIT, () -> sync.synced() && sync.watching());
    Assignment decided = assignment("worker-1", "0000:1a:00.5");
    timed.reserve(
        new Ledger.PodName(NS, "x"),
        "uid-x",
        "worker-1",
        c -> new Ledger.Decision<>(Optional.of(decided), null));
    timed.written("uid-x", decided);

    // Two poll rounds, 20 s and 26 s after bind; pod x is not in the API.
    for (int round = 0; round < 2; round++) {
      clock.advance(Duration.ofSeconds(round == 0 ? 20 : 6));
      sync.holdDecisionsWhileNotWatching();
      sync.confirmLapsingDecisions(Duration.ofSeconds(6));
    }
    clock.advance(Duration.ofSeconds(14));

    assertThat(timed.assignmentOf("uid-x")).as("never confirmed, so it lapsed").isEmpty();
    assertThat(timed.purgeExpired()).isEqualTo(1);
  }

  @Test
  void aListedPodDeletedBeforeTheListIsAppliedHoldsNothing() {
    // The informer's list, applied at readiness, may hold a pod whose delete was handled already.
    Ledger own = new Ledger(Clock.systemUTC(), Duration.ofMinutes(5));
    PodLedgerSync handler = new PodLedgerSync(null, own);
    Pod gone = pod("gone", "Running", annotation("worker-1", "0000:1a:00.2"));
    Pod kept = pod("kept", "Running", annotation("worker-1", "0000:1a:00.3"));
    handler.onAdd(gone);
    handler.onDelete(gone, false);

    handler.applyListed(List.of(gone, kept), key -> key.equals(NS + "/kept") ? kept : null);

    assertThat(own.assignmentOf("uid-gone")).isEmpty();
    assertThat(own.assignmentOf("uid-kept")).isPresent();
  }

  @Test
  void anUpdateToAnotherUidReleasesTheOldOne() {
    // A relist turns a StatefulSet pod deleted and re-created meanwhile into one update.
    Ledger own = new Ledger(Clock.systemUTC(), Duration.ofMinutes(5));
    PodLedgerSync handler = new PodLedgerSync(null, own);
    Pod before = pod("w-0", "Running", annotation("worker-1", "0000:1a:00.2"));
    handler.onAdd(before);
    assertThat(own.assignmentOf("uid-w-0")).isPresent();
    Pod recreated =
        new PodBuilder(pod("w-0", "Pending", null))
            .editMetadata()
            .withUid("uid-w-0-new")
            .endMetadata()
            .build();

    handler.onUpdate(before, recreated);

    assertThat(own.assignmentOf("uid-w-0")).as("the old pod's VFs are free").isEmpty();
    assertThat(own.size()).isZero();
  }

  @Test
  void anAssignmentThatTurnsUnreadableKeepsThePodsVfs() {
    // Hand-edited, or written by another version: the pod still holds its VFs.
    Ledger own = new Ledger(Clock.systemUTC(), Duration.ofMinutes(5));
    Assignment a = assignment("worker-1", "0000:1a:00.2");
    PodLedgerSync.apply(own, pod("p", "Running", AssignmentCodec.encode(a)));
    String withoutCeiling =
        "{\"node\":\"worker-1\",\"interfaces\":[{\"name\":\"net1\",\"pf\":\"0000:1a:00.0\","
            + "\"vf\":\"0000:1a:00.2\",\"minTxRateMbps\":1000}]}";

    PodLedgerSync.apply(own, pod("p", "Running", withoutCeiling));

    assertThat(own.assignmentOf("uid-p")).contains(a);
    assertThat(own.commitmentsOn("worker-1", null).isTaken("0000:1a:00.2")).isTrue();
    // It ends as any pod does: terminated or deleted.
    PodLedgerSync.apply(own, pod("p", "Succeeded", withoutCeiling));
    assertThat(own.size()).isZero();
  }

  // --- helpers ---------------------------------------------------------------------------------

  private void startSync() {
    sync = new PodLedgerSync(client, ledger);
    Await.until("pod informer synced", WAIT, sync::synced);
  }

  private static Pod withManagedFields(Pod pod) {
    return new PodBuilder(pod)
        .editMetadata()
        .withManagedFields(
            new ManagedFieldsEntryBuilder()
                .withManager("kube-controller-manager")
                .withOperation("Update")
                .withApiVersion("v1")
                .withFieldsType("FieldsV1")
                .build())
        .endMetadata()
        .build();
  }

  /** Forgets the requests earlier tests made of the shared mock server. */
  private static void drainRecordedRequests() throws InterruptedException {
    for (int i = server.getRequestCount(); i > 0 && next() != null; i--) {
      // bounded by the count recorded so far
    }
  }

  private static RecordedRequest next() throws InterruptedException {
    return server.takeRequest(100, TimeUnit.MILLISECONDS);
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
