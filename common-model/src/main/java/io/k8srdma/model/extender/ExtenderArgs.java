package io.k8srdma.model.extender;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeList;
import io.fabric8.kubernetes.api.model.Pod;
import io.k8srdma.model.PodEssentials;
import io.k8srdma.model.PodEssentialsDeserializer;
import java.io.IOException;
import java.util.List;

/**
 * The body of a filter or prioritize call.
 *
 * <p>kube-scheduler writes it with Go's {@code json.Marshal} of {@code extenderv1.ExtenderArgs},
 * whose fields have no JSON tags, so the keys are the Go field names: {@code Pod}, {@code Nodes},
 * {@code NodeNames} (the nil one as {@code null}). The lower-case names ({@code pod}, {@code
 * nodes}, {@code nodenames}) are read too, as this project's API has always documented them and
 * kube-scheduler releases before the types moved to {@code k8s.io/kube-scheduler} tagged them so.
 * Each field is read once ({@link Reader}); unknown fields are ignored.
 *
 * @param pod the pod being scheduled, decoded to its {@link PodEssentials} (what filter and
 *     prioritize read of it: kube-scheduler sends the whole pod, of which they need a tenth)
 * @param nodes the candidate nodes when the extender is not {@code nodeCacheCapable}, else null
 * @param nodenames the candidate node names when the extender is {@code nodeCacheCapable}, else
 *     null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonDeserialize(using = ExtenderArgs.Reader.class)
public record ExtenderArgs(
    @JsonProperty("pod") Pod pod,
    @JsonProperty("nodes") NodeList nodes,
    @JsonProperty("nodenames") List<String> nodenames) {

  /** The fields by name, then the Go name kube-scheduler writes. */
  private static final String[][] NAMES = {
    {"pod", "Pod"}, {"nodes", "Nodes"}, {"nodenames", "NodeNames"}
  };

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

  /**
   * Reads the body with {@link WireObject} (a field given twice, under either name, is refused as a
   * mismatched input, see there): the pod straight to its essentials ({@link
   * PodEssentialsDeserializer}), the nodes and names as Jackson reads them; a candidate without a
   * name fails the constructor, which is reported as Jackson reports a failed creator.
   */
  static final class Reader extends StdDeserializer<ExtenderArgs> {

    private static final PodEssentialsDeserializer POD = new PodEssentialsDeserializer();

    Reader() {
      super(ExtenderArgs.class);
    }

    /**
     * Stateless, so Jackson may keep it: else every request body creates a new one (Spring's
     * message converter asks whether it can read the type before reading it), through Spring's bean
     * factory in the extender.
     */
    @Override
    public boolean isCachable() {
      return true;
    }

    @Override
    public ExtenderArgs deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      Object[] values = new Object[NAMES.length];
      WireObject.read(
          p,
          ctxt,
          ExtenderArgs.class,
          NAMES,
          field -> {
            if (p.currentToken() != JsonToken.VALUE_NULL) {
              values[field] =
                  switch (field) {
                    case 0 -> POD.deserialize(p, ctxt);
                    case 1 -> ctxt.readValue(p, NodeList.class);
                    default -> ctxt.readValue(p, names(ctxt));
                  };
            }
          });
      try {
        @SuppressWarnings("unchecked")
        List<String> names = (List<String>) values[2];
        return new ExtenderArgs((Pod) values[0], (NodeList) values[1], names);
      } catch (IllegalArgumentException e) {
        return (ExtenderArgs) ctxt.handleInstantiationProblem(ExtenderArgs.class, null, e);
      }
    }

    private static JavaType names(DeserializationContext ctxt) {
      return ctxt.getTypeFactory().constructCollectionType(List.class, String.class);
    }
  }
}
