package io.k8srdma.model;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.util.TokenBuffer;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.WatchEvent;
import java.io.IOException;

/**
 * Reads a Kubernetes watch event without first reading its object into a tree, as fabric8 does to
 * find the object's kind; a pod goes straight to its {@link PodEssentials}. For a client that
 * decodes pods so ({@link PodEssentials#module()}).
 *
 * <p>fabric8 reads a watch event's object into a {@code JsonNode} tree and then converts the tree:
 * for a pod of 4 KB the tree alone is ~45 KB of garbage, and a pod informer sees every pod of the
 * cluster at every change. The API server writes an object's {@code kind} and {@code apiVersion}
 * first (fabric8's serialization too, the other way round), so once they are read, a {@code v1} Pod
 * is decoded to its essentials, and a {@code v1} Node whole, as they stream by. Any other object
 * (the Status of an {@code ERROR} event, a pod whose {@code kind} comes later) goes to fabric8's
 * own deserializer as before.
 */
public final class WatchEventDeserializer extends StdDeserializer<WatchEvent> {

  private final PodEssentialsDeserializer pods = new PodEssentialsDeserializer();

  public WatchEventDeserializer() {
    super(WatchEvent.class);
  }

  @Override
  public WatchEvent deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
    if (p.currentToken() != JsonToken.START_OBJECT) {
      return ctxt.reportInputMismatch(
          WatchEvent.class, "expected a watch event object, got %s", p.currentToken());
    }
    WatchEvent event = new WatchEvent();
    for (String field = p.nextFieldName(); field != null; field = p.nextFieldName()) {
      JsonToken value = p.nextToken();
      switch (field) {
        case "type" ->
            event.setType(value == JsonToken.VALUE_NULL ? null : ctxt.readValue(p, String.class));
        case "object" ->
            event.setObject(
                value == JsonToken.START_OBJECT
                    ? object(p, ctxt)
                    : ctxt.readValue(p, KubernetesResource.class));
        default -> p.skipChildren();
      }
    }
    return event;
  }

  /** The event's object; the parser is at its start and is left at its end. */
  private KubernetesResource object(JsonParser p, DeserializationContext ctxt) throws IOException {
    // The type fields come first: kind then apiVersion from the API server, the other way round
    // from fabric8's own serialization (its mock server's, say).
    String kind = null;
    String apiVersion = null;
    JsonToken t = p.nextToken();
    while (t == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      boolean typeField =
          name.equals("kind") && kind == null || name.equals("apiVersion") && apiVersion == null;
      if (!typeField) {
        break;
      }
      if (p.nextToken() != JsonToken.VALUE_STRING) {
        return asFabric8Does(p, ctxt, kind, apiVersion, name);
      }
      if (name.equals("kind")) {
        kind = p.getText();
      } else {
        apiVersion = p.getText();
      }
      t = p.nextToken();
    }
    boolean v1 = apiVersion == null || apiVersion.equals("v1");
    if ("Pod".equals(kind) && v1) {
      Pod pod = t == JsonToken.END_OBJECT ? new Pod() : pods.deserialize(p, ctxt);
      pod.setKind(kind);
      if (apiVersion != null) {
        pod.setApiVersion(apiVersion);
      }
      return pod;
    }
    if ("Node".equals(kind) && apiVersion != null && v1) {
      // Jackson's bean deserializer takes an object from its next field on: the type fields
      // already read are the class's defaults.
      return ctxt.readValue(p, Node.class);
    }
    return asFabric8Does(p, ctxt, kind, apiVersion, null);
  }

  /**
   * Hands the object to fabric8's deserializer, with the type fields already read put back in front
   * of the rest. The parser is at the value of field {@code pending}, or (with {@code pending}
   * null) at the next field or the object's end.
   */
  private static KubernetesResource asFabric8Does(
      JsonParser p, DeserializationContext ctxt, String kind, String apiVersion, String pending)
      throws IOException {
    TokenBuffer whole = ctxt.bufferForInputBuffering(p);
    whole.writeStartObject();
    if (kind != null) {
      whole.writeStringField("kind", kind);
    }
    if (apiVersion != null) {
      whole.writeStringField("apiVersion", apiVersion);
    }
    JsonToken t = p.currentToken();
    if (pending != null) {
      whole.writeFieldName(pending);
      whole.copyCurrentStructure(p);
      t = p.nextToken();
    }
    for (; t == JsonToken.FIELD_NAME; t = p.nextToken()) {
      whole.copyCurrentStructure(p);
    }
    whole.writeEndObject();
    try (JsonParser replay = whole.asParser(p)) {
      replay.nextToken();
      return ctxt.readValue(replay, KubernetesResource.class);
    }
  }
}
