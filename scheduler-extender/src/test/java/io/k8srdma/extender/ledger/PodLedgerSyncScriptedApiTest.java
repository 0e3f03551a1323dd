package io.k8srdma.extender.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodListBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.WatchEventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.k8srdma.extender.Await;
import io.k8srdma.extender.MutableClock;
import io.k8srdma.extender.TestPods;
import io.k8srdma.model.Annotations;
import io.k8srdma.model.assignment.AssignedInterface;
import io.k8srdma.model.assignment.Assignment;
import io.k8srdma.model.assignment.AssignmentCodec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The pod informer against an API server whose answers the test scripts: pages (the CRUD mock
 * ignores {@code limit}) and a watch that fails. A fresh server per test (instance fields), as
 * scripted answers outlive the test that scripts them.
 */
@EnableKubernetesMockClient
class PodLedgerSyncScriptedApiTest {

  /** The pod selector as fabric8 encodes it; it sorts the query parameters by name. */
  private static final String SELECTOR =
      "fieldSelector=status.phase%21%3DSucceeded%2Cstatus.phase%21%3DFailed";

  KubernetesClient client;
  KubernetesMockServer server;

  private final Ledger ledger = new Ledger(Clock.systemUTC(), Duration.ofMinutes(5));
  private PodLedgerSync sync;

  @AfterEach
  void closeSync() {
    if (sync != null) {
      sync.close();
    }
  }

  @Test
  void followsTheContinueTokenThroughEveryPage() {
    server
        .expect()
        .get()
        .withPath("/api/v1/pods?" + SELECTOR + "&limit=500")
        .andReturn(200, page("next-page", bound("a", "0000:1a:00.2"), bound("b", "0000:1a:00.3")))
        .once();
    server
        .expect()
        .get()
        .withPath("/api/v1/pods?continue=next-page&" + SELECTOR + "&limit=500")
        .andReturn(200, page(null, bound("c", "0000:1a:00.4")))
        .once();
    silentWatchFrom(7);

    sync = new PodLedgerSync(client, ledger);
    Await.until("pod informer synced", Duration.ofSeconds(20), sync::synced);

    assertThat(List.of("uid-a", "uid-b", "uid-c"))
        .allSatisfy(uid -> assertThat(ledger.assignmentOf(uid)).isPresent());
    assertThat(ledger.sizeOn("worker-1")).isEqualTo(3);
  }

  @Test
  void holdsInFlightDecisionsWhileTheWatchIsDown() {
    server
        .expect()
        .get()
        .withPath("/api/v1/pods?" + SELECTOR + "&limit=500")
        .andReturn(200, page(null, bound("a", "0000:1a:00.2")))
        .always();
    // No watch is scripted: every attempt to watch fails, and the informer keeps retrying.
    MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    Ledger ledger = new Ledger(clock, Duration.ofSeconds(30));
    sync = new PodLedgerSync(client, ledger);
    Await.until("pod informer synced", Duration.ofSeconds(20), sync::synced);
    assertThat(sync.watching()).isFalse();
    Assignment decided =
        new Assignment(
            "worker-1",
            List.of(new AssignedInterface("net1", "0000:1a:00.0", "0000:1a:00.5", 0, 0)));
    ledger.reserve(
        new Ledger.PodName("team-a", "new"),
        "uid-new",
        "worker-1",
        c -> new Ledger.Decision<>(Optional.of(decided), null));
    ledger.written("uid-new", decided);

    clock.advance(Duration.ofSeconds(20));
    sync.holdDecisionsWhileNotWatching();
    clock.advance(Duration.ofSeconds(20));

    assertThat(ledger.assignmentOf("uid-new"))
        .as("40 s after bind, but held 20 s ago while the watch was down")
        .contains(decided);
    assertThat(ledger.assignmentOf("uid-a")).isPresent();
  }

