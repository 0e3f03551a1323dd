package io.k8srdma.extender.scheduling;

import io.fabric8.kubernetes.api.model.Pod;
import io.k8srdma.extender.ledger.Ledger;
import io.k8srdma.extender.poller.InventoryCache;
import io.k8srdma.extender.poller.NodeState;
import io.k8srdma.model.placement.Commitments;
import io.k8srdma.model.placement.FitResult;
import io.k8srdma.model.placement.Placement;
import io.k8srdma.model.placement.PlacementOptions;
import io.k8srdma.model.request.InvalidRequestException;
import io.k8srdma.model.request.PodRequest;
import io.k8srdma.model.request.PodRequestCodec;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * Decides whether a pod's RDMA request fits a node, from memory only: the polled inventory, the
 * ledger's commitments and the placement algorithm. Shared by filter, prioritize and bind so the
 * three verbs can never disagree on a rule.
 */
public class NodeEvaluator {

  private final InventoryCache cache;
  private final Ledger ledger;
  private final PlacementOptions options;
  private final Duration staleness;
  private final Clock clock;

  public NodeEvaluator(
      InventoryCache cache,
      Ledger ledger,
      PlacementOptions options,
      Duration staleness,
      Clock clock) {
    this.cache = cache;
    this.ledger = ledger;
    this.options = options;
    this.staleness = staleness;
    this.clock = clock;
  }

  /**
   * The pod's RDMA request; empty when it asks for none.
   *
   * @throws InvalidRequestException naming the annotation and field that is wrong
   */
  public Optional<PodRequest> requestOf(Pod pod) throws InvalidRequestException {
    return PodRequestCodec.read(pod);
  }

  /** Evaluates one node with the ledger's current commitments (without the pod's own entry). */
  public Verdict evaluate(String node, String podUid, PodRequest request) {
    return evaluate(node, request, ledger.commitmentsOn(node, podUid));
  }

  /** Evaluates one node against given commitments (bind passes the ones it reserves under). */
  public Verdict evaluate(String node, PodRequest request, Commitments commitments) {
    Optional<NodeState> state = cache.get(node);
    if (state.isEmpty()) {
      return Verdict.unusable("no k8s-rdma node agent is known for this node");
    }
    String unusable = state.get().unusableReason(clock.instant(), staleness);
    if (unusable != null) {
      return Verdict.unusable(unusable);
    }
    FitResult fit = Placement.fit(state.get().inventory(), commitments, request, options);
    return new Verdict(fit, null);
  }

  /**
   * The outcome for one node.
   *
   * @param fit the placement result; null when the node's inventory cannot be used
   * @param unusable why the node's inventory cannot be used (missing, stale), else null
   */
  public record Verdict(FitResult fit, String unusable) {

    static Verdict unusable(String reason) {
      return new Verdict(null, reason);
    }

    /** Whether the pod fits. */
    public boolean fits() {
      return fit != null && fit.fits();
    }

    /** Why the pod does not fit, for the user. */
    public String reason() {
      if (unusable != null) {
        return unusable;
      }
      return fit instanceof FitResult.NoFit noFit ? noFit.reason() : null;
    }

    /** The score 0..10, 0 when it does not fit. */
    public int score() {
      return fit instanceof FitResult.Fit f ? f.score() : 0;
    }
  }
}
