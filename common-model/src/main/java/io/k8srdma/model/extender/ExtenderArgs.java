package io.k8srdma.model.extender;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeList;
import io.fabric8.kubernetes.api.model.Pod;
import io.k8srdma.model.PodEssentials;
import io.k8srdma.model.PodEssentialsDeserializer;
import java.util.List;

/**
 * The body of a filter or prioritize call.
 *
 * <p>kube-scheduler writes it with Go's {@code json.Marshal} of {@code extenderv1.ExtenderArgs},
 * whose fields have no JSON tags, so the keys are the Go field names: {@code Pod}, {@code Nodes},
 * {@code NodeNames} (the nil one as {@code null}). The lower-case names ({@code pod}, {@code
 * nodes}, {@code nodenames}) are read too, as this project's API has always documented them and
 * kube-scheduler releases before the types moved to {@code k8s.io/kube-scheduler} tagged them so.
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
    @JsonProperty("pod") @JsonAlias("Pod") @JsonDeserialize(using = PodEssentialsDeserializer.class)
        Pod pod,
    @JsonProperty("nodes") @JsonAlias("Nodes") NodeList nodes,
    @JsonProperty("nodenames") @JsonAlias("NodeNames") List<String> nodenames) {

  /**
   * Every candidate must have a name: the answer names the nodes, and a nameless one could only be
   * dropped silently.
   *
   * @throws IllegalArgumentException naming the first candidate without a name
   */
  public ExtenderArgs {
    if (nodenames != null) {
      for (int i = 0; i < nodenames.size(); i++) {
        if (nodenames.get(i) == null || nodenames.get(i).isEmpty()) {
          throw new IllegalArgumentException(
              "ExtenderArgs.nodenames[" + i + "] is empty: every candidate needs a node name");
        }
      }
    }
    if (nodes != null && nodes.getItems() != null) {
      List<Node> items = nodes.getItems();
      for (int i = 0; i < items.size(); i++) {
        Node n = items.get(i);
        if (n == null
            || n.getMetadata() == null
            || n.getMetadata().getName() == null
            || n.getMetadata().getName().isEmpty()) {
          throw new IllegalArgumentException(
              "ExtenderArgs.nodes.items[" + i + "].metadata.name is required");
        }
      }
    }
  }

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
    return nodes.getItems().stream().map(n -> n.getMetadata().getName()).toList();
  }
}