  @Test
  void holdsALapsingDecisionWhoseAssignmentTheApiShowsAlthoughTheInformerDoesNot() {
    // The watch is open but silent: an informer that lags behind the API.
    Ledger ledger = watchingLedger();
    Assignment decided = assignment("0000:1a:00.5");
    reserve(ledger, "lagging", decided);
    podInApi("lagging", "uid-lagging", "Pending", decided);

    pollRoundJustBeforeTheDecisionsLapse();
    ledger.purgeExpired();

    assertThat(ledger.assignmentOf("uid-lagging"))
        .as("36 s after bind, held because the API shows the pod with it")
        .contains(decided);
  }

  @Test
  void letsALapsingDecisionGoWhenTheApiDoesNotShowItsPodWithIt() {
    Ledger ledger = watchingLedger();
    Assignment decided = assignment("0000:1a:00.5");
    reserve(ledger, "unrecorded", decided);
    podInApi("unrecorded", "uid-unrecorded", "Pending", null);
    reserve(ledger, "recreated", assignment("0000:1a:00.6"));
    podInApi("recreated", "uid-other", "Pending", assignment("0000:1a:00.6"));
    reserve(ledger, "finished", assignment("0000:1a:00.7"));
    podInApi("finished", "uid-finished", "Succeeded", assignment("0000:1a:00.7"));
    reserve(ledger, "elsewhere", assignment("0000:1a:00.3"));
    podInApi("elsewhere", "uid-elsewhere", "Pending", assignment("0000:1a:00.4"));
    reserve(ledger, "gone", assignment("0000:1a:00.2"));
    // No answer scripted for "gone": the mock server answers 404.

    pollRoundJustBeforeTheDecisionsLapse();

    assertThat(ledger.purgeExpired()).isEqualTo(5);
    assertThat(ledger.assignmentOf("uid-a")).as("the listed bound pod").isPresent();
    assertThat(ledger.size()).isEqualTo(1);
  }

  @Test
  void holdsEveryLapsingDecisionWhenTheApiCannotBeRead() {
    Ledger ledger = watchingLedger();
    reserve(ledger, "first", assignment("0000:1a:00.5"));
    reserve(ledger, "second", assignment("0000:1a:00.6"));
    for (String name : List.of("first", "second")) {
      server
          .expect()
          .get()
          .withPath("/api/v1/namespaces/team-a/pods/" + name)
          .andReturn(403, "forbidden")
          .always();
    }
    int before = server.getRequestCount();

    pollRoundJustBeforeTheDecisionsLapse();

    assertThat(ledger.purgeExpired()).isZero();
    assertThat(List.of("uid-first", "uid-second"))
        .allSatisfy(uid -> assertThat(ledger.assignmentOf(uid)).isPresent());
    assertThat(server.getRequestCount() - before)
        .as("after the first failed read, the rest are held unread")
        .isEqualTo(1);
  }

  @Test
  void readsABoundedNumberOfPodsPerRoundAndHoldsTheRest() {
    Ledger ledger = watchingLedger();
    int decisions = PodLedgerSync.MAX_READS_PER_CHECK + 3;
    for (int i = 0; i < decisions; i++) {
      // None of these pods is in the API (404), so every one that is read lapses.
      reserve(ledger, "pod-" + i, assignment(String.format("0000:1a:%02x.1", i)));
    }
    int before = server.getRequestCount();

    pollRoundJustBeforeTheDecisionsLapse();

    assertThat(server.getRequestCount() - before).isEqualTo(PodLedgerSync.MAX_READS_PER_CHECK);
    assertThat(ledger.purgeExpired()).isEqualTo(PodLedgerSync.MAX_READS_PER_CHECK);
    assertThat(ledger.size()).as("the listed bound pod and the three held").isEqualTo(4);
  }

