package io.k8srdma.model.extender;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.fabric8.kubernetes.api.model.NodeList;
import java.util.List;
import java.util.Map;

/**
 * The answer to a filter call. Null fields are left out, as Go's {@code omitempty} does.
 *
 * @param nodes the nodes that pass, when the scheduler sent {@code nodes}
 * @param nodenames the names of the nodes that pass, when the scheduler sent {@code nodenames}
 * @param failedNodes node name to reason, for nodes that fail but preemption might help
 * @param failedAndUnresolvableNodes node name to reason, for nodes preemption cannot help
 * @param error a failure of the whole call; the scheduling attempt fails unless ignorable
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ExtenderFilterResult(
    @JsonProperty("nodes") NodeList nodes,
    @JsonProperty("nodenames") List<String> nodenames,
    @JsonProperty("failedNodes") Map<String, String> failedNodes,
    @JsonProperty("failedAndUnresolvableNodes") Map<String, String> failedAndUnresolvableNodes,
    @JsonProperty("error") String error) {

  /** A result in node-names mode ({@code nodeCacheCapable: true}). */
  public static ExtenderFilterResult ofNodeNames(
      List<String> passing, Map<String, String> failed, Map<String, String> unresolvable) {
    return new ExtenderFilterResult(null, passing, failed, unresolvable, null);
  }

  /** A result in full-nodes mode ({@code nodeCacheCapable: false}). */
  public static ExtenderFilterResult ofNodes(
      NodeList passing, Map<String, String> failed, Map<String, String> unresolvable) {
    return new ExtenderFilterResult(passing, null, failed, unresolvable, null);
  }

  /** A failure of the whole call. */
  public static ExtenderFilterResult ofError(String error) {
    return new ExtenderFilterResult(null, null, null, null, error);
  }
}
