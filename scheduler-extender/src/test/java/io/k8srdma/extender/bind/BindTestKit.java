package io.k8srdma.extender.bind;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.k8srdma.extender.TestInventories;
import io.k8srdma.extender.TestPods;
import io.k8srdma.extender.ledger.Ledger;
import io.k8srdma.extender.poller.InventoryCache;
import io.k8srdma.extender.poller.InventoryCacheFixture;
import io.k8srdma.extender.scheduling.NodeEvaluator;
import io.k8srdma.model.Annotations;
import io.k8srdma.model.assignment.AssignedInterface;
import io.k8srdma.model.assignment.Assignment;
import io.k8srdma.model.assignment.AssignmentCodec;
import io.k8srdma.model.extender.ExtenderBindingArgs;
import io.k8srdma.model.placement.PlacementOptions;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * What the bind tests share: one node with four free VFs on a 400 Gb/s PF, pending pods in
 * namespace {@code ml} asking for one 10 Gb/s interface, and the requests bind sent to the mock
 * API.
 */
final class BindTestKit {

  static final String NS = "ml";
  static final String NODE = "node-a";

  /** The API server's answer to a Binding it accepted. */
  static final String CREATED = "{\"kind\":\"Status\",\"status\":\"Success\"}";

  /** A 403 as the API server answers a request the extender's RBAC does not allow. */
  static final String FORBIDDEN =
      "{\"kind\":\"Status\",\"status\":\"Failure\",\"reason\":\"Forbidden\","
          + "\"message\":\"cannot create resource pods/binding\",\"code\":403}";

  final Ledger ledger = new Ledger(Clock.systemUTC(), Duration.ofMinutes(1));
  final InventoryCache cache = new InventoryCache();
  final NodeEvaluator evaluator =
      new NodeEvaluator(
          cache, ledger, PlacementOptions.defaults(), Duration.ofMinutes(5), Clock.systemUTC());

  BindTestKit() {
    addNode(NODE);
  }

  /** Another node like {@link #NODE}, with four free VFs. */
  void addNode(String node) {
    InventoryCacheFixture.received(
        cache, node, TestInventories.ibNode(node, 0x1a, 4, 400_000), Clock.systemUTC().instant());
  }

  BindService bindService(KubernetesClient client, PodCache pods, AssignmentWrite write) {
    return new BindService(client, evaluator, ledger, pods, write);
  }

  /** A cache that holds just {@code pod}, as the informer might (possibly an old copy of it). */
  static PodCache cacheOf(Pod pod) {
    return (namespace, name) ->
        namespace.equals(pod.getMetadata().getNamespace())
                && name.equals(pod.getMetadata().getName())
            ? Optional.of(pod)
            : Optional.empty();
  }

  /** What kube-scheduler sends to bind {@code pod} to {@link #NODE}. */
  static ExtenderBindingArgs args(Pod pod) {
    return new ExtenderBindingArgs(
        pod.getMetadata().getName(), NS, pod.getMetadata().getUid(), NODE);
  }

  /** Creates a pending pod asking for one 10 Gb/s interface (a CRUD mock may set its own UID). */
  static Pod create(KubernetesClient client, String name, String uid) {
    Pod pod =
        TestPods.pod(NS, name, uid, "Pending")
            .editMetadata()
            .addToAnnotations(Annotations.INTERFACES, "[{\"minTxRateMbps\":10000}]")
            .endMetadata()
            .build();
    return client.pods().inNamespace(NS).resource(pod).create();
  }

  /**
   * What bind gives the kit's request on {@link #NODE}: {@code net1}, a 10 Gb/s floor, on VF {@code
   * vf} of the PF 0000:1a:00.0.
   */
  static Assignment assignment(String vf) {
    return new Assignment(
        NODE, List.of(new AssignedInterface("net1", "0000:1a:00.0", vf, 10_000, 0)));
  }

  /**
   * The pending pod {@code name} carries {@code assignment} in its annotation, as a bind that could
   * not tell whether its Binding landed leaves it. Returns the annotation.
   */
  static String carry(KubernetesClient client, String name, Assignment assignment) {
    return carry(client, name, assignment, false);
  }

  /**
   * Pod {@code name} is on the node of {@code assignment} and carries it, both in one write, as a
   * bind whose Binding landed leaves it. Returns the annotation.
   */
  static String carryBound(KubernetesClient client, String name, Assignment assignment) {
    return carry(client, name, assignment, true);
  }

  private static String carry(
      KubernetesClient client, String name, Assignment assignment, boolean bound) {
    String recorded = AssignmentCodec.encode(assignment);
    client
        .pods()
        .inNamespace(NS)
        .withName(name)
        .edit(
            p -> {
              PodBuilder b =
                  new PodBuilder(p)
                      .editMetadata()
                      .addToAnnotations(Annotations.ASSIGNMENT, recorded)
                      .endMetadata();
              if (bound) {
                b.editSpec().withNodeName(assignment.node()).endSpec();
              }
              return b.build();
            });
    return recorded;
  }

  /** Someone else changes the pod (adds a label): copies taken before are stale now. */
  static void changeMeanwhile(KubernetesClient client, String name) {
    client
        .pods()
        .inNamespace(NS)
        .withName(name)
        .edit(p -> new PodBuilder(p).editMetadata().addToLabels("team", "a").endMetadata().build());
  }

  static Map<String, String> annotationsOf(KubernetesClient client, String name) {
    return client.pods().inNamespace(NS).withName(name).get().getMetadata().getAnnotations();
  }

  /** Makes the mock answer every Binding POST for {@code name} with {@code status} and body. */
  static void answerBinding(KubernetesMockServer server, String name, int status, String body) {
    server
        .expect()
        .post()
        .withPath("/api/v1/namespaces/" + NS + "/pods/" + name + "/binding")
        .andReturn(status, body)
        .always();
  }

  /**
   * Every Binding POST for {@code name} is refused (403), and so is the next read of the pod: after
   * a failed Binding call, bind cannot tell whether the pod reached the node.
   */
  static void refuseBindingAndNextRead(KubernetesMockServer server, String name) {
    answerBinding(server, name, 403, FORBIDDEN);
    server
        .expect()
        .get()
        .withPath("/api/v1/namespaces/" + NS + "/pods/" + name)
        .andReturn(403, FORBIDDEN)
        .once();
  }

  /** One request to the API as bind sent it; the body is empty where the CRUD mock consumed it. */
  record Call(String method, String path, String query, String contentType, String body) {
    String line() {
      return method + " " + path;
    }
  }

  /** The requests for pods since the last call, the informer's list and watch left out. */
  static List<Call> drainCalls(KubernetesMockServer server) throws InterruptedException {
    List<Call> seen = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      var r = server.takeRequest(100, TimeUnit.MILLISECONDS);
      if (r == null) {
        break;
      }
      String[] pathAndQuery = r.getPath().split("\\?", 2);
      String path = pathAndQuery[0];
      boolean informer = r.getPath().contains("watch=") || path.equals("/api/v1/pods");
      if (!informer) {
        seen.add(
            new Call(
                r.getMethod(),
                path,
                pathAndQuery.length > 1 ? pathAndQuery[1] : "",
                r.getHeader("Content-Type"),
                new String(r.getBody().getBytes(), StandardCharsets.UTF_8)));
      }
    }
    return seen;
  }

  /** {@link #drainCalls} as "METHOD path" lines. */
  static List<String> drainRequests(KubernetesMockServer server) throws InterruptedException {
    return drainCalls(server).stream().map(Call::line).toList();
  }
}