  @Test
  void aRelistAfterGoneFreesWhatTheWatchMissedAndKeepsWhatLives() {
    // The list at 7, then the watch from 7 answers 410 Gone: meanwhile "a" was deleted, "done"
    // finished (the selector keeps it out), and "w-0" was deleted and re-created without an
    // assignment (a StatefulSet's). The relist at 9 shows only what lives.
    server
        .expect()
        .get()
        .withPath("/api/v1/pods?" + SELECTOR + "&limit=500")
        .andReturn(
            200,
            page(
                null,
                bound("a", "0000:1a:00.2"),
                bound("w-0", "0000:1a:00.3"),
                bound("done", "0000:1a:00.4"),
                bound("kept", "0000:1a:00.5")))
        .once();
    server
        .expect()
        .get()
        .withPath(watchPath(7))
        .andUpgradeToWebSocket()
        .open()
        .waitFor(200)
        .andEmit(
            new WatchEventBuilder()
                .withType("ERROR")
                .withObject(
                    new StatusBuilder()
                        .withCode(410)
                        .withReason("Expired")
                        .withMessage("too old resource version: 7 (8)")
                        .build())
                .build())
        .done()
        .once();
    Pod recreated =
        TestPods.pod("team-a", "w-0", "uid-w-0-new", "Pending")
            .editMetadata()
            .withResourceVersion("8")
            .endMetadata()
            .build();
    server
        .expect()
        .get()
        .withPath("/api/v1/pods?" + SELECTOR + "&limit=500")
        .andReturn(200, relisted(9, recreated, bound("kept", "0000:1a:00.5")))
        .always();
    silentWatchFrom(9);

    sync = new PodLedgerSync(client, ledger);
    Await.until("pod informer synced", Duration.ofSeconds(20), sync::synced);
    assertThat(ledger.size()).isEqualTo(4);
    Await.until(
        "relisted",
        Duration.ofSeconds(20),
        () ->
            sync.cached("team-a", "w-0")
                .map(p -> p.getMetadata().getUid().equals("uid-w-0-new"))
                .orElse(false));
    Await.until("the missed changes applied", Duration.ofSeconds(20), () -> ledger.size() == 1);

    assertThat(ledger.assignmentOf("uid-kept")).isPresent();
    assertThat(List.of("uid-a", "uid-w-0", "uid-done", "uid-w-0-new"))
        .allSatisfy(uid -> assertThat(ledger.assignmentOf(uid)).as(uid).isEmpty());
    assertThat(sync.cached("team-a", "a")).isEmpty();
  }

  @Test
  void aPodThatFinishesLeavesTheWatchAsADeleteOfItsPreviousState() {
    // What the API server sends when a pod stops matching the phase selector: DELETED, with the
    // pod as it was before (still Running), at the event's resourceVersion.
    server
        .expect()
        .get()
        .withPath("/api/v1/pods?" + SELECTOR + "&limit=500")
        .andReturn(200, page(null, bound("a", "0000:1a:00.2"), bound("b", "0000:1a:00.3")))
        .once();
    Pod asBefore =
        new PodBuilder(bound("a", "0000:1a:00.2"))
            .editMetadata()
            .withResourceVersion("8")
            .endMetadata()
            .build();
    server
        .expect()
        .get()
        .withPath(watchPath(7))
        .andUpgradeToWebSocket()
        .open()
        .waitFor(200)
        .andEmit(new WatchEventBuilder().withType("DELETED").withObject(asBefore).build())
        .expect("never sent")
        .andEmit("unused")
        .once()
        .done()
        .once();

    sync = new PodLedgerSync(client, ledger);
    Await.until("pod informer synced", Duration.ofSeconds(20), sync::synced);
    Await.until("finished pod freed", Duration.ofSeconds(20), () -> ledger.size() == 1);

    assertThat(ledger.assignmentOf("uid-a")).isEmpty();
    assertThat(ledger.assignmentOf("uid-b")).isPresent();
  }

  // --- helpers ---------------------------------------------------------------------------------

  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

