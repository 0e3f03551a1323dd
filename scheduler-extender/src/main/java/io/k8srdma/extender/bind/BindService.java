package io.k8srdma.extender.bind;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.k8srdma.extender.api.BadRequestException;
import io.k8srdma.extender.ledger.Ledger;
import io.k8srdma.extender.scheduling.NodeEvaluator;
import io.k8srdma.model.Annotations;
import io.k8srdma.model.assignment.Assignment;
import io.k8srdma.model.assignment.AssignmentCodec;
import io.k8srdma.model.extender.ExtenderBindingArgs;
import io.k8srdma.model.extender.ExtenderBindingResult;
import io.k8srdma.model.json.JsonFields;
import io.k8srdma.model.placement.FitResult;
import io.k8srdma.model.request.InvalidRequestException;
import io.k8srdma.model.request.PodRequest;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds pods: decide under the ledger's lock, record the decision on the pod, then bind. The order
 * matters: the annotation is written before the Binding ({@link AssignmentWrite#BEFORE_BINDING}) or
 * with it ({@link AssignmentWrite#WITH_BINDING}), never after, so that whoever sees the pod on a
 * node also sees which VFs it owns, and a restarted extender can rebuild its ledger from pods.
 *
 * <p>The pod is taken from the informer's cache when it has it, which saves a GET per bind. The
 * annotation is written with a merge patch (or a Binding) carrying that copy's resourceVersion, so
 * a stale copy cannot overwrite a newer pod: the API answers 409, and the bind starts over once
 * from the pod read from the API. A copy with another UID than the scheduler's (the pod was
 * re-created) is read again the same way, and so is a pod the ledger already holds a decision for
 * (a repeated bind), whose copy may predate it.
 */
public class BindService {

  private static final Logger log = LoggerFactory.getLogger(BindService.class);

  /** An RFC 1123 label: what Kubernetes allows as a namespace's name. */
  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

  /** An RFC 1123 subdomain, at most 253 characters: a pod's or a node's name. */
  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile(
          "(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  /** The API calls; null when no API is configured. */
  private final PodWrites writes;

  private final NodeEvaluator evaluator;
  private final CarriedAssignment carried;
  private final Ledger ledger;
  private final PodCache pods;
  private final AssignmentWrite write;

  /** The pods ({@code namespace/name}) being bound now, with the node each is bound to. */
  private final Map<String, String> inProgress = new ConcurrentHashMap<>();

  /**
   * @param client the API, or null when none is configured (then every bind fails with a reason)
   * @param pods the informer's pods, tried before a GET ({@link PodCache#NONE}: always GET)
   * @param write how the assignment is written
   */
  public BindService(
      KubernetesClient client,
      NodeEvaluator evaluator,
      Ledger ledger,
      PodCache pods,
      AssignmentWrite write) {
    this.writes = client == null ? null : new PodWrites(client);
    this.evaluator = evaluator;
    this.carried = new CarriedAssignment(evaluator);
    this.ledger = ledger;
    this.pods = pods;
    this.write = write;
  }

  /**
   * Binds one pod; never throws for expected failures, which are returned as the error.
   *
   * <p>One bind per pod at a time: kube-scheduler binds a pod again when the first bind outlasts
   * its {@code httpTimeout}, maybe to another node, while the first still runs. Two binds of one
   * pod would each clean up after the other (annotation, reservation) and could leave the pod on a
   * node without the record of its VFs. The second is refused; the scheduler tries again later,
   * when the first has ended one way or the other.
   */
  public ExtenderBindingResult bind(ExtenderBindingArgs args) {
    requireComplete(args);
    String pod = args.podNamespace() + "/" + args.podName();
    if (writes == null) {
      return error(
          pod, args.node(), "no Kubernetes API is configured, so the extender cannot bind");
    }
    String running = inProgress.putIfAbsent(pod, args.node());
    if (running != null) {
      return error(
          pod, args.node(), "a bind of this pod to node " + running + " is still running; retry");
    }
    try {
      return doBind(args, pod);
    } catch (KubernetesClientException e) {
      return error(pod, args.node(), "Kubernetes API: " + describe(e));
    } finally {
      inProgress.remove(pod);
    }
  }

  private ExtenderBindingResult doBind(ExtenderBindingArgs args, String podName) {
    Optional<Pod> cached = pods.cached(args.podNamespace(), args.podName());
    if (cached.isPresent()) {
      Attempt first = bindPod(args, podName, cached.get(), true);
      if (!first.staleCopy()) {
        return first.result();
      }
      log.debug("bind of pod {}: the informer's copy is stale, reading the pod", podName);
    }
    Pod pod = writes.get(args.podNamespace(), args.podName());
    if (pod == null) {
      return error(podName, args.node(), "pod not found");
    }
    return bindPod(args, podName, pod, false).result();
  }

  /**
   * One attempt with one copy of the pod.
   *
   * @param copy the pod came from the cache, so a mismatch or a conflict may only mean it is stale
   */
  private Attempt bindPod(ExtenderBindingArgs args, String podName, Pod pod, boolean copy) {
    String uid = pod.getMetadata().getUid();
    if (!isScheduledPod(args, uid)) {
      return copy
          ? Attempt.STALE
          : Attempt.of(error(podName, args.node(), "pod UID is " + uid + ", not " + args.podUID()));
    }
    String boundTo = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
    if (boundTo != null && !boundTo.isEmpty() && !boundTo.equals(args.node())) {
      // A bind that landed after kube-scheduler stopped waiting for it, and the scheduler now
      // tries another node. Writing anything would overwrite the record of the VFs the pod holds.
      return copy
          ? Attempt.STALE
          : Attempt.of(error(podName, args.node(), "the pod is already bound to node " + boundTo));
    }
    if (args.node().equals(boundTo) && existingAssignment(pod, boundTo).isPresent()) {
      // An earlier bind landed (kube-scheduler binds again when the answer came after its
      // httpTimeout): success as it is. Placing the pod again could not keep the VFs its agent
      // may now report in use by this very pod, and would rewrite a running pod's record of them.
      log.info("pod {} is already bound to node {} with its assignment", podName, boundTo);
      return Attempt.of(new ExtenderBindingResult(null));
    }
    if (copy && ledger.holds(uid)) {
      // A decision for this pod exists already (an earlier bind): the API's pod says whether it
      // was recorded, and a reservation from a copy that may predate it would replace its entry.
      return Attempt.STALE;
    }
    Optional<PodRequest> request;
    try {
      request = evaluator.requestOf(pod);
    } catch (InvalidRequestException e) {
      return Attempt.of(error(podName, args.node(), e.getMessage()));
    }
    if (request.isEmpty()) {
      return bindWithoutVfs(args, podName);
    }
    Optional<Assignment> previous = existingAssignment(pod, args.node());
    Outcome outcome = reserve(args, uid, request.get(), previous);
    if (outcome.assignment() == null) {
      return Attempt.of(error(podName, args.node(), outcome.reason()));
    }
    boolean recorded = previous.isPresent() && previous.get().equals(outcome.assignment());
    try {
      return recordAndBind(args, pod, uid, podName, outcome.assignment(), recorded, copy);
    } finally {
      // Only now may the reservation start to expire (see Ledger#written).
      ledger.written(uid, outcome.assignment());
    }
  }

  /**
   * Decides under the ledger's lock: the VFs of the assignment the pod already carries for this
   * node (an earlier bind of it recorded it) when no other pod holds any of them and they still fit
   * the pod's request, else a new placement. A pod may carry another pod's assignment (a manifest
   * copied from a running pod, {@code kubectl debug --copy-to}); reused blindly, that would give
   * the same VFs to both.
   */
  private Outcome reserve(
      ExtenderBindingArgs args, String uid, PodRequest request, Optional<Assignment> previous) {
    String node = args.node();
    return ledger.reserve(
        new Ledger.PodName(args.podNamespace(), args.podName()),
        uid,
        node,
        commitments -> {
          // keep places the pod on the carried VFs alone; one another pod holds is not free to it.
          if (previous.isPresent()) {
            Optional<Assignment> kept = carried.keep(previous.get(), node, request, commitments);
            if (kept.isPresent()) {
              return new Ledger.Decision<>(kept, Outcome.of(kept.get()));
            }
          }
          NodeEvaluator.Verdict v = evaluator.evaluate(node, request, commitments);
          if (v.fit() instanceof FitResult.Fit fit) {
            Assignment a = fit.toAssignment(node);
            return new Ledger.Decision<>(Optional.of(a), Outcome.of(a));
          }
          return new Ledger.Decision<>(Optional.empty(), new Outcome(null, v.reason()));
        });
  }

  private Attempt recordAndBind(
      ExtenderBindingArgs args,
      Pod pod,
      String uid,
      String podName,
      Assignment assignment,
      boolean alreadyRecorded,
      boolean copy) {
    String encoded = AssignmentCodec.encode(assignment);
    boolean patched = false;
    try {
      if (write == AssignmentWrite.WITH_BINDING) {
        writes.bindWithAssignment(args, pod, encoded);
      } else {
        if (!alreadyRecorded) {
          writes.annotate(pod, encoded);
          patched = true;
        }
        writes.bind(args);
      }
    } catch (KubernetesClientException e) {
      Written written = new Written(alreadyRecorded || patched, patched);
      return afterFailedWrite(args, uid, podName, assignment, written, copy, e);
    }
    log.info("bound pod {} to node {} with {}", podName, args.node(), encoded);
    return Attempt.of(new ExtenderBindingResult(null));
  }

  /**
   * Binds a pod that asks for no VF: only the Binding, which may have landed although it failed.
   */
  private Attempt bindWithoutVfs(ExtenderBindingArgs args, String podName) {
    try {
      writes.bind(args);
      log.info("bound pod {} to node {} (no RDMA request)", podName, args.node());
    } catch (KubernetesClientException e) {
      if (placedOn(args, null) != Placed.YES) {
        throw e;
      }
      log.info(
          "bound pod {} to node {} (no RDMA request; the Binding call failed, {}, but the pod is"
              + " there)",
          podName,
          args.node(),
          describe(e));
    }
    return Attempt.of(new ExtenderBindingResult(null));
  }

  /**
   * What a failed bind had put on the pod before the call that failed.
   *
   * @param annotated the annotation is on the pod (this bind's merge patch or an earlier bind's)
   * @param patched this bind's merge patch wrote it, so this bind removes it again
   */
  private record Written(boolean annotated, boolean patched) {}

  /**
   * Settles a bind whose annotation patch or Binding call failed, so that no half state remains.
   */
  private Attempt afterFailedWrite(
      ExtenderBindingArgs args,
      String uid,
      String podName,
      Assignment assignment,
      Written written,
      boolean copy,
      KubernetesClientException e) {
    String encoded = AssignmentCodec.encode(assignment);
    boolean withBinding = write == AssignmentWrite.WITH_BINDING;
    // Before the Binding, the call that failed was the Binding once the annotation is on the pod.
    boolean bindingSent = withBinding || written.annotated();
    Placed placed = bindingSent ? placedOn(args, encoded) : Placed.NO;
    if (placed == Placed.YES) {
      // The Binding exists although its call failed (an answer lost, and the client's retry met
      // "already assigned"): the pod is on the node with its VFs recorded, which is success.
      log.info(
          "bound pod {} to node {} with {} (the Binding call failed, {}, but the pod is there)",
          podName,
          args.node(),
          encoded,
          describe(e));
      return Attempt.of(new ExtenderBindingResult(null));
    }
    if (placed == Placed.NO && written.patched()) {
      removeAssignment(args, podName, uid, encoded);
    }
    if (placed == Placed.NO) {
      ledger.releaseInFlight(uid, assignment);
    }
    // UNKNOWN keeps the reservation, and the annotation where it was written: the pod may have
    // reached the node, and freeing its VFs would let another pod take them. The reservation
    // lapses an in-flight timeout from now unless the informer or the API shows the pod with it
    // (LedgerUpkeep); relying on the annotation alone would leave the VFs free for as long as the
    // informer has not shown it.
    boolean nothingWritten = withBinding ? placed == Placed.NO : !written.annotated();
    if (copy && nothingWritten && e.getCode() == 409) {
      // The cached copy was older than the pod (its resourceVersion). Start over from the API.
      return Attempt.STALE;
    }
    String what = e.getCode() == 409 ? "the pod changed meanwhile (conflict); retry" : describe(e);
    return Attempt.of(error(podName, args.node(), "Kubernetes API: " + what));
  }

  /**
   * Whether a pod reached a node: a failed Binding call does not say whether the Binding exists.
   */
  private enum Placed {
    YES,
    NO,
    UNKNOWN
  }

  /**
   * Reads the pod after a failed Binding call: is it on the node the scheduler chose (and, when the
   * assignment travels on the Binding, with this bind's assignment, the sign the Binding was ours)?
   *
   * @param encoded the assignment the Binding carried, null for none
   */
  private Placed placedOn(ExtenderBindingArgs args, String encoded) {
    try {
      Pod now = writes.get(args.podNamespace(), args.podName());
      if (now == null) {
        return Placed.NO;
      }
      boolean same = isScheduledPod(args, now.getMetadata().getUid());
      boolean there = now.getSpec() != null && args.node().equals(now.getSpec().getNodeName());
      boolean recorded =
          encoded == null
              || write == AssignmentWrite.BEFORE_BINDING
              || now.getMetadata().getAnnotations() != null
                  && encoded.equals(now.getMetadata().getAnnotations().get(Annotations.ASSIGNMENT));
      return same && there && recorded ? Placed.YES : Placed.NO;
    } catch (KubernetesClientException e) {
      log.warn(
          "bind of pod {}/{}: cannot tell whether the failed Binding reached node {}: {}",
          args.podNamespace(),
          args.podName(),
          args.node(),
          describe(e));
      return Placed.UNKNOWN;
    }
  }

  /** Undoes the annotation after a failed Binding; a failure to do so is logged, not returned. */
  private void removeAssignment(
      ExtenderBindingArgs args, String podName, String uid, String encoded) {
    try {
      writes.removeAssignment(args.podNamespace(), args.podName(), uid, encoded);
    } catch (KubernetesClientException e) {
      log.warn(
          "could not remove the assignment of pod {} after a failed bind: {}",
          podName,
          describe(e));
    }
  }

  /** Whether a pod with {@code uid} is the one the scheduler binds (it may send no UID). */
  private static boolean isScheduledPod(ExtenderBindingArgs args, String uid) {
    return args.podUID() == null || args.podUID().isEmpty() || args.podUID().equals(uid);
  }

  private static Optional<Assignment> existingAssignment(Pod pod, String node) {
    return AssignmentCodec.readIfValid(pod.getMetadata().getAnnotations())
        .filter(a -> a.node().equals(node));
  }

  /**
   * A bind needs the pod's name and namespace and the node, each a name Kubernetes can have: they
   * go into the API's URLs and the Binding, where anything else (a "/", "..", a control or
   * non-ASCII character) would address another resource or never be answered.
   */
  private static void requireComplete(ExtenderBindingArgs args) {
    if (args == null) {
      throw new BadRequestException("ExtenderBindingArgs body is required");
    }
    requireName("podName", args.podName(), DNS_SUBDOMAIN, "pod name");
    requireName("podNamespace", args.podNamespace(), DNS_LABEL, "namespace name");
    requireName("node", args.node(), DNS_SUBDOMAIN, "node name");
  }

  private static void requireName(String field, String value, Pattern valid, String what) {
    if (value == null || value.isBlank()) {
      throw new BadRequestException("ExtenderBindingArgs." + field + " is required");
    }
    if (!valid.matcher(value).matches()) {
      throw new BadRequestException(
          "ExtenderBindingArgs."
              + field
              + ": "
              + JsonFields.quote(value)
              + " is not a valid "
              + what
              + " (lower-case letters, digits, '-'"
              + (valid == DNS_LABEL ? ", at most 63" : " and '.', at most 253")
              + " characters)");
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

  /**
   * What one attempt came to: a result for the scheduler, or that the cached copy was stale and
   * nothing was written.
   */
  private record Attempt(ExtenderBindingResult result, boolean staleCopy) {
    static final Attempt STALE = new Attempt(null, true);

    static Attempt of(ExtenderBindingResult result) {
      return new Attempt(result, false);
    }
  }

  private record Outcome(Assignment assignment, String reason) {
    static Outcome of(Assignment a) {
      return new Outcome(a, null);
    }
  }
}
