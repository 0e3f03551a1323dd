package io.k8srdma.extender.bind;

import io.k8srdma.extender.scheduling.NodeEvaluator;
import io.k8srdma.model.assignment.AssignedInterface;
import io.k8srdma.model.assignment.Assignment;
import io.k8srdma.model.placement.Choice;
import io.k8srdma.model.placement.Commitments;
import io.k8srdma.model.placement.FitResult;
import io.k8srdma.model.request.InterfaceRequest;
import io.k8srdma.model.request.PodRequest;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Whether bind may keep the assignment a pod already carries for its node: an earlier bind of the
 * pod recorded it (its Binding failed, or landed after kube-scheduler stopped waiting), and giving
 * the pod other VFs would contradict the record, or the VFs a running pod has. But a carried
 * annotation may also be out of date or written by hand, so it is kept only as far as filter would
 * have allowed it: the same interface names, each interface on its carried PF with its carried VF
 * among the node's free ones, the request's link layer, PF and NUMA node, and room on every PF for
 * the floors.
 */
final class CarriedAssignment {

  private final NodeEvaluator evaluator;

  CarriedAssignment(NodeEvaluator evaluator) {
    this.evaluator = evaluator;
  }

  /**
   * The assignment to record: {@code carried} itself when it fits as it is; the same VFs with the
   * request's rates when only the rates differ; empty when the pod needs a new placement.
   *
   * @param others what the other pods hold on the node
   */
  Optional<Assignment> keep(
      Assignment carried, String node, PodRequest request, Commitments others) {
    Map<String, AssignedInterface> byName = new HashMap<>();
    Set<String> vfs = new HashSet<>();
    carried.interfaces().forEach(i -> byName.put(i.name(), i));
    carried.interfaces().forEach(i -> vfs.add(i.vf()));
    if (vfs.size() != request.size()
        || !request.interfaces().stream().allMatch(r -> byName.containsKey(r.name()))) {
      return Optional.empty();
    }
    // Each interface pinned to its carried PF, only the carried VFs free: what is placed then is
    // the carried mapping, up to which of a PF's carried VFs goes to which of its interfaces.
    PodRequest pinned =
        new PodRequest(
            request.interfaces().stream().map(r -> pinned(r, byName.get(r.name()))).toList());
    NodeEvaluator.Verdict v = evaluator.evaluateOn(node, pinned, others, vfs);
    if (!(v.fit() instanceof FitResult.Fit fit) || !pinsHold(request, fit.choices())) {
      return Optional.empty();
    }
    Assignment placed = fit.toAssignment(node);
    return Optional.of(sameRatesAndVfs(placed, carried) ? carried : placed);
  }

  private static InterfaceRequest pinned(InterfaceRequest r, AssignedInterface carried) {
    return new InterfaceRequest(
        r.name(), r.minTxRateMbps(), r.maxTxRateMbps(), r.linkLayer(), carried.pf(), r.numaNode());
  }

  /** The request's own PF pins (by netdev name or PCI address) hold for the carried PFs. */
  private static boolean pinsHold(PodRequest request, List<Choice> choices) {
    Map<String, Choice> byName = new HashMap<>();
    choices.forEach(c -> byName.put(c.name(), c));
    return request.interfaces().stream()
        .allMatch(
            r -> {
              Choice c = byName.get(r.name());
              return r.pf() == null || r.pf().equals(c.pfName()) || r.pf().equalsIgnoreCase(c.pf());
            });
  }

  /** Each interface with the same PF and rates, and the same VFs on each PF. */
  private static boolean sameRatesAndVfs(Assignment placed, Assignment carried) {
    Map<String, AssignedInterface> carriedByName = new HashMap<>();
    carried.interfaces().forEach(i -> carriedByName.put(i.name(), i));
    Set<String> placedVfs = new HashSet<>();
    Set<String> carriedVfs = new HashSet<>();
    for (AssignedInterface p : placed.interfaces()) {
      AssignedInterface c = carriedByName.get(p.name());
      if (!p.pf().equals(c.pf())
          || p.minTxRateMbps() != c.minTxRateMbps()
          || p.maxTxRateMbps() != c.maxTxRateMbps()) {
        return false;
      }
      placedVfs.add(p.pf() + "/" + p.vf());
      carriedVfs.add(c.pf() + "/" + c.vf());
    }
    return placedVfs.equals(carriedVfs);
  }
}
