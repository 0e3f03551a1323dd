package io.k8srdma.model.assignment;

/**
 * An {@link io.k8srdma.model.Annotations#ASSIGNMENT} annotation cannot be understood; the message
 * names the field. Checked so that a corrupt annotation on one pod is handled (logged, reported)
 * and never stops the ledger from being rebuilt from the others.
 */
public class InvalidAssignmentException extends Exception {
  private static final long serialVersionUID = 1L;

  /** An invalid assignment described by {@code message}. */
  public InvalidAssignmentException(String message) {
    super(message);
  }
}
