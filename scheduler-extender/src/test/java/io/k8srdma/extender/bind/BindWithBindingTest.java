package io.k8srdma.extender.bind;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Binding;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.k8srdma.extender.Await;
import io.k8srdma.extender.BindingApiServer;
import io.k8srdma.extender.TestInventories;
import io.k8srdma.extender.TestPods;
import io.k8srdma.extender.ledger.Ledger;
import io.k8srdma.extender.ledger.PodLedgerSync;
import io.k8srdma.extender.poller.InventoryCache;
import io.k8srdma.extender.poller.InventoryCacheFixture;
import io.k8srdma.extender.scheduling.NodeEvaluator;
import io.k8srdma.model.Annotations;
import io.k8srdma.model.assignment.AssignmentCodec;
import io.k8srdma.model.extender.ExtenderBindingArgs;
import io.k8srdma.model.extender.ExtenderBindingResult;
import io.k8srdma.model.placement.PlacementOptions;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Bind with {@code write-assignment: with-binding}: the assignment travels as an annotation on the
 * Binding, against a mock API server that implements the binding subresource as the API server does
 * ({@link BindingApiServer}: preconditions, "already assigned", annotations copied onto the pod in
 * the same write as its node).
 */
class BindWithBindingTest {

  private static final String NS = "ml";
  private static final String NODE = "node-a";
  private static final Duration WAIT = Duration.ofSeconds(20);

  private static BindingApiServer api;
  private static KubernetesMockServer server;
  private static KubernetesClient client;

  private final Clock clock = Clock.systemUTC();
  private final Ledger ledger = new Ledger(clock, Duration.ofMinutes(1));
  private final InventoryCache cache = new InventoryCache();
  private final NodeEvaluator evaluator =
      new NodeEvaluator(cache, ledger, PlacementOptions.defaults(), Duration.ofMinutes(5), clock);
  private PodLedgerSync sync;

  @BeforeAll
  static void startApi() {
    BindingApiServer.Started started = BindingApiServer.start();
    api = started.api();
    server = started.server();
    client = server.createClient();
  }

  @AfterAll
  static void stopApi() {
    client.close();
    server.destroy();
  }

  @BeforeEach
  void setUp() {
    InventoryCacheFixture.received(
        cache, NODE, TestInventories.ibNode(NODE, 0x1a, 4, 400_000), clock.instant());
    sync = new PodLedgerSync(client, ledger);
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    sync.close();
    client.pods().inNamespace(NS).delete();
    drainCalls();
  }

  @Test
  void oneBindingCallPutsThePodOnTheNodeWithItsAssignment() throws Exception {
    Pod pod = create("one-1");
    Await.until("informer has the pod", WAIT, () -> sync.cached(NS, "one-1").isPresent());
    drainCalls();

    ExtenderBindingResult result = bindService(sync::cached).bind(args(pod));

    assertThat(result.error()).isNull();
    List<Call> calls = drainCalls();
    assertThat(calls)
        .extracting(Call::line)
        .containsExactly("POST /api/v1/namespaces/ml/pods/one-1/binding");
    Binding sent = Serialization.unmarshal(calls.get(0).body(), Binding.class);
    assertThat(sent.getMetadata().getUid()).isEqualTo(pod.getMetadata().getUid());
    assertThat(sent.getMetadata().getResourceVersion())
        .as("the pod's resourceVersion, a precondition")
        .isEqualTo(pod.getMetadata().getResourceVersion());
    assertThat(sent.getTarget().getName()).isEqualTo(NODE);
    Pod now = client.pods().inNamespace(NS).withName("one-1").get();
    assertThat(now.getSpec().getNodeName()).isEqualTo(NODE);
    assertThat(now.getMetadata().getAnnotations())
        .containsEntry(
            Annotations.ASSIGNMENT, sent.getMetadata().getAnnotations().get(Annotations.ASSIGNMENT))
        .containsKey(Annotations.INTERFACES);
    assertThat(AssignmentCodec.read(now.getMetadata().getAnnotations()).orElseThrow().node())
        .isEqualTo(NODE);
    Await.until(
        "the informer reports the pod bound with its assignment",
        WAIT,
        () ->
            sync.cached(NS, "one-1")
                .map(p -> NODE.equals(p.getSpec().getNodeName()))
                .orElse(false));
    assertThat(ledger.commitmentsOn(NODE, null).takenVfs()).hasSize(1);
  }

