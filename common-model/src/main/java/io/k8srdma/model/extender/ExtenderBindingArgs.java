package io.k8srdma.model.extender;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import java.io.IOException;

/**
 * The body of a bind call: bind this pod to this node.
 *
 * <p>kube-scheduler sends the Go field names of {@code extenderv1.ExtenderBindingArgs} ({@code
 * PodName}, {@code PodNamespace}, {@code PodUID}, {@code Node}: the type has no JSON tags); the
 * lower-case names are read too (see {@link ExtenderArgs}), each field once ({@link Reader}).
 *
 * @param podName the pod's name
 * @param podNamespace the pod's namespace
 * @param podUID the pod's UID, to bind exactly the pod that was scheduled
 * @param node the chosen node
 */
@JsonDeserialize(using = ExtenderBindingArgs.Reader.class)
public record ExtenderBindingArgs(
    @JsonProperty("podName") String podName,
    @JsonProperty("podNamespace") String podNamespace,
    @JsonProperty("podUID") String podUID,
    @JsonProperty("node") String node) {

  /** The fields by name, then the Go name kube-scheduler writes. */
  private static final String[][] NAMES = {
    {"podName", "PodName"}, {"podNamespace", "PodNamespace"}, {"podUID", "PodUID"}, {"node", "Node"}
  };

  /**
   * Reads the body with {@link WireObject}: unknown fields are ignored, a field given twice (under
   * either name) is refused as a mismatched input, never left to Jackson's record support, which
   * fails it as a definition error (see {@link WireObject}).
   */
  static final class Reader extends StdDeserializer<ExtenderBindingArgs> {

    Reader() {
      super(ExtenderBindingArgs.class);
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
    public ExtenderBindingArgs deserialize(JsonParser p, DeserializationContext ctxt)
        throws IOException {
      String[] values = new String[NAMES.length];
      WireObject.read(
          p,
          ctxt,
          ExtenderBindingArgs.class,
          NAMES,
          field -> values[field] = WireObject.text(p, ctxt));
      return new ExtenderBindingArgs(values[0], values[1], values[2], values[3]);
    }
  }
}
