package io.k8srdma.extender.filter;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeList;
import io.fabric8.kubernetes.api.model.NodeListBuilder;
import io.k8srdma.extender.api.VerbMetrics;
import io.k8srdma.extender.scheduling.NodeEvaluator;
import io.k8srdma.model.extender.ExtenderArgs;
import io.k8srdma.model.extender.ExtenderFilterResult;
import io.k8srdma.model.request.InvalidRequestException;
import io.k8srdma.model.request.PodRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * kube-scheduler's filter verb, served at {@code k8s-rdma.extender.verbs.filter} by {@link
 * io.k8srdma.extender.api.VerbServlet}.
 */
@Component
public class FilterVerb {

  private static final Logger log = LoggerFactory.getLogger(FilterVerb.class);

  private final NodeEvaluator evaluator;
  private final VerbMetrics metrics;

  public FilterVerb(NodeEvaluator evaluator, VerbMetrics metrics) {
    this.evaluator = evaluator;
    this.metrics = metrics;
  }

  /**
   * Filters the candidate nodes for a pod (kube-scheduler {@code ExtenderArgs} in, {@code
   * ExtenderFilterResult} out).
   *
   * <p>Answers in the mode the scheduler asked in: {@code nodenames} when it sent names ({@code
   * nodeCacheCapable: true}), {@code nodes} when it sent a NodeList. A pod without an RDMA request
   * passes every node. Nodes that lack free VFs or bandwidth are {@code failedNodes} (a preemption
   * may free them); nodes whose inventory is missing or stale, and every node when the pod's
   * request is malformed, are {@code failedAndUnresolvableNodes}, with the reason.
   */
  public ExtenderFilterResult filter(ExtenderArgs args) {
    return metrics.time("filter", () -> doFilter(args));
  }

  private ExtenderFilterResult doFilter(ExtenderArgs args) {
    PodRef pod = PodRef.of(args);
    List<String> candidates = args.candidateNames();
    Optional<PodRequest> request;
    try {
      request = evaluator.requestOf(args.pod());
    } catch (InvalidRequestException e) {
      log.info("filter pod {}: invalid RDMA request: {}", pod, e.getMessage());
      Map<String, String> all = new LinkedHashMap<>();
      candidates.forEach(n -> all.put(n, e.getMessage()));
      return result(args, List.of(), Map.of(), all);
    }
    if (request.isEmpty()) {
      return result(args, candidates, Map.of(), Map.of());
    }
    List<String> passing = new ArrayList<>();
    Map<String, String> failed = new LinkedHashMap<>();
    Map<String, String> unresolvable = new LinkedHashMap<>();
    NodeEvaluator.PodEvaluation evaluation = evaluator.forPod(pod.uid(), request.get());
    for (String node : candidates) {
      NodeEvaluator.Verdict verdict = evaluation.evaluate(node);
      if (verdict.fits()) {
        passing.add(node);
      } else if (verdict.unusable() != null) {
        unresolvable.put(node, verdict.unusable());
      } else {
        failed.put(node, verdict.reason());
      }
    }
    log.debug("filter pod {}: {} of {} nodes fit", pod, passing.size(), candidates.size());
    return result(args, passing, failed, unresolvable);
  }

  private static ExtenderFilterResult result(
      ExtenderArgs args,
      List<String> passing,
      Map<String, String> failed,
      Map<String, String> unresolvable) {
    Map<String, String> f = failed.isEmpty() ? null : failed;
    Map<String, String> u = unresolvable.isEmpty() ? null : unresolvable;
    if (args.nodenames() != null) {
      return ExtenderFilterResult.ofNodeNames(passing, f, u);
    }
    return ExtenderFilterResult.ofNodes(keep(args.nodes(), passing), f, u);
  }

  private static NodeList keep(NodeList nodes, List<String> names) {
    Set<String> keep = Set.copyOf(names);
    List<Node> items =
        nodes == null || nodes.getItems() == null
            ? List.of()
            : nodes.getItems().stream()
                .filter(n -> n.getMetadata() != null && keep.contains(n.getMetadata().getName()))
                .collect(Collectors.toList());
    return new NodeListBuilder().withItems(items).build();
  }
}
