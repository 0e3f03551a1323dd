package io.k8srdma.model.extender;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import io.fabric8.kubernetes.api.model.NodeList;
import io.fabric8.kubernetes.api.model.Pod;
import io.k8srdma.model.PodEssentials;
import io.k8srdma.model.PodEssentialsDeserializer;
import java.util.List;

/**
 * The body of a filter or prioritize call.
 *
 * @param pod the pod being scheduled, decoded to its {@link PodEssentials} (what filter and
 *     prioritize read of it: kube-scheduler sends the whole pod, of which they need a tenth)
 * @param nodes the candidate nodes when the extender is not {@code nodeCacheCapable}, else null
 * @param nodenames the candidate node names when the extender is {@code nodeCacheCapable}, else
 *     null
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ExtenderArgs(
    @JsonProperty("pod") @JsonDeserialize(using = PodEssentialsDeserializer.class) Pod pod,
    @JsonProperty("nodes") NodeList nodes,
    @JsonProperty("nodenames") List<String> nodenames) {

  /**
   * The candidate node names whichever mode the scheduler uses: {@code nodenames} when sent, else
   * the names of {@code nodes}.
   */
  public List<String> candidateNames() {
    if (nodenames != null) {
      return nodenames;
    }
    if (nodes == null || nodes.getItems() == null) {
      return List.of();
    }
    return nodes.getItems().stream()
        .filter(n -> n.getMetadata() != null)
        .map(n -> n.getMetadata().getName())
        .toList();
  }
}
