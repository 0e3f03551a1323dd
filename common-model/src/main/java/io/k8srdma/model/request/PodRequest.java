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
    return interfaces.stream().mapToLong(InterfaceRequest::minTxRateMbps).sum();
  }

  /** The number of VFs wanted. */
  public int size() {
    return interfaces.size();
  }
}
