package io.k8srdma.extender.bind;

import io.fabric8.kubernetes.api.model.Binding;
import io.fabric8.kubernetes.api.model.BindingBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.k8srdma.extender.api.BadRequestException;
import io.k8srdma.extender.ledger.Ledger;
import io.k8srdma.extender.scheduling.NodeEvaluator;
import io.k8srdma.model.Annotations;
import io.k8srdma.model.assignment.Assignment;
import io.k8srdma.model.assignment.AssignmentCodec;
import io.k8srdma.model.assignment.InvalidAssignmentException;
import io.k8srdma.model.extender.ExtenderBindingArgs;
import io.k8srdma.model.extender.ExtenderBindingResult;
import io.k8srdma.model.placement.FitResult;
import io.k8srdma.model.request.InvalidRequestException;
import io.k8srdma.model.request.PodRequest;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds pods: decide under the ledger's lock, record the decision on the pod, then bind. The order
 * matters: the annotation is written before the Binding so that whoever sees the pod on a node also
 * sees which VFs it owns, and a restarted extender can rebuild its ledger from pods.
 */
public class BindService {

  private static final Logger log = LoggerFactory.getLogger(BindService.class);

  private final KubernetesClient client;
  private final NodeEvaluator evaluator;
  private final Ledger ledger;

  /**
   * @param client the API, or null when none is configured (then every bind fails with a reason)
   */
  public BindService(KubernetesClient client, NodeEvaluator evaluator, Ledger ledger) {
    this.client = client;
    this.evaluator = evaluator;
    this.ledger = ledger;
  }

  /** Binds one pod; never throws for expected failures, which are returned as the error. */
  public ExtenderBindingResult bind(ExtenderBindingArgs args) {
    requireComplete(args);
    String pod = args.podNamespace() + "/" + args.podName();
    if (client == null) {
      return error(
          pod, args.node(), "no Kubernetes API is configured, so the extender cannot bind");
    }
    try {
      return doBind(args, pod);
    } catch (KubernetesClientException e) {
      return error(pod, args.node(), "Kubernetes API: " + describe(e));
    }
  }

  private ExtenderBindingResult doBind(ExtenderBindingArgs args, String podName) {
    Pod pod = client.pods().inNamespace(args.podNamespace()).withName(args.podName()).get();
    if (pod == null) {
      return error(podName, args.node(), "pod not found");
    }
    String uid = pod.getMetadata().getUid();
    if (args.podUID() != null && !args.podUID().isEmpty() && !args.podUID().equals(uid)) {
      return error(podName, args.node(), "pod UID is " + uid + ", not " + args.podUID());
    }
    Optional<PodRequest> request;
    try {
      request = evaluator.requestOf(pod);
    } catch (InvalidRequestException e) {
      return error(podName, args.node(), e.getMessage());
    }
    if (request.isEmpty()) {
      createBinding(args);
      log.info("bound pod {} to node {} (no RDMA request)", podName, args.node());
      return new ExtenderBindingResult(null);
    }
    Optional<Assignment> previous = existingAssignment(pod, args.node());
    Outcome outcome =
        previous.isPresent()
            ? Outcome.of(previous.get())
            : reserve(uid, args.node(), request.get());
    if (outcome.assignment() == null) {
      return error(podName, args.node(), outcome.reason());
    }
    return recordAndBind(args, pod, uid, podName, outcome.assignment(), previous.isPresent());
  }

  private Outcome reserve(String uid, String node, PodRequest request) {
    return ledger.reserve(
        uid,
        node,
        commitments -> {
          NodeEvaluator.Verdict v = evaluator.evaluate(node, request, commitments);
          if (v.fit() instanceof FitResult.Fit fit) {
            Assignment a = fit.toAssignment(node);
            return new Ledger.Decision<>(Optional.of(a), Outcome.of(a));
          }
          return new Ledger.Decision<>(Optional.empty(), new Outcome(null, v.reason()));
        });
  }

