package io.k8srdma.model.assignment;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.k8srdma.model.Annotations;
import io.k8srdma.model.inventory.PciAddress;
import io.k8srdma.model.json.Json;
import io.k8srdma.model.json.JsonFields;
import io.k8srdma.model.json.JsonFields.FieldException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Encodes and decodes annotation {@value Annotations#ASSIGNMENT}:
 *
 * <pre>{@code
 * {"node": "worker-7", "interfaces": [{"name": "net1", "pf": "0000:1a:00.0",
 *   "vf": "0000:1a:00.3", "minTxRateMbps": 25000, "maxTxRateMbps": 50000}]}
 * }</pre>
 *
 * Decoding is strict because the ledger is rebuilt from these annotations: {@code node} and every
 * interface field are required, PCI addresses must be full ({@code dddd:bb:dd.f}, see {@link
 * PciAddress}, stored lower case), rates obey the same rules as requests, and names and VFs must be
 * distinct. Unknown fields are ignored.
 */
public final class AssignmentCodec {

  private static final String KEY = Annotations.ASSIGNMENT;
  private static final long MAX_RATE_MBPS = 10_000_000L;

  private AssignmentCodec() {}

  /**
   * The annotation value for {@code assignment}.
   *
   * @throws IllegalArgumentException when {@link #decode} would refuse the value: an annotation the
   *     ledger cannot read back would leave the pod's VFs unaccounted for
   */
  public static String encode(Assignment assignment) {
    String text;
    try {
      text = Json.mapper().writeValueAsString(assignment);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise an assignment record", e);
    }
    try {
      decode(text);
    } catch (InvalidAssignmentException e) {
      throw new IllegalArgumentException(
          "cannot write an unreadable assignment: " + e.getMessage());
    }
    return text;
  }

  /**
   * Decodes an annotation value.
   *
   * @throws InvalidAssignmentException with a message naming the annotation and field
   */
  public static Assignment decode(String text) throws InvalidAssignmentException {
    try {
      JsonNode root = JsonFields.parse(text, KEY);
      JsonFields.requireObject(root, KEY);
      String node = JsonFields.requiredString(root, "node", KEY);
      JsonNode array = root.get("interfaces");
      if (array == null || array.isNull()) {
        throw new FieldException(KEY + ".interfaces", "is required");
      }
      JsonFields.requireArray(array, KEY + ".interfaces");
      if (array.isEmpty()) {
        throw new FieldException(KEY + ".interfaces", "is empty");
      }
      List<AssignedInterface> list = new ArrayList<>();
      for (int i = 0; i < array.size(); i++) {
        list.add(readInterface(array.get(i), KEY + ".interfaces[" + i + "]"));
      }
      checkDistinct(list);
      return new Assignment(node, list);
    } catch (FieldException e) {
      throw new InvalidAssignmentException(e.getMessage());
    }
  }

  /**
   * Reads the assignment from a pod's annotations.
   *
   * @return empty when the pod has no assignment annotation
   * @throws InvalidAssignmentException when it has one that cannot be decoded
   */
  public static Optional<Assignment> read(Map<String, String> annotations)
      throws InvalidAssignmentException {
    if (annotations == null || !annotations.containsKey(KEY)) {
      return Optional.empty();
    }
    return Optional.of(decode(annotations.get(KEY)));
  }

  /**
   * {@link #read}, with an unreadable annotation taken as none: for callers that only use an
   * assignment they can trust and have nothing to tell about a broken one.
   */
  public static Optional<Assignment> readIfValid(Map<String, String> annotations) {
    try {
      return read(annotations);
    } catch (InvalidAssignmentException e) {
      return Optional.empty();
    }
  }

  private static AssignedInterface readInterface(JsonNode entry, String path) {
    JsonFields.requireObject(entry, path);
    String name = JsonFields.requiredString(entry, "name", path);
    String pf = pci(JsonFields.requiredString(entry, "pf", path), path + ".pf");
    String vf = pci(JsonFields.requiredString(entry, "vf", path), path + ".vf");
    long min = JsonFields.requiredLong(entry, "minTxRateMbps", path, 0, MAX_RATE_MBPS);
    long max = JsonFields.requiredLong(entry, "maxTxRateMbps", path, 0, MAX_RATE_MBPS);
    if (max != 0 && max < min) {
      throw new FieldException(path + ".maxTxRateMbps", max + " is below minTxRateMbps " + min);
    }
    if (vf.equals(pf)) {
      throw new FieldException(path + ".vf", vf + " is the PF's own address");
    }
    return new AssignedInterface(name, pf, vf, min, max);
  }

  private static String pci(String text, String path) {
    if (!PciAddress.isValid(text)) {
      throw new FieldException(
          path,
          JsonFields.quote(text)
              + " is not a PCI address like 0000:1a:00.1 (domain:bus:device.function)");
    }
    return PciAddress.normalize(text);
  }

  private static void checkDistinct(List<AssignedInterface> list) {
    Map<String, Integer> names = new HashMap<>();
    Map<String, Integer> vfs = new HashMap<>();
    for (int i = 0; i < list.size(); i++) {
      String path = KEY + ".interfaces[" + i + "]";
      Integer n = names.putIfAbsent(list.get(i).name(), i);
      if (n != null) {
        throw new FieldException(
            path + ".name", "duplicate name " + list.get(i).name() + ", also used by [" + n + "]");
      }
      Integer v = vfs.putIfAbsent(list.get(i).vf(), i);
      if (v != null) {
        throw new FieldException(
            path + ".vf", "VF " + list.get(i).vf() + " is also given to [" + v + "]");
      }
    }
  }
}
