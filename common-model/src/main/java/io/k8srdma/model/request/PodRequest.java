package io.k8srdma.model.request;

import java.util.List;

/**
 * Everything a pod asks of k8s-rdma: its RDMA interfaces, in the order the pod listed them.
 *
 * @param interfaces one entry per VF wanted; never empty (a pod wanting none has no request)
 */
public record PodRequest(List<InterfaceRequest> interfaces) {

  /** Copies the list so the request is immutable. */
  public PodRequest {
    interfaces = List.copyOf(interfaces);
    if (interfaces.isEmpty()) {
      throw new IllegalArgumentException("a pod request has at least one interface");
    }
  }

  /** The bandwidth this pod commits in total, in Mb/s. */
  public long totalMinTxRateMbps() {
    // A loop rather than a stream: placement asks once per candidate node.
    long total = 0;
    for (InterfaceRequest r : interfaces) {
      total += r.minTxRateMbps();
    }
    return total;
  }

  /** The number of VFs wanted. */
  public int size() {
    return interfaces.size();
  }
}
