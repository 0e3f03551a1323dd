package io.k8srdma.model.placement;

import io.k8srdma.model.assignment.Assignment;
import java.util.List;

/** The outcome of {@link Placement#fit}: a {@link Fit} or a {@link NoFit}. */
public sealed interface FitResult {

  /** True for a {@link Fit}. */
  boolean fits();

  /**
   * The node fits the pod.
   *
   * @param choices the chosen VF for every requested interface, in the request's order
   * @param score 0..{@link Placement#MAX_SCORE}, higher is better, comparable across nodes
   */
  record Fit(List<Choice> choices, int score) implements FitResult {

    /** Copies the list and checks the score range. */
    public Fit {
      choices = List.copyOf(choices);
      if (score < 0 || score > Placement.MAX_SCORE) {
        throw new IllegalArgumentException("score " + score + " outside 0.." + Placement.MAX_SCORE);
      }
    }

    @Override
    public boolean fits() {
      return true;
    }

    /** The decision to record on the pod when it is bound to {@code node}. */
    public Assignment toAssignment(String node) {
      return new Assignment(node, choices.stream().map(Choice::toAssigned).toList());
    }
  }

  /**
   * The node cannot take the pod.
   *
   * @param reason why, phrased for the user (it ends up in the pod's scheduling events)
   */
  record NoFit(String reason) implements FitResult {
    @Override
    public boolean fits() {
      return false;
    }
  }
}
