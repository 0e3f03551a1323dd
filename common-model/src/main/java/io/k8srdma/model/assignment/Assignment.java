package io.k8srdma.model.assignment;

import java.util.List;
import java.util.Objects;

/**
 * The placement decision for a pod, stored in annotation {@link
 * io.k8srdma.model.Annotations#ASSIGNMENT}.
 *
 * @param node the node the pod is bound to
 * @param interfaces the VFs given to the pod, in the order of its request
 */
public record Assignment(String node, List<AssignedInterface> interfaces) {

  /** Copies the list so the decision is immutable. */
  public Assignment {
    Objects.requireNonNull(node, "node");
    interfaces = List.copyOf(interfaces);
  }

  /** The bandwidth this decision commits on PF {@code pfPci}, in Mb/s. */
  public long committedMbps(String pfPci) {
    return interfaces.stream()
        .filter(i -> i.pf().equalsIgnoreCase(pfPci))
        .mapToLong(AssignedInterface::minTxRateMbps)
        .sum();
  }
}
