package io.k8srdma.model.request;

/**
 * A pod's RDMA request cannot be understood. The message names the annotation and field (e.g.
 * {@code k8s-rdma.io/interfaces[1].maxTxRateMbps: 1000 is below minTxRateMbps 2000}) and is meant
 * to be shown to the user as the pod's scheduling failure.
 *
 * <p>Checked on purpose: a malformed annotation must become a scheduling failure for that pod,
 * never an unhandled error in the extender.
 */
public class InvalidRequestException extends Exception {
  private static final long serialVersionUID = 1L;

  /** An invalid request described by {@code message}. */
  public InvalidRequestException(String message) {
    super(message);
  }
}