  /**
   * A ledger with a 30 s in-flight timeout on {@link #clock}, fed by an informer that has listed
   * one bound pod (uid-a) and watches a watch that stays silent.
   */
  private Ledger watchingLedger() {
    server
        .expect()
        .get()
        .withPath("/api/v1/pods?" + SELECTOR + "&limit=500")
        .andReturn(200, page(null, bound("a", "0000:1a:00.2")))
        .always();
    silentWatchFrom(7);
    Ledger ledger = new Ledger(clock, Duration.ofSeconds(30));
    sync = new PodLedgerSync(client, ledger);
    Await.until(
        "pod informer watching", Duration.ofSeconds(20), () -> sync.synced() && sync.watching());
    return ledger;
  }

  /**
   * A poll round 26 s after the decisions were reserved (they lapse at 30 s; the next round is at
   * most 6 s away), then the clock moves on to 36 s after them.
   */
  private void pollRoundJustBeforeTheDecisionsLapse() {
    clock.advance(Duration.ofSeconds(26));
    sync.confirmLapsingDecisions(Duration.ofSeconds(6));
    clock.advance(Duration.ofSeconds(10));
  }

  /** Scripts a pod watch from {@code resourceVersion} that opens and stays open, silent. */
  private void silentWatchFrom(int resourceVersion) {
    server
        .expect()
        .get()
        .withPath(
            "/api/v1/pods?allowWatchBookmarks=true&"
                + SELECTOR
                + "&resourceVersion="
                + resourceVersion
                + "&timeoutSeconds=600&watch=true")
        .andUpgradeToWebSocket()
        .open()
        // The mock closes a socket with nothing left to do; one waiting for a message (which the
        // informer never sends) stays open.
        .expect("never sent")
        .andEmit("unused")
        .once()
        .done()
        .always();
  }

  /** Reserves as bind does, for pod {@code team-a/name} with UID {@code uid-name}. */
  private static void reserve(Ledger ledger, String name, Assignment decided) {
    ledger.reserve(
        new Ledger.PodName("team-a", name),
        "uid-" + name,
        decided.node(),
        c -> new Ledger.Decision<>(Optional.of(decided), null));
    ledger.written("uid-" + name, decided);
  }

  /** Scripts the API's answer to a GET of pod {@code team-a/name}. */
  private void podInApi(String name, String uid, String phase, Assignment assignment) {
    Pod pod =
        TestPods.pod("team-a", name, uid, phase)
            .editMetadata()
            .withResourceVersion("9")
            .withAnnotations(
                assignment == null
                    ? Map.of()
                    : Map.of(Annotations.ASSIGNMENT, AssignmentCodec.encode(assignment)))
            .endMetadata()
            .build();
    server
        .expect()
        .get()
        .withPath("/api/v1/namespaces/team-a/pods/" + name)
        .andReturn(200, pod)
        .always();
  }

  private static Assignment assignment(String vf) {
    return new Assignment(
        "worker-1", List.of(new AssignedInterface("net1", "0000:1a:00.0", vf, 1000, 0)));
  }

  private static String watchPath(int resourceVersion) {
    return "/api/v1/pods?allowWatchBookmarks=true&"
        + SELECTOR
        + "&resourceVersion="
        + resourceVersion
        + "&timeoutSeconds=600&watch=true";
  }

  private static Object relisted(int resourceVersion, Pod... pods) {
    return new PodListBuilder()
        .withNewMetadata()
        .withResourceVersion(String.valueOf(resourceVersion))
        .endMetadata()
        .withItems(pods)
        .build();
  }

  private static Object page(String continueToken, Pod... pods) {
    return new PodListBuilder()
        .withNewMetadata()
        .withResourceVersion("7")
        .withContinue(continueToken)
        .endMetadata()
        .withItems(pods)
        .build();
  }

  private static Pod bound(String name, String vf) {
    Assignment a =
        new Assignment(
            "worker-1", List.of(new AssignedInterface("net1", "0000:1a:00.0", vf, 1000, 0)));
    return TestPods.pod("team-a", name, "uid-" + name, "Running")
        .editMetadata()
        .withResourceVersion("5")
        .withAnnotations(Map.of(Annotations.ASSIGNMENT, AssignmentCodec.encode(a)))
        .endMetadata()
        .build();
  }
}
