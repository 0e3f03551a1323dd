package io.k8srdma.extender.bind;

import java.util.Locale;

/**
 * How bind records its decision ({@code k8s-rdma.io/assignment}) on the pod, property {@code
 * k8s-rdma.extender.bind.write-assignment}.
 */
public enum AssignmentWrite {

  /**
   * {@code before-binding} (default): a merge patch of the annotation, then the Binding; two API
   * calls, and a failed Binding makes bind remove the annotation again.
   */
  BEFORE_BINDING,

  /**
   * {@code with-binding}: the annotation travels on the Binding, which the API server copies onto
   * the pod in the same write that sets its node; one API call, and the pod is never seen with one
   * and not the other.
   */
  WITH_BINDING;

  /** The value as written in the property. */
  public String value() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /**
   * The mode a property value names.
   *
   * @throws IllegalArgumentException naming the property and the values it takes
   */
  public static AssignmentWrite of(String value) {
    for (AssignmentWrite w : values()) {
      if (w.value().equals(value)) {
        return w;
      }
    }
    throw new IllegalArgumentException(
        "k8s-rdma.extender.bind.write-assignment must be before-binding or with-binding, got '"
            + value
            + "'");
  }
}