  private ExtenderBindingResult recordAndBind(
      ExtenderBindingArgs args,
      Pod pod,
      String uid,
      String podName,
      Assignment assignment,
      boolean alreadyRecorded) {
    boolean annotated = alreadyRecorded;
    try {
      if (!alreadyRecorded) {
        annotate(pod, assignment);
        annotated = true;
      }
      createBinding(args);
    } catch (KubernetesClientException e) {
      if (annotated && !alreadyRecorded) {
        removeAnnotation(args, podName);
      }
      ledger.releaseInFlight(uid);
      String what =
          e.getCode() == 409 ? "the pod changed meanwhile (conflict); retry" : describe(e);
      return error(podName, args.node(), "Kubernetes API: " + what);
    }
    log.info(
        "bound pod {} to node {} with {}",
        podName,
        args.node(),
        AssignmentCodec.encode(assignment));
    return new ExtenderBindingResult(null);
  }

  /** Writes the annotation with the resourceVersion read, so a concurrent change fails (409). */
  private void annotate(Pod pod, Assignment assignment) {
    Map<String, String> annotations =
        pod.getMetadata().getAnnotations() == null
            ? new HashMap<>()
            : new HashMap<>(pod.getMetadata().getAnnotations());
    annotations.put(Annotations.ASSIGNMENT, AssignmentCodec.encode(assignment));
    pod.getMetadata().setAnnotations(annotations);
    client.resource(pod).update();
  }

  private void removeAnnotation(ExtenderBindingArgs args, String podName) {
    try {
      client
          .pods()
          .inNamespace(args.podNamespace())
          .withName(args.podName())
          .edit(
              p -> {
                if (p.getMetadata().getAnnotations() != null) {
                  p.getMetadata().getAnnotations().remove(Annotations.ASSIGNMENT);
                }
                return p;
              });
    } catch (KubernetesClientException e) {
      log.warn(
          "could not remove the assignment of pod {} after a failed bind: {}",
          podName,
          describe(e));
    }
  }

  /** {@code POST .../pods/<name>/binding}, the subresource kube-scheduler itself uses. */
  private void createBinding(ExtenderBindingArgs args) {
    Binding binding =
        new BindingBuilder()
            .withNewMetadata()
            .withName(args.podName())
            .withNamespace(args.podNamespace())
            .withUid(args.podUID())
            .endMetadata()
            .withNewTarget()
            .withKind("Node")
            .withApiVersion("v1")
            .withName(args.node())
            .endTarget()
            .build();
    String url =
        client.getMasterUrl().toString().replaceAll("/+$", "")
            + "/api/v1/namespaces/"
            + args.podNamespace()
            + "/pods/"
            + args.podName()
            + "/binding";
    client.raw(url, "POST", binding);
  }

  private static Optional<Assignment> existingAssignment(Pod pod, String node) {
    Map<String, String> annotations = pod.getMetadata().getAnnotations();
    if (annotations == null) {
      return Optional.empty();
    }
    try {
      return AssignmentCodec.read(annotations).filter(a -> a.node().equals(node));
    } catch (InvalidAssignmentException e) {
      return Optional.empty();
    }
  }

  private static void requireComplete(ExtenderBindingArgs args) {
    if (args == null) {
      throw new BadRequestException("ExtenderBindingArgs body is required");
    }
    requireField("podName", args.podName());
    requireField("podNamespace", args.podNamespace());
    requireField("node", args.node());
  }

  private static void requireField(String name, String value) {
    if (value == null || value.isBlank()) {
      throw new BadRequestException("ExtenderBindingArgs." + name + " is required");
    }
  }

  private static ExtenderBindingResult error(String pod, String node, String reason) {
    log.info("bind of pod {} to node {} failed: {}", pod, node, reason);
    return new ExtenderBindingResult(
        "k8s-rdma: cannot bind pod " + pod + " to node " + node + ": " + reason);
  }

  private static String describe(KubernetesClientException e) {
    return e.getCode() > 0 ? "HTTP " + e.getCode() + ": " + e.getMessage() : e.getMessage();
  }

  private record Outcome(Assignment assignment, String reason) {
    static Outcome of(Assignment a) {
      return new Outcome(a, null);
    }
  }
}
