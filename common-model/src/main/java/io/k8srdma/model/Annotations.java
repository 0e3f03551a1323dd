package io.k8srdma.model;

/** The pod annotation keys that form k8s-rdma's contracts, in one place. */
public final class Annotations {

  /** The pod's RDMA interface request: a JSON array, one entry per VF wanted. */
  public static final String INTERFACES = "k8s-rdma.io/interfaces";

  /** The placement decision written by the extender's bind before the Binding is created. */
  public static final String ASSIGNMENT = "k8s-rdma.io/assignment";

  /**
   * The request annotation of the original RIT k8s-rdma system, accepted for compatibility; see
   * {@link io.k8srdma.model.request.PodRequestCodec} for the mapping.
   */
  public static final String RIT_INTERFACES = "rdma_interfaces_required";

  private Annotations() {}
}
