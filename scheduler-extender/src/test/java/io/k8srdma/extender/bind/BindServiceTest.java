package io.k8srdma.extender.bind;

import static io.k8srdma.extender.bind.BindTestKit.FORBIDDEN;
import static io.k8srdma.extender.bind.BindTestKit.NODE;
import static io.k8srdma.extender.bind.BindTestKit.NS;
import static io.k8srdma.extender.bind.BindTestKit.answerBinding;
import static io.k8srdma.extender.bind.BindTestKit.args;
import static io.k8srdma.extender.bind.BindTestKit.cacheOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.k8srdma.extender.Await;
import io.k8srdma.extender.TestInventories;
import io.k8srdma.extender.TestPods;
import io.k8srdma.extender.bind.BindTestKit.Call;
import io.k8srdma.extender.ledger.Ledger;
import io.k8srdma.extender.ledger.PodLedgerSync;
import io.k8srdma.extender.poller.InventoryCacheFixture;
import io.k8srdma.model.Annotations;
import io.k8srdma.model.assignment.AssignedInterface;
import io.k8srdma.model.assignment.Assignment;
import io.k8srdma.model.assignment.AssignmentCodec;
import io.k8srdma.model.extender.ExtenderBindingArgs;
import io.k8srdma.model.extender.ExtenderBindingResult;
import io.k8srdma.model.inventory.NodeInventory;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Bind against fabric8's mock API server in CRUD mode, with the pod taken from a cache first: the
 * informer's copy saves the GET, and a stale copy (older resourceVersion, or a re-created pod with
 * another UID) is read again from the API instead of failing the bind or overwriting the pod.
 */