  @Test
  void aStaleCopyMeetsThePreconditionAndTheBindStartsOverFromTheApi() throws Exception {
    Pod created = create("stale-1");
    client
        .pods()
        .inNamespace(NS)
        .withName("stale-1")
        .edit(p -> new PodBuilder(p).editMetadata().addToLabels("team", "a").endMetadata().build());
    drainCalls();

    ExtenderBindingResult result = bindService(cacheOf(created)).bind(args(created));

    assertThat(result.error()).isNull();
    assertThat(drainCalls())
        .extracting(Call::line)
        .containsExactly(
            "POST /api/v1/namespaces/ml/pods/stale-1/binding",
            "GET /api/v1/namespaces/ml/pods/stale-1",
            "GET /api/v1/namespaces/ml/pods/stale-1",
            "POST /api/v1/namespaces/ml/pods/stale-1/binding");
    Pod now = client.pods().inNamespace(NS).withName("stale-1").get();
    assertThat(now.getMetadata().getLabels()).as("the later change survives").containsKey("team");
    assertThat(now.getSpec().getNodeName()).isEqualTo(NODE);
    assertThat(now.getMetadata().getAnnotations()).containsKey(Annotations.ASSIGNMENT);
    assertThat(ledger.commitmentsOn(NODE, null).takenVfs())
        .as("the first attempt's reservation was released")
        .hasSize(1);
  }

  @Test
  void aPodBoundElsewhereMeanwhileIsAClearErrorAndHoldsNothing() throws Exception {
    Pod created = create("taken-1");
    client
        .pods()
        .inNamespace(NS)
        .withName("taken-1")
        .edit(p -> new PodBuilder(p).editSpec().withNodeName("node-b").endSpec().build());

    ExtenderBindingResult result = bindService(PodCache.NONE).bind(args(created));

    assertThat(result.error())
        .startsWith("k8s-rdma: cannot bind pod ml/taken-1 to node node-a: Kubernetes API:")
        .contains("conflict");
    assertThat(annotationsOf("taken-1")).doesNotContainKey(Annotations.ASSIGNMENT);
    assertThat(ledger.commitmentsOn(NODE, null).takenVfs()).isEmpty();
  }

  @Test
  void aRefusedBindingLeavesNoAnnotationAndNoReservation() throws Exception {
    Pod pod = create("refused-1");
    server
        .expect()
        .post()
        .withPath("/api/v1/namespaces/ml/pods/refused-1/binding")
        .andReturn(
            403,
            "{\"kind\":\"Status\",\"status\":\"Failure\",\"reason\":\"Forbidden\","
                + "\"message\":\"cannot create resource pods/binding\",\"code\":403}")
        .always();
    drainCalls();

    ExtenderBindingResult result = bindService(cacheOf(pod)).bind(args(pod));

    assertThat(result.error())
        .startsWith(
            "k8s-rdma: cannot bind pod ml/refused-1 to node node-a: Kubernetes API: HTTP 403")
        .contains("pods/binding");
    assertThat(drainCalls())
        .extracting(Call::line)
        .as("nothing to undo: the annotation was never written apart from the Binding")
        .containsExactly(
            "POST /api/v1/namespaces/ml/pods/refused-1/binding",
            "GET /api/v1/namespaces/ml/pods/refused-1");
    assertThat(annotationsOf("refused-1")).doesNotContainKey(Annotations.ASSIGNMENT);
    assertThat(ledger.commitmentsOn(NODE, null).takenVfs()).isEmpty();
  }

