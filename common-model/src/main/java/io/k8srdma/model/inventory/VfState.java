package io.k8srdma.model.inventory;

/** Whether a VF can be handed to a pod. */
public enum VfState {
  /** Bound to a kernel netdev driver, netdev in the host namespace, nothing claims it. */
  FREE,
  /** Given to a pod: netdev or RDMA device moved, CNI record, or assigned by a ledger. */
  IN_USE,
  /** Cannot be given to a pod now: unbound, userspace driver, PF port down, ... */
  UNAVAILABLE
}