@EnableKubernetesMockClient(crud = true)
class BindServiceTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  static KubernetesMockServer server;
  static KubernetesClient client;

  private final BindTestKit kit = new BindTestKit();
  private final Ledger ledger = kit.ledger;
  private PodLedgerSync sync;

  @BeforeEach
  void setUp() {
    sync = new PodLedgerSync(client, ledger);
  }

  @AfterEach
  void tearDown() {
    sync.close();
    client.pods().inNamespace(NS).delete();
  }

  @Test
  void theInformersCopySavesTheGetAndIsNotModified() throws Exception {
    Pod pod = create("cached-1", "uid-cached-1");
    Await.until("informer has the pod", WAIT, () -> sync.cached(NS, "cached-1").isPresent());
    Pod informersCopy = sync.cached(NS, "cached-1").orElseThrow();
    drainRequests();

    ExtenderBindingResult result = bindService(sync::cached).bind(args(pod));

    assertThat(result.error()).isNull();
    List<String> requests = drainRequests();
    assertThat(requests)
        .as("bind's calls to the API")
        .containsExactly(
            "PATCH /api/v1/namespaces/ml/pods/cached-1",
            "POST /api/v1/namespaces/ml/pods/cached-1/binding");
    assertThat(annotationOf("cached-1")).isNotNull();
    assertThat(informersCopy.getMetadata().getAnnotations())
        .as("the informer's own object")
        .doesNotContainKey(Annotations.ASSIGNMENT);
  }

  @Test
  void aCopyWithAnOlderResourceVersionIsReadAgainAndTheBindSucceeds() throws Exception {
    Pod created = create("stale-1", "uid-stale-1");
    Pod stale = new PodBuilder(created).build();
    // Someone changes the pod after the copy was taken: the copy's resourceVersion is old now.
    BindTestKit.changeMeanwhile(client, "stale-1");
    drainRequests();

    ExtenderBindingResult result = bindService(cacheOf(stale)).bind(args(created));

    assertThat(result.error()).isNull();
    assertThat(drainRequests())
        .containsExactly(
            "PATCH /api/v1/namespaces/ml/pods/stale-1",
            "GET /api/v1/namespaces/ml/pods/stale-1",
            "PATCH /api/v1/namespaces/ml/pods/stale-1",
            "POST /api/v1/namespaces/ml/pods/stale-1/binding");
    Pod now = client.pods().inNamespace(NS).withName("stale-1").get();
    assertThat(now.getMetadata().getLabels()).as("the later change survives").containsKey("team");
    assertThat(AssignmentCodec.read(now.getMetadata().getAnnotations()).orElseThrow().node())
        .isEqualTo(NODE);
    // The first attempt's reservation was released: one pod holds one VF, not two.
    assertThat(ledger.commitmentsOn(NODE, null).takenVfs()).hasSize(1);
  }

  @Test
  void aPodWithADecisionAlreadyIsReadFromTheApiAndKeepsItsEntry() throws Exception {
    Pod created = create("decided-1", "uid-decided-1");
    Pod copyBeforeTheDecision = new PodBuilder(created).build();
    ExtenderBindingResult first = bindService(PodCache.NONE).bind(args(created));
    assertThat(first.error()).isNull();
    Set<String> taken = Set.copyOf(ledger.commitmentsOn(NODE, null).takenVfs());
    drainRequests();

    // The scheduler binds again (say its first answer timed out) while the cache still holds the
    // pod from before the annotation.
    ExtenderBindingResult again = bindService(cacheOf(copyBeforeTheDecision)).bind(args(created));

    assertThat(again.error()).isNull();
    assertThat(drainRequests())
        .as("the recorded decision is reused, not taken again")
        .containsExactly(
            "GET /api/v1/namespaces/ml/pods/decided-1",
            "POST /api/v1/namespaces/ml/pods/decided-1/binding");
    assertThat(ledger.commitmentsOn(NODE, null).takenVfs()).isEqualTo(taken).hasSize(1);
  }

  @Test
  void aCopyOfAnEarlierPodWithTheSameNameIsReadAgain() throws Exception {
    Pod current = create("recreated-1", "uid-new");
    Pod earlier = new PodBuilder(current).editMetadata().withUid("uid-old").endMetadata().build();
    drainRequests();

    ExtenderBindingResult result = bindService(cacheOf(earlier)).bind(args(current));

    assertThat(result.error()).isNull();
    assertThat(drainRequests())
        .containsExactly(
            "GET /api/v1/namespaces/ml/pods/recreated-1",
            "PATCH /api/v1/namespaces/ml/pods/recreated-1",
            "POST /api/v1/namespaces/ml/pods/recreated-1/binding");
  }

  @Test
  void withoutACopyThePodIsReadAndAMissingPodIsAClearError() {
    Pod pod = create("plain-1", "uid-plain-1");

    assertThat(bindService(PodCache.NONE).bind(args(pod)).error()).isNull();
    assertThat(annotationOf("plain-1")).isNotNull();

    ExtenderBindingResult missing =
        bindService(PodCache.NONE).bind(new ExtenderBindingArgs("gone-1", NS, "uid-gone-1", NODE));
    assertThat(missing.error())
        .isEqualTo("k8s-rdma: cannot bind pod ml/gone-1 to node node-a: pod not found");
  }

  @Test
  void theAnnotationIsAMergePatchThatLeavesTheRestOfThePodAlone() throws Exception {
    Pod pod = create("patch-1", "uid-patch-1");
    drainRequests();

    assertThat(bindService(cacheOf(pod)).bind(args(pod)).error()).isNull();

    Call patch =
        drainCalls().stream().filter(c -> c.method().equals("PATCH")).findFirst().orElseThrow();
    assertThat(patch.contentType()).startsWith("application/merge-patch+json");
    assertThat(patch.query()).isEqualTo("fieldManager=" + PodWrites.FIELD_MANAGER);
    Pod now = client.pods().inNamespace(NS).withName("patch-1").get();
    assertThat(now.getMetadata().getAnnotations())
        .containsKey(Annotations.ASSIGNMENT)
        .containsEntry(
            Annotations.INTERFACES, pod.getMetadata().getAnnotations().get(Annotations.INTERFACES));
    assertThat(now.getSpec()).isEqualTo(pod.getSpec());
    assertThat(now.getMetadata().getLabels()).isEqualTo(pod.getMetadata().getLabels());
  }

  @Test
  void aFailedBindingRemovesTheAnnotationAndFreesTheVfs() throws Exception {
    // The usual way a Binding fails in a cluster: the extender's RBAC lacks pods/binding.
    Pod pod = create("refused-1", "uid-refused-1", false);
    answerBinding(server, "refused-1", 403, FORBIDDEN);
    drainRequests();

    ExtenderBindingResult result = bindService(cacheOf(pod)).bind(args(pod));

    assertThat(result.error())
        .startsWith(
            "k8s-rdma: cannot bind pod ml/refused-1 to node node-a: Kubernetes API: HTTP 403")
        .contains("pods/binding");
    assertThat(drainRequests())
        .containsExactly(
            "PATCH /api/v1/namespaces/ml/pods/refused-1",
            "POST /api/v1/namespaces/ml/pods/refused-1/binding",
            "GET /api/v1/namespaces/ml/pods/refused-1",
            "PATCH /api/v1/namespaces/ml/pods/refused-1");
    Pod now = client.pods().inNamespace(NS).withName("refused-1").get();
    assertThat(now.getMetadata().getAnnotations())
        .as("no half state: the decision is not left on the pod")
        .doesNotContainKey(Annotations.ASSIGNMENT)
        .containsKey(Annotations.INTERFACES);
    // The pod informer may have shown the pod annotated (a bound entry, which bind leaves to the
    // informer) before it shows the annotation gone.
    Await.until(
        "the VF free in the ledger",
        WAIT,
        () -> ledger.commitmentsOn(NODE, null).takenVfs().isEmpty());
  }

  @Test
  void anAnswerThatIsNoStatusIsQuotedInTheError() throws Exception {
    // Something in front of the API (a proxy, say) refuses with plain text.
    Pod pod = create("proxied-1", "uid-proxied-1", false);
    answerBinding(server, "proxied-1", 403, "denied by the egress proxy\n");

    ExtenderBindingResult result = bindService(cacheOf(pod)).bind(args(pod));

    assertThat(result.error())
        .endsWith(
            "Kubernetes API: HTTP 403: POST /api/v1/namespaces/ml/pods/proxied-1/binding:"
                + " denied by the egress proxy");
  }

  @Test
  void aBindingWhoseAnswerWasLostButThatReachedTheNodeIsASuccess() throws Exception {
    Pod pod = create("lost-1", "uid-lost-1", false);
    // The API server bound the pod but its answer was lost: the Binding call fails (500), and the
    // client's retry is told the pod is already assigned (the CRUD mock's 409).
    client
        .pods()
        .inNamespace(NS)
        .withName("lost-1")
        .edit(p -> new PodBuilder(p).editSpec().withNodeName(NODE).endSpec().build());
    Pod copy = client.pods().inNamespace(NS).withName("lost-1").get();
    server
        .expect()
        .post()
        .withPath("/api/v1/namespaces/ml/pods/lost-1/binding")
        .andReturn(500, "{\"kind\":\"Status\",\"status\":\"Failure\",\"code\":500}")
        .once();
    drainRequests();

    ExtenderBindingResult result = bindService(cacheOf(copy)).bind(args(pod));

    assertThat(result.error()).isNull();
    assertThat(AssignmentCodec.read(annotationsOf("lost-1")).orElseThrow().node())
        .as("the pod keeps the record of its VFs")
        .isEqualTo(NODE);
    assertThat(ledger.commitmentsOn(NODE, null).takenVfs()).hasSize(1);
    assertThat(drainRequests()).last().isEqualTo("GET /api/v1/namespaces/ml/pods/lost-1");
  }

  @Test
  void aPodAlreadyOnAnotherNodeIsRefusedAndKeepsItsAssignment() throws Exception {
    // kube-scheduler gave up waiting for a bind that did land (its httpTimeout), and now binds the
    // pod again, to another node with room.
    kit.addNode("node-b");
    Pod pod = create("landed-1", "uid-landed-1", false);
    Assignment landed = BindTestKit.assignment("0000:1a:00.2");
    String recorded = BindTestKit.carryBound(client, "landed-1", landed);
    String uid = pod.getMetadata().getUid();
    Await.until(
        "the informer shows the pod bound", WAIT, () -> ledger.assignmentOf(uid).isPresent());
    drainRequests();

    for (PodCache pods : List.of(sync::cached, PodCache.NONE)) {
      ExtenderBindingResult result =
          bindService(pods).bind(new ExtenderBindingArgs("landed-1", NS, uid, "node-b"));

      assertThat(result.error())
          .isEqualTo(
              "k8s-rdma: cannot bind pod ml/landed-1 to node node-b: the pod is already bound to"
                  + " node node-a");
    }
    assertThat(drainRequests()).as("nothing written").allMatch(r -> r.startsWith("GET "));
    assertThat(annotationOf("landed-1")).isEqualTo(recorded);
    assertThat(ledger.assignmentOf(uid)).contains(landed);
    assertThat(ledger.commitmentsOn("node-b", null).takenVfs()).isEmpty();
  }

  @Test
  void theAnnotationIsRemovedOnlyFromThePodThatGotItAndOnlyIfUnchanged() {
    Pod pod = create("undo-1", "uid-undo-1");
    PodWrites writes = new PodWrites(client);
    writes.annotate(pod, "{\"node\":\"node-a\",\"interfaces\":[]}");
    String uid = pod.getMetadata().getUid();

    for (List<String> guard :
        List.of(
            List.of("uid-of-a-pod-re-created-meanwhile", "{\"node\":\"node-a\",\"interfaces\":[]}"),
            List.of(uid, "{\"node\":\"node-b\",\"interfaces\":[]}"))) {
      assertThatThrownBy(() -> writes.removeAssignment(NS, "undo-1", guard.get(0), guard.get(1)))
          .isInstanceOf(KubernetesClientException.class);
      assertThat(annotationsOf("undo-1")).as(guard.toString()).containsKey(Annotations.ASSIGNMENT);
    }

    writes.removeAssignment(NS, "undo-1", uid, "{\"node\":\"node-a\",\"interfaces\":[]}");
    assertThat(annotationsOf("undo-1")).doesNotContainKey(Annotations.ASSIGNMENT);
  }

  @Test
  void aPodCarryingAnotherPodsAssignmentGetsVfsOfItsOwn() throws Exception {
    // A manifest copied from a running pod (kubectl debug --copy-to) keeps its annotation.
    Pod original = create("original-1", "uid-original-1");
    assertThat(bindService(PodCache.NONE).bind(args(original)).error()).isNull();
    String taken = annotationOf("original-1");
    Pod copy =
        client
            .pods()
            .inNamespace(NS)
            .resource(
                new PodBuilder(create("copy-1", "uid-copy-1"))
                    .editMetadata()
                    .addToAnnotations(Annotations.ASSIGNMENT, taken)
                    .endMetadata()
                    .build())
            .update();
    Await.until(
        "the informer shows the copy", WAIT, () -> ledger.holds(copy.getMetadata().getUid()));

    assertThat(bindService(sync::cached).bind(args(copy)).error()).isNull();

    String own = annotationOf("copy-1");
    assertThat(AssignmentCodec.read(Map.of(Annotations.ASSIGNMENT, own)).orElseThrow().interfaces())
        .extracting(AssignedInterface::vf)
        .doesNotContainAnyElementsOf(
            AssignmentCodec.read(Map.of(Annotations.ASSIGNMENT, taken))
                .orElseThrow()
                .interfaces()
                .stream()
                .map(AssignedInterface::vf)
                .toList());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          floor below the request | [{"name":"net1","pf":"0000:1a:00.0","vf":"0000:1a:00.3","minTxRateMbps":0,"maxTxRateMbps":0}]                                                                                     | 0000:1a:00.3
          more VFs than asked     | [{"name":"net1","pf":"0000:1a:00.0","vf":"0000:1a:00.3","minTxRateMbps":10000,"maxTxRateMbps":0},{"name":"net2","pf":"0000:1a:00.0","vf":"0000:1a:00.4","minTxRateMbps":0,"maxTxRateMbps":0}] | 0000:1a:00.1
          a VF the node lacks     | [{"name":"net1","pf":"0000:1a:00.0","vf":"0000:1a:07.7","minTxRateMbps":10000,"maxTxRateMbps":0}]                                                                                 | 0000:1a:00.1
          """)
  void aCarriedAssignmentIsKeptOnlyAsFarAsItFitsTheRequest(
      String why, String interfaces, String vfGiven) throws Exception {
    // Written by hand, or left from an older request: filter never checked it.
    Pod pod =
        client
            .pods()
            .inNamespace(NS)
            .resource(
                new PodBuilder(create("carried-1", "uid-carried-1"))
                    .editMetadata()
                    .addToAnnotations(
                        Annotations.ASSIGNMENT,
                        "{\"node\":\"" + NODE + "\",\"interfaces\":" + interfaces + "}")
                    .endMetadata()
                    .build())
            .update();

    assertThat(bindService(PodCache.NONE).bind(args(pod)).error()).isNull();

    Assignment written =
        AssignmentCodec.read(Map.of(Annotations.ASSIGNMENT, annotationOf("carried-1")))
            .orElseThrow();
    assertThat(written.interfaces())
        .containsExactly(new AssignedInterface("net1", "0000:1a:00.0", vfGiven, 10_000, 0));
    assertThat(ledger.commitmentsOn(NODE, null).committedMbps("0000:1a:00.0")).isEqualTo(10_000);
  }

  @Test
  void aCarriedAssignmentThatFitsIsKeptAsItIsNotRemappedAcrossPfs() throws Exception {
    // Two alike PFs, one free VF each: placed afresh, net1's 10G could land on either.
    InventoryCacheFixture.received(
        kit.cache,
        NODE,
        new NodeInventory(
            NODE,
            8,
            Instant.parse("2026-11-24T10:00:00Z"),
            List.of(
                TestInventories.ibPf(0x1a, 1, 400_000), TestInventories.ibPf(0x2b, 1, 400_000))),
        Instant.now());
    String carried =
        "{\"node\":\"node-a\",\"interfaces\":[{\"name\":\"net1\",\"pf\":\"0000:2b:00.0\","
            + "\"vf\":\"0000:2b:00.1\",\"minTxRateMbps\":10000,\"maxTxRateMbps\":0},"
            + "{\"name\":\"net2\",\"pf\":\"0000:1a:00.0\",\"vf\":\"0000:1a:00.1\","
            + "\"minTxRateMbps\":0,\"maxTxRateMbps\":0}]}";
    answerBinding(server, "kept-1", 201, BindTestKit.CREATED);
    Pod pod =
        client
            .pods()
            .inNamespace(NS)
            .resource(
                TestPods.pod(NS, "kept-1", "uid-kept-1", "Pending")
                    .editMetadata()
                    .addToAnnotations(
                        Annotations.INTERFACES,
                        "[{\"name\":\"net1\",\"minTxRateMbps\":10000},{\"name\":\"net2\","
                            + "\"minTxRateMbps\":0}]")
                    .addToAnnotations(Annotations.ASSIGNMENT, carried)
                    .endMetadata()
                    .build())
            .create();

    assertThat(bindService(PodCache.NONE).bind(args(pod)).error()).isNull();

    assertThat(annotationOf("kept-1")).isEqualTo(carried);
    assertThat(ledger.commitmentsOn(NODE, null).committedMbps("0000:2b:00.0")).isEqualTo(10_000);
  }

  @Test
  void aRepeatedBindReusesThePodsOwnRecordedAssignment() throws Exception {
    Pod pod = create("again-1", "uid-again-1");
    assertThat(bindService(PodCache.NONE).bind(args(pod)).error()).isNull();
    String recorded = annotationOf("again-1");
    Await.until(
        "the informer shows it bound",
        WAIT,
        () -> ledger.lapsingWithin(Duration.ofDays(1)).isEmpty());

    assertThat(bindService(PodCache.NONE).bind(args(pod)).error()).isNull();

    assertThat(annotationOf("again-1")).isEqualTo(recorded);
    assertThat(ledger.commitmentsOn(NODE, null).takenVfs()).hasSize(1);
  }

  @Test
  void aSecondBindOfAPodWhileTheFirstRunsIsRefusedAndWritesNothing() throws Exception {
    // kube-scheduler binds again after its httpTimeout while the first bind still waits on the API.
    kit.addNode("node-b");
    Pod pod = create("twice-1", "uid-twice-1");
    CountDownLatch firstInside = new CountDownLatch(1);
    CountDownLatch letFirstGo = new CountDownLatch(1);
    PodCache stalling =
        (namespace, name) -> {
          firstInside.countDown();
          await(letFirstGo);
          return Optional.of(pod);
        };
    BindService binder = bindService(stalling);
    ExecutorService first = Executors.newSingleThreadExecutor();
    try {
      Future<ExtenderBindingResult> firstBind = first.submit(() -> binder.bind(args(pod)));
      assertThat(firstInside.await(20, TimeUnit.SECONDS)).isTrue();

      ExtenderBindingResult second =
          binder.bind(new ExtenderBindingArgs("twice-1", NS, "uid-twice-1", "node-b"));

      assertThat(second.error())
          .isEqualTo(
              "k8s-rdma: cannot bind pod ml/twice-1 to node node-b: a bind of this pod to node"
                  + " node-a is still running; retry");
      assertThat(ledger.commitmentsOn("node-b", null).takenVfs()).isEmpty();
      letFirstGo.countDown();
      assertThat(firstBind.get(20, TimeUnit.SECONDS).error()).isNull();
    } finally {
      letFirstGo.countDown();
      first.shutdownNow();
    }
    assertThat(AssignmentCodec.read(annotationsOf("twice-1")).orElseThrow().node()).isEqualTo(NODE);
    assertThat(bindService(PodCache.NONE).bind(args(pod)).error())
        .as("once the first has ended, the pod can be bound again (here: the same node)")
        .isNull();
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(20, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void aPodWithoutVfsWhoseBindingAnswerWasLostButThatReachedTheNodeIsBound() throws Exception {
    Pod created =
        client
            .pods()
            .inNamespace(NS)
            .resource(TestPods.pod(NS, "plain-lost-1", "uid-plain-lost-1", "Pending").build())
            .create();
    // The API server bound the pod but its answer was lost; the client's retry meets a 409.
    client
        .pods()
        .inNamespace(NS)
        .withName("plain-lost-1")
        .edit(p -> new PodBuilder(p).editSpec().withNodeName(NODE).endSpec().build());
    server
        .expect()
        .post()
        .withPath("/api/v1/namespaces/ml/pods/plain-lost-1/binding")
        .andReturn(500, "{\"kind\":\"Status\",\"status\":\"Failure\",\"code\":500}")
        .once();

    ExtenderBindingResult result =
        bindService(PodCache.NONE)
            .bind(
                new ExtenderBindingArgs("plain-lost-1", NS, created.getMetadata().getUid(), NODE));

    assertThat(result.error()).isNull();
    assertThat(ledger.size()).as("no VFs").isZero();
  }

  @Test
  void whenThePodCannotBeReadAfterAFailedBindingTheAnnotationStays() throws Exception {
    Pod pod = create("unsure-1", "uid-unsure-1", false);
    BindTestKit.refuseBindingAndNextRead(server, "unsure-1");

    ExtenderBindingResult result = bindService(cacheOf(pod)).bind(args(pod));

    assertThat(result.error()).contains("HTTP 403");
    // Whether the pod reached the node is unknown: removing the record of its VFs could hand them
    // to another pod, keeping it only holds them until the scheduler retries this one.
    assertThat(annotationsOf("unsure-1")).containsKey(Annotations.ASSIGNMENT);
    assertThat(ledger.assignmentOf(pod.getMetadata().getUid()))
        .as("the reservation holds them too, whatever the informer has seen")
        .isPresent();
  }

  // --- helpers ------------------------------------------------------------------------------

  private BindService bindService(PodCache pods) {
    return kit.bindService(client, pods, AssignmentWrite.BEFORE_BINDING);
  }

  /** Creates a pending pod asking for one 10 Gb/s interface, its Binding POST answered. */
  private static Pod create(String name, String uid) {
    return create(name, uid, true);
  }

  private static Pod create(String name, String uid, boolean answerBinding) {
    if (answerBinding) {
      // The CRUD mock has no pods/binding subresource (it would take the POST for a second pod
      // of that name); tests check the requests bind sent from the server's request log.
      answerBinding(server, name, 201, BindTestKit.CREATED);
    }
    return BindTestKit.create(client, name, uid);
  }

  private static Map<String, String> annotationsOf(String name) {
    return BindTestKit.annotationsOf(client, name);
  }

  private static String annotationOf(String name) {
    return annotationsOf(name).get(Annotations.ASSIGNMENT);
  }

  private static List<String> drainRequests() throws InterruptedException {
    return BindTestKit.drainRequests(server);
  }

  private static List<Call> drainCalls() throws InterruptedException {
    return BindTestKit.drainCalls(server);
  }
}
