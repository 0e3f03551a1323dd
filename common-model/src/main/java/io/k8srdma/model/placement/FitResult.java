package io.k8srdma.model.placement;

import io.k8srdma.model.assignment.Assignment;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/** The outcome of {@link Placement#fit}: a {@link Fit} or a {@link NoFit}. */
public sealed interface FitResult {

  /** True for a {@link Fit}. */
  boolean fits();

  /**
   * The node fits the pod: the score, and the chosen VFs. Filter and prioritize fit a pod on
   * hundreds of nodes and need only the score; bind needs the VFs of one. So the VFs are worked out
   * from the mapping on first use, which also spares touching every candidate's VF records.
   */
  final class Fit implements FitResult {

    private final int score;
    private final Supplier<List<Choice>> chooser;
    private volatile List<Choice> choices;

    /**
     * @param choices the chosen VF for every requested interface, in the request's order
     * @param score 0..{@link Placement#MAX_SCORE}, higher is better, comparable across nodes
     */
    public Fit(List<Choice> choices, int score) {
      this(score, null);
      this.choices = List.copyOf(choices);
    }

    /** A fit whose choices {@code chooser} computes when first asked for. */
    Fit(int score, Supplier<List<Choice>> chooser) {
      if (score < 0 || score > Placement.MAX_SCORE) {
        throw new IllegalArgumentException("score " + score + " outside 0.." + Placement.MAX_SCORE);
      }
      this.score = score;
      this.chooser = chooser;
    }

    @Override
    public boolean fits() {
      return true;
    }

    /** 0..{@link Placement#MAX_SCORE}, higher is better, comparable across nodes. */
    public int score() {
      return score;
    }

    /** The chosen VF for every requested interface, in the request's order. */
    public List<Choice> choices() {
      List<Choice> c = choices;
      if (c == null) {
        // Racing callers compute the same list from immutable inputs; either result is right.
        c = List.copyOf(chooser.get());
        choices = c;
      }
      return c;
    }

    /** The decision to record on the pod when it is bound to {@code node}. */
    public Assignment toAssignment(String node) {
      return new Assignment(node, choices().stream().map(Choice::toAssigned).toList());
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Fit f && score == f.score && choices().equals(f.choices());
    }

    @Override
    public int hashCode() {
      return Objects.hash(score, choices());
    }

    @Override
    public String toString() {
      return "Fit[choices=" + choices() + ", score=" + score + "]";
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