  @Test
  void aBindingThatLandedButWhoseAnswerWasLostIsASuccess() throws Exception {
    Pod pod = create("lost-1");
    // The first POST is applied and answered 500; fabric8 retries it and meets "already assigned".
    api.loseNextAnswer(NS, "lost-1");

    ExtenderBindingResult result = bindService(cacheOf(pod)).bind(args(pod));

    assertThat(result.error()).isNull();
    Pod now = client.pods().inNamespace(NS).withName("lost-1").get();
    assertThat(now.getSpec().getNodeName()).isEqualTo(NODE);
    assertThat(AssignmentCodec.read(now.getMetadata().getAnnotations()).orElseThrow().node())
        .isEqualTo(NODE);
    assertThat(ledger.commitmentsOn(NODE, null).takenVfs()).hasSize(1);
  }

  @Test
  void whenThePodCannotBeReadAfterAFailedBindingTheReservationStays() throws Exception {
    Pod pod = create("unsure-1");
    String forbidden =
        "{\"kind\":\"Status\",\"status\":\"Failure\",\"reason\":\"Forbidden\",\"code\":403}";
    server
        .expect()
        .post()
        .withPath("/api/v1/namespaces/ml/pods/unsure-1/binding")
        .andReturn(403, forbidden)
        .always();
    server
        .expect()
        .get()
        .withPath("/api/v1/namespaces/ml/pods/unsure-1")
        .andReturn(403, forbidden)
        .once();

    ExtenderBindingResult result = bindService(cacheOf(pod)).bind(args(pod));

    assertThat(result.error()).contains("HTTP 403");
    // A Binding that did land carries the annotation the informer will report; until then (or
    // until it expires) the reservation keeps the VFs from going to another pod.
    assertThat(ledger.holds(pod.getMetadata().getUid())).isTrue();
    assertThat(ledger.commitmentsOn(NODE, null).takenVfs()).hasSize(1);
  }

  // --- helpers ------------------------------------------------------------------------------

  private BindService bindService(PodCache pods) {
    return new BindService(client, evaluator, ledger, pods, AssignmentWrite.WITH_BINDING);
  }

  private static PodCache cacheOf(Pod pod) {
    return (namespace, name) ->
        namespace.equals(pod.getMetadata().getNamespace())
                && name.equals(pod.getMetadata().getName())
            ? Optional.of(pod)
            : Optional.empty();
  }

  private static ExtenderBindingArgs args(Pod pod) {
    return new ExtenderBindingArgs(
        pod.getMetadata().getName(), NS, pod.getMetadata().getUid(), NODE);
  }

  /**
   * Creates a pending pod asking for one 10 Gb/s interface (the mock gives it a UID of its own).
   */
  private static Pod create(String name) {
    Pod pod =
        TestPods.pod(NS, name, "uid-" + name, "Pending")
            .editMetadata()
            .addToAnnotations(Annotations.INTERFACES, "[{\"minTxRateMbps\":10000}]")
            .endMetadata()
            .build();
    return client.pods().inNamespace(NS).resource(pod).create();
  }

  private static Map<String, String> annotationsOf(String name) {
    return client.pods().inNamespace(NS).withName(name).get().getMetadata().getAnnotations();
  }

  /** One request to the API, as bind sent it. */
  private record Call(String method, String path, String body) {
    String line() {
      return method + " " + path;
    }
  }

  /** The requests for pods since the last call, the informer's list and watch left out. */
  private static List<Call> drainCalls() throws InterruptedException {
    List<Call> seen = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      var r = server.takeRequest(100, TimeUnit.MILLISECONDS);
      if (r == null) {
        break;
      }
      String path = r.getPath().split("\\?", 2)[0];
      boolean informer = r.getPath().contains("watch=") || path.equals("/api/v1/pods");
      if (!informer) {
        seen.add(
            new Call(
                r.getMethod(), path, new String(r.getBody().getBytes(), StandardCharsets.UTF_8)));
      }
    }
    return seen;
  }
}
