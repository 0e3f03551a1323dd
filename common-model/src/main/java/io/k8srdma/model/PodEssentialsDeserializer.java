package io.k8srdma.model;

import static com.fasterxml.jackson.core.JsonToken.VALUE_NULL;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.k8srdma.model.request.PodRequestCodec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a pod's JSON straight into its {@link PodEssentials}: the same {@link Pod} that {@link
 * PodEssentials#trim} makes of the whole pod, without building the whole pod first. The fields it
 * does not keep are skipped token by token: decoded whole, fabric8's model makes some hundred
 * objects of a training-job pod, each with its own maps and lists, three times the garbage and a
 * third more time than this (reading the JSON is most of what is left; docs/benchmarks-log.md).
 *
 * <p>Fields it keeps are decoded as Jackson decodes them into the whole pod (a number where a
 * string is expected becomes its text, a wrong type fails with Jackson's error naming the field);
 * fields it drops are not checked at all.
 */
public final class PodEssentialsDeserializer extends StdDeserializer<Pod> {

  /**
   * The deserializer fabric8 names on {@link Quantity}, stateless. Asked for by type, it is not
   * cached (Jackson caches only deserializers that say they may be), so every quantity would create
   * a new one, through Spring's bean factory in a Spring application: 4% of the extender's CPU
   * samples before it was shared.
   */
  private static final Quantity.Deserializer QUANTITY = new Quantity.Deserializer();

  public PodEssentialsDeserializer() {
    super(Pod.class);
  }

  /** Stateless, so Jackson may keep one for every pod it reads. */
  @Override
  public boolean isCachable() {
    return true;
  }

  @Override
  public Pod deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
    Pod pod = new Pod();
    forEachField(
        p,
        ctxt,
        pod,
        (field, value) -> {
          switch (field) {
            case "apiVersion" -> pod.setApiVersion(text(p, ctxt));
            case "kind" -> pod.setKind(text(p, ctxt));
            case "metadata" -> pod.setMetadata(value == VALUE_NULL ? null : metadata(p, ctxt));
            case "spec" -> pod.setSpec(value == VALUE_NULL ? null : spec(p, ctxt));
            case "status" -> pod.setStatus(value == VALUE_NULL ? null : status(p, ctxt));
            default -> p.skipChildren();
          }
        });
    return pod;
  }

  private static ObjectMeta metadata(JsonParser p, DeserializationContext ctxt) throws IOException {
    ObjectMeta meta = new ObjectMeta();
    forEachField(
        p,
        ctxt,
        meta,
        (field, value) -> {
          switch (field) {
            case "name" -> meta.setName(text(p, ctxt));
            case "namespace" -> meta.setNamespace(text(p, ctxt));
            case "uid" -> meta.setUid(text(p, ctxt));
            case "resourceVersion" -> meta.setResourceVersion(text(p, ctxt));
            case "annotations" ->
                meta.setAnnotations(value == VALUE_NULL ? null : strings(p, ctxt));
            default -> p.skipChildren();
          }
        });
    return meta;
  }

  private static PodSpec spec(JsonParser p, DeserializationContext ctxt) throws IOException {
    PodSpec spec = new PodSpec();
    forEachField(
        p,
        ctxt,
        spec,
        (field, value) -> {
          switch (field) {
            case "nodeName" -> spec.setNodeName(text(p, ctxt));
            case "containers" -> spec.setContainers(containers(p, ctxt));
            case "initContainers" -> spec.setInitContainers(containers(p, ctxt));
            default -> p.skipChildren();
          }
        });
    return spec;
  }

  private static PodStatus status(JsonParser p, DeserializationContext ctxt) throws IOException {
    PodStatus status = new PodStatus();
    forEachField(
        p,
        ctxt,
        status,
        (field, value) -> {
          if (field.equals("phase")) {
            status.setPhase(text(p, ctxt));
          } else {
            p.skipChildren();
          }
        });
    return status;
  }

  /** The containers, each reduced to its name and VF resources; null elements are left out. */
  private static List<Container> containers(JsonParser p, DeserializationContext ctxt)
      throws IOException {
    if (p.currentToken() == VALUE_NULL) {
      return null;
    }
    if (p.currentToken() != JsonToken.START_ARRAY) {
      return ctxt.reportInputMismatch(
          List.class, "expected an array of containers, got %s", describe(p.currentToken()));
    }
    List<Container> containers = new ArrayList<>();
    for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
      if (t != VALUE_NULL) {
        try {
          containers.add(container(p, ctxt));
        } catch (JsonMappingException e) {
          throw JsonMappingException.wrapWithPath(e, containers, containers.size());
        }
      }
    }
    return containers;
  }

  private static Container container(JsonParser p, DeserializationContext ctxt) throws IOException {
    Container container = new Container();
    forEachField(
        p,
        ctxt,
        container,
        (field, value) -> {
          switch (field) {
            case "name" -> container.setName(text(p, ctxt));
            case "resources" ->
                container.setResources(value == VALUE_NULL ? null : resources(p, ctxt));
            default -> p.skipChildren();
          }
        });
    return container;
  }

  private static ResourceRequirements resources(JsonParser p, DeserializationContext ctxt)
      throws IOException {
    ResourceRequirements resources = new ResourceRequirements();
    // As PodEssentials.trim: no VF quantity means no map at all, not an empty one.
    resources.setRequests(null);
    resources.setLimits(null);
    forEachField(
        p,
        ctxt,
        resources,
        (field, value) -> {
          switch (field) {
            case "requests" -> resources.setRequests(vfOnly(p, ctxt));
            case "limits" -> resources.setLimits(vfOnly(p, ctxt));
            default -> p.skipChildren();
          }
        });
    return resources;
  }

  /**
   * The {@code k8s-rdma.io/vf} quantity of a requests or limits map, as a map; null without one.
   */
  private static Map<String, Quantity> vfOnly(JsonParser p, DeserializationContext ctxt)
      throws IOException {
    if (p.currentToken() == VALUE_NULL) {
      return null;
    }
    Map<String, Quantity> quantities = new LinkedHashMap<>();
    forEachField(
        p,
        ctxt,
        quantities,
        (field, value) -> {
          if (field.equals(PodRequestCodec.VF_RESOURCE) && value != VALUE_NULL) {
            quantities.put(field, QUANTITY.deserialize(p, ctxt));
          } else {
            p.skipChildren();
          }
        });
    return quantities.isEmpty() ? null : Map.copyOf(quantities);
  }

  /**
   * A map of strings (annotations), read as Jackson reads one into a {@code Map<String, String>}.
   */
  private static Map<String, String> strings(JsonParser p, DeserializationContext ctxt)
      throws IOException {
    Map<String, String> strings = new LinkedHashMap<>();
    forEachField(p, ctxt, strings, (field, value) -> strings.put(field, text(p, ctxt)));
    return strings;
  }

  /** Reads one field's value; the parser is at the value's first token. */
  @FunctionalInterface
  private interface FieldReader {
    void read(String field, JsonToken value) throws IOException;
  }

  /**
   * Calls {@code reader} for each field of the JSON object the parser is at (its start, or its
   * first field when Jackson has read ahead), and names the field in any mapping error, as Jackson
   * does for the beans it decodes.
   */
  private static void forEachField(
      JsonParser p, DeserializationContext ctxt, Object bean, FieldReader reader)
      throws IOException {
    String field;
    if (p.currentToken() == JsonToken.FIELD_NAME) {
      field = p.currentName();
    } else if (p.currentToken() == JsonToken.START_OBJECT) {
      field = p.nextFieldName();
    } else {
      Class<?> type = bean.getClass();
      ctxt.reportInputMismatch(
          type,
          "expected an object (%s), got %s",
          type.getSimpleName(),
          describe(p.currentToken()));
      return;
    }
    for (; field != null; field = p.nextFieldName()) {
      JsonToken value = p.nextToken();
      try {
        reader.read(field, value);
      } catch (JsonMappingException | RuntimeException e) {
        // A deserializer's unchecked exception (fabric8's Quantity throws IllegalArgumentException
        // for an empty quantity) becomes a mapping error naming the field, as Jackson's bean
        // deserializers make it.
        throw JsonMappingException.wrapWithPath(e, bean, field);
      }
    }
  }

  /** A string field as Jackson reads one: text as is, other scalars as their text, null as null. */
  private static String text(JsonParser p, DeserializationContext ctxt) throws IOException {
    JsonToken t = p.currentToken();
    if (t == JsonToken.VALUE_STRING) {
      return p.getText();
    }
    if (t == VALUE_NULL) {
      return null;
    }
    return ctxt.readValue(p, String.class);
  }

  private static String describe(JsonToken token) {
    return switch (token) {
      case START_OBJECT -> "an object";
      case START_ARRAY -> "an array";
      case VALUE_STRING -> "a string";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      default -> String.valueOf(token);
    };
  }
}
