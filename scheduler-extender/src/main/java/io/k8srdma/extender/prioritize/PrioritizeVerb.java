package io.k8srdma.extender.prioritize;

import io.k8srdma.extender.api.VerbMetrics;
import io.k8srdma.extender.filter.PodRef;
import io.k8srdma.extender.scheduling.NodeEvaluator;
import io.k8srdma.model.extender.ExtenderArgs;
import io.k8srdma.model.extender.HostPriority;
import io.k8srdma.model.request.InvalidRequestException;
import io.k8srdma.model.request.PodRequest;
import java.util.List;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * kube-scheduler's prioritize verb, served at {@code k8s-rdma.extender.verbs.prioritize} by {@link
 * io.k8srdma.extender.api.VerbServlet}.
 */
@Component
public class PrioritizeVerb {

  private final NodeEvaluator evaluator;
  private final VerbMetrics metrics;

  public PrioritizeVerb(NodeEvaluator evaluator, VerbMetrics metrics) {
    this.evaluator = evaluator;
    this.metrics = metrics;
  }

  /**
   * Scores the candidate nodes 0..10 (kube-scheduler's {@code HostPriorityList}) by the configured
   * policy: {@code binpack} prefers the node whose used PFs are left with the least bandwidth,
   * {@code spread} the most; a placement with every interface on one NUMA node scores higher. Nodes
   * where the pod does not fit, and every node for a pod without an RDMA request or with a
   * malformed one, score 0 (the scheduler ignores prioritize errors, filter reports them).
   */
  public List<HostPriority> prioritize(ExtenderArgs args) {
    return metrics.time("prioritize", () -> score(args));
  }

  private List<HostPriority> score(ExtenderArgs args) {
    PodRef pod = PodRef.of(args);
    Optional<PodRequest> request;
    try {
      request = evaluator.requestOf(args.pod());
    } catch (InvalidRequestException e) {
      request = Optional.empty();
    }
    List<String> candidates = args.candidateNames();
    if (request.isEmpty()) {
      return candidates.stream().map(n -> new HostPriority(n, 0)).toList();
    }
    NodeEvaluator.PodEvaluation evaluation = evaluator.forPod(pod.uid(), request.get());
    List<HostPriority> scores =
        candidates.stream().map(n -> new HostPriority(n, evaluation.evaluate(n).score())).toList();
    // Prioritize is the last verb that reuses filter's verdicts for this pod.
    evaluation.forget();
    return scores;
  }
}
