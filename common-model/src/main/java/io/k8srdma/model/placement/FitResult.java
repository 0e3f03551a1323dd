package io.k8srdma.model.placement;

import io.k8srdma.model.assignment.Assignment;
import io.k8srdma.model.request.PodRequest;
import java.util.List;
import java.util.Objects;

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

    /**
     * What the choices are worked out from: the node's PFs, the request and a PF index per
     * interface; null when the choices were given. Held here rather than in a supplier, which would
     * be one more object per fitting candidate.
     */
    private final List<PfState> pfs;

    private final PodRequest request;
    private final int[] mapping;
    private volatile List<Choice> choices;

    /**
     * @param choices the chosen VF for every requested interface, in the request's order
     * @param score 0..{@link Placement#MAX_SCORE}, higher is better, comparable across nodes
     */
    public Fit(List<Choice> choices, int score) {
      this(score, null, null, null);
      this.choices = List.copyOf(choices);
    }

    /**
     * A fit whose choices are worked out when first asked for, from {@code mapping} (a PF index per
     * request position; see {@link Placement#choices}).
     */
    Fit(int score, List<PfState> pfs, PodRequest request, int[] mapping) {
      if (score < 0 || score > Placement.MAX_SCORE) {
        throw new IllegalArgumentException("score " + score + " outside 0.." + Placement.MAX_SCORE);
      }
      this.score = score;
      this.pfs = pfs;
      this.request = request;
      this.mapping = mapping;
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
        c = List.copyOf(Placement.choices(pfs, request, mapping));
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
