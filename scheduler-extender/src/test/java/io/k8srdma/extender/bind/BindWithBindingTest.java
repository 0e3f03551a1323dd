package io.k8srdma.extender.bind;

import static io.k8srdma.extender.bind.BindTestKit.FORBIDDEN;
import static io.k8srdma.extender.bind.BindTestKit.NODE;
import static io.k8srdma.extender.bind.BindTestKit.NS;
import static io.k8srdma.extender.bind.BindTestKit.answerBinding;
import static io.k8srdma.extender.bind.BindTestKit.args;
import static io.k8srdma.extender.bind.BindTestKit.cacheOf;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Binding;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.k8srdma.extender.Await;
import io.k8srdma.extender.BindingApiServer;
import io.k8srdma.extender.bind.BindTestKit.Call;
import io.k8srdma.extender.ledger.Ledger;
import io.k8srdma.extender.ledger.PodLedgerSync;
import io.k8srdma.model.Annotations;
import io.k8srdma.model.assignment.AssignmentCodec;
import io.k8srdma.model.extender.ExtenderBindingResult;
import io.k8srdma.model.json.Json;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Bind with {@code write-assignment: with-binding}: the assignment travels as an annotation on the
 * Binding, against a mock API server that implements the binding subresource as the API server does
 * ({@link BindingApiServer}: preconditions, "already assigned", annotations copied onto the pod in
 * the same write as its node).
 */
class BindWithBindingTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  @RegisterExtension static final BindingApi API = new BindingApi();

  private final BindTestKit kit = new BindTestKit();
  private final Ledger ledger = kit.ledger;
  private PodLedgerSync sync;

  @BeforeEach
  void setUp() {
    sync = new PodLedgerSync(API.client(), ledger);
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    sync.close();
    API.client().pods().inNamespace(NS).delete();
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
    // Written as JSON by hand: the type fields fabric8's model writes (and its classes default).
    JsonNode json = Json.mapper().readTree(calls.get(0).body());
    assertThat(List.of(json.path("apiVersion").asText(), json.path("kind").asText()))
        .containsExactly("v1", "Binding");
    assertThat(json.path("target").path("apiVersion").asText()).isEqualTo("v1");
    assertThat(json.path("target").path("kind").asText()).isEqualTo("Node");
    assertThat(sent.getMetadata().getName()).isEqualTo("one-1");
    assertThat(sent.getMetadata().getNamespace()).isEqualTo(NS);
    Pod now = API.client().pods().inNamespace(NS).withName("one-1").get();
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
    BindTestKit.changeMeanwhile(API.client(), "stale-1");
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
    Pod now = API.client().pods().inNamespace(NS).withName("stale-1").get();
    assertThat(now.getMetadata().getLabels()).as("the later change survives").containsKey("team");
    assertThat(now.getSpec().getNodeName()).isEqualTo(NODE);
    assertThat(now.getMetadata().getAnnotations()).containsKey(Annotations.ASSIGNMENT);
    assertThat(ledger.commitmentsOn(NODE, null).takenVfs())
        .as("the first attempt's reservation was released")
        .hasSize(1);
  }

  @Test
  void aPodBoundElsewhereIsAClearErrorAndHoldsNothing() throws Exception {
    Pod created = create("taken-1");
    API.client()
        .pods()
        .inNamespace(NS)
        .withName("taken-1")
        .edit(p -> new PodBuilder(p).editSpec().withNodeName("node-b").endSpec().build());
    drainCalls();

    ExtenderBindingResult result = bindService(PodCache.NONE).bind(args(created));

    assertThat(result.error())
        .isEqualTo(
            "k8s-rdma: cannot bind pod ml/taken-1 to node node-a: the pod is already bound to"
                + " node node-b");
    assertThat(drainCalls())
        .extracting(Call::line)
        .containsExactly("GET /api/v1/namespaces/ml/pods/taken-1");
    assertThat(annotationsOf("taken-1")).doesNotContainKey(Annotations.ASSIGNMENT);
    assertThat(ledger.commitmentsOn(NODE, null).takenVfs()).isEmpty();
  }

  @Test
  void aRefusedBindingLeavesNoAnnotationAndNoReservation() throws Exception {
    Pod pod = create("refused-1");
    answerBinding(API.server(), "refused-1", 403, FORBIDDEN);
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
    API.api().loseNextAnswer(NS, "lost-1");

    ExtenderBindingResult result = bindService(cacheOf(pod)).bind(args(pod));

    assertThat(result.error()).isNull();
    Pod now = API.client().pods().inNamespace(NS).withName("lost-1").get();
    assertThat(now.getSpec().getNodeName()).isEqualTo(NODE);
    assertThat(AssignmentCodec.read(now.getMetadata().getAnnotations()).orElseThrow().node())
        .isEqualTo(NODE);
    assertThat(ledger.commitmentsOn(NODE, null).takenVfs()).hasSize(1);
  }

  @Test
  void whenThePodCannotBeReadAfterAFailedBindingTheReservationStays() throws Exception {
    Pod pod = create("unsure-1");
    BindTestKit.refuseBindingAndNextRead(API.server(), "unsure-1");

    ExtenderBindingResult result = bindService(cacheOf(pod)).bind(args(pod));

    assertThat(result.error()).contains("HTTP 403");
    // A Binding that did land carries the annotation the informer will report; until then (or
    // until it expires) the reservation keeps the VFs from going to another pod.
    assertThat(ledger.holds(pod.getMetadata().getUid())).isTrue();
    assertThat(ledger.commitmentsOn(NODE, null).takenVfs()).hasSize(1);
  }

  // --- helpers ------------------------------------------------------------------------------

  private BindService bindService(PodCache pods) {
    return kit.bindService(API.client(), pods, AssignmentWrite.WITH_BINDING);
  }

  private static Pod create(String name) {
    return BindTestKit.create(API.client(), name, "uid-" + name);
  }

  private static Map<String, String> annotationsOf(String name) {
    return BindTestKit.annotationsOf(API.client(), name);
  }

  private static List<Call> drainCalls() throws InterruptedException {
    return BindTestKit.drainCalls(API.server());
  }
}
