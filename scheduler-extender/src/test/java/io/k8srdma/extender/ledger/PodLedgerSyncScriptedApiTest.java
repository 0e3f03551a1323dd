package io.k8srdma.extender.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodListBuilder;
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
    server
        .expect()
        .get()
        .withPath(
            "/api/v1/pods?allowWatchBookmarks=true&"
                + SELECTOR
                + "&resourceVersion=7&timeoutSeconds=600&watch=true")
        .andUpgradeToWebSocket()
        .open()
        .done()
        .always();

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
    ledger.reserve("uid-new", "worker-1", c -> new Ledger.Decision<>(Optional.of(decided), null));

    clock.advance(Duration.ofSeconds(20));
    sync.holdDecisionsWhileNotWatching();
    clock.advance(Duration.ofSeconds(20));

    assertThat(ledger.assignmentOf("uid-new"))
        .as("40 s after bind, but held 20 s ago while the watch was down")
        .contains(decided);
    assertThat(ledger.assignmentOf("uid-a")).isPresent();
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
