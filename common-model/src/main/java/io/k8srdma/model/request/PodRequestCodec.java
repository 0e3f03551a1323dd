package io.k8srdma.model.request;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.k8srdma.model.Annotations;
import io.k8srdma.model.inventory.LinkLayer;
import io.k8srdma.model.json.Json;
import io.k8srdma.model.json.JsonFields;
import io.k8srdma.model.json.JsonFields.FieldException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads a pod's RDMA request from its annotations and its {@value #VF_RESOURCE} resource count.
 *
 * <h2>The k8s-rdma request: annotation {@value Annotations#INTERFACES}</h2>
 *
 * <pre>{@code
 * [{"name": "net1", "minTxRateMbps": 25000, "maxTxRateMbps": 50000, "linkLayer": "InfiniBand"}]
 * }</pre>
 *
 * One entry per VF. {@code minTxRateMbps} is required (a whole number >= 0); {@code maxTxRateMbps}
 * is optional (0, the default, means unlimited; otherwise >= the floor); rates above {@value
 * InterfaceRequest#MAX_RATE_MBPS} Mb/s are rejected as typos. Optional: {@code name} (default
 * {@code net<position>}, 1-based; names must be distinct valid Linux interface names and not {@code
 * eth0} or {@code lo}), {@code linkLayer} ({@code InfiniBand} or {@code Ethernet}, any case; {@code
 * RoCE} is read as Ethernet), {@code pf} (PF netdev name or PCI address), {@code numaNode} (>= 0).
 * JSON {@code null} is the same as an absent field; unknown fields are ignored so newer writers can
 * add fields. At most {@value #MAX_INTERFACES} entries.
 *
 * <h2>The RIT k8s-rdma request: annotation {@value Annotations#RIT_INTERFACES}</h2>
 *
 * <pre>{@code
 * [{"min_tx_rate": 15000, "max_tx_rate": 20000}, {"min_tx_rate": 5000}, {}]
 * }</pre>
 *
 * Mapped entry by entry: {@code min_tx_rate} to {@code minTxRateMbps} (default 0: any VF), {@code
 * max_tx_rate} to {@code maxTxRateMbps} (default 0: unlimited), both Mb/s as in RIT; names are the
 * defaults {@code net1, net2, ...}; no link layer, PF or NUMA constraint. The same validation
 * applies, with errors naming the RIT field (e.g. {@code rdma_interfaces_required[0].min_tx_rate}).
 * As in RIT, a blank value means no request. Stricter than RIT: a ceiling below the floor is an
 * error (RIT did not check). When both annotations are present the k8s-rdma one wins and the RIT
 * one is not read at all.
 *
 * <h2>The extended resource {@value #VF_RESOURCE}</h2>
 *
 * When the pod requests {@code n > 0} of it, an annotation must list exactly {@code n} entries;
 * with no annotation it means {@code n} interfaces without floor or constraint. A count of 0 or no
 * count is the same as not requesting the resource.
 */
public final class PodRequestCodec {

  /** The extended resource a pod may request, one unit per VF. */
  public static final String VF_RESOURCE = "k8s-rdma.io/vf";

  /**
   * More interfaces than this in one pod is a mistake, and would make placement needlessly slow.
   */
  public static final int MAX_INTERFACES = 32;

  // Linux IFNAMSIZ is 16 including the NUL; restrict the alphabet to what CNI plugins accept.
  private static final Pattern IFNAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,14}");

  private PodRequestCodec() {}

  /**
   * Reads the RDMA request of a pod from its annotations and resource count.
   *
   * @param annotations the pod's annotations; null is the same as none
   * @param vfResourceCount how many {@value #VF_RESOURCE} the pod requests, or null for none
   * @return empty when the pod asks for no RDMA interface
   * @throws InvalidRequestException with a message naming the annotation and field
   */
  public static Optional<PodRequest> read(Map<String, String> annotations, Integer vfResourceCount)
      throws InvalidRequestException {
    Map<String, String> a = annotations == null ? Map.of() : annotations;
    int count = checkCount(vfResourceCount);
    List<InterfaceRequest> interfaces;
    String source;
    if (a.containsKey(Annotations.INTERFACES)) {
      source = Annotations.INTERFACES;
      interfaces = readInterfaces(a.get(source));
    } else if (a.containsKey(Annotations.RIT_INTERFACES)
        && !isBlank(a.get(Annotations.RIT_INTERFACES))) {
      source = Annotations.RIT_INTERFACES;
      interfaces = readRitInterfaces(a.get(source));
    } else if (count > 0) {
      return Optional.of(new PodRequest(anyInterfaces(count)));
    } else {
      return Optional.empty();
    }
    if (count > 0 && count != interfaces.size()) {
      throw new InvalidRequestException(
          source
              + ": lists "
              + interfaces.size()
              + " interface(s) but the pod requests "
              + count
              + " "
              + VF_RESOURCE
              + "; the two must match");
    }
    return Optional.of(new PodRequest(interfaces));
  }

  /**
   * Reads the RDMA request of a pod object: its annotations and the {@value #VF_RESOURCE} count of
   * its containers.
   *
   * @throws InvalidRequestException as {@link #read(Map, Integer)}, or when the resource quantity
   *     is not a whole number
   */
  public static Optional<PodRequest> read(Pod pod) throws InvalidRequestException {
    Map<String, String> annotations =
        pod.getMetadata() == null ? null : pod.getMetadata().getAnnotations();
    return read(annotations, vfResourceCount(pod));
  }

  /**
   * The pod's effective {@value #VF_RESOURCE} count as Kubernetes computes it: the larger of the
   * sum over its containers and the largest init container; per container the request, else the
   * limit (extended resources cannot be overcommitted, so the two are equal when both are set).
   *
   * @return null when no container mentions the resource
   * @throws InvalidRequestException when a quantity is not a whole number
   */
  public static Integer vfResourceCount(Pod pod) throws InvalidRequestException {
    if (pod.getSpec() == null) {
      return null;
    }
    Long sum = null;
    for (Container c : nullToEmpty(pod.getSpec().getContainers())) {
      Long n = containerCount(c);
      if (n != null) {
        sum = sum == null ? n : saturatedSum(sum, n);
      }
    }
    Long initMax = null;
    for (Container c : nullToEmpty(pod.getSpec().getInitContainers())) {
      Long n = containerCount(c);
      if (n != null) {
        initMax = initMax == null ? n : Math.max(initMax, n);
      }
    }
    if (sum == null && initMax == null) {
      return null;
    }
    long total = Math.max(sum == null ? 0 : sum, initMax == null ? 0 : initMax);
    return (int) Math.min(total, Integer.MAX_VALUE);
  }

  /** Encodes a request as the {@value Annotations#INTERFACES} annotation value. */
  public static String write(PodRequest request) {
    List<Map<String, Object>> entries = new ArrayList<>();
    for (InterfaceRequest r : request.interfaces()) {
      Map<String, Object> e = new java.util.LinkedHashMap<>();
      e.put("name", r.name());
      e.put("minTxRateMbps", r.minTxRateMbps());
      e.put("maxTxRateMbps", r.maxTxRateMbps());
      if (r.linkLayer() != null) {
        e.put("linkLayer", r.linkLayer().sysfsName());
      }
      if (r.pf() != null) {
        e.put("pf", r.pf());
      }
      if (r.numaNode() != null) {
        e.put("numaNode", r.numaNode());
      }
      entries.add(e);
    }
    try {
      return Json.mapper().writeValueAsString(entries);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise a list of maps", e);
    }
  }

  private static boolean isBlank(String s) {
    return s == null || s.isBlank();
  }

  private static int checkCount(Integer count) throws InvalidRequestException {
    if (count == null) {
      return 0;
    }
    if (count < 0) {
      throw new InvalidRequestException(VF_RESOURCE + ": " + count + " is negative");
    }
    if (count > MAX_INTERFACES) {
      throw new InvalidRequestException(
          VF_RESOURCE + ": " + count + " is more than the maximum of " + MAX_INTERFACES);
    }
    return count;
  }

  private static List<InterfaceRequest> anyInterfaces(int count) {
    List<InterfaceRequest> list = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      list.add(InterfaceRequest.any(defaultName(i)));
    }
    return list;
  }

  private static String defaultName(int position) {
    return "net" + (position + 1);
  }

  private static List<InterfaceRequest> readInterfaces(String text) throws InvalidRequestException {
    String key = Annotations.INTERFACES;
    try {
      JsonNode array = entries(text, key);
      List<InterfaceRequest> list = new ArrayList<>();
      for (int i = 0; i < array.size(); i++) {
        list.add(readInterface(array.get(i), key + "[" + i + "]", i));
      }
      checkDistinctNames(list, key, explicitNames(array));
      return list;
    } catch (FieldException e) {
      throw new InvalidRequestException(e.getMessage());
    }
  }

  private static InterfaceRequest readInterface(JsonNode entry, String path, int position) {
    JsonFields.requireObject(entry, path);
    String name = readName(entry, path, position);
    long min =
        JsonFields.requiredLong(entry, "minTxRateMbps", path, 0, InterfaceRequest.MAX_RATE_MBPS);
    long max =
        JsonFields.optionalLong(entry, "maxTxRateMbps", path, 0, InterfaceRequest.MAX_RATE_MBPS)
            .orElse(0);
    checkCeiling(min, max, path + ".maxTxRateMbps", "minTxRateMbps");
    LinkLayer linkLayer =
        JsonFields.optionalString(entry, "linkLayer", path)
            .map(t -> parseLinkLayer(t, path + ".linkLayer"))
            .orElse(null);
    String pf = JsonFields.optionalString(entry, "pf", path).orElse(null);
    Integer numa =
        JsonFields.optionalLong(entry, "numaNode", path, 0, 1023).stream()
            .mapToObj(n -> (int) n)
            .findFirst()
            .orElse(null);
    return new InterfaceRequest(name, min, max, linkLayer, pf, numa);
  }

  private static List<InterfaceRequest> readRitInterfaces(String text)
      throws InvalidRequestException {
    String key = Annotations.RIT_INTERFACES;
    try {
      JsonNode array = entries(text, key);
      List<InterfaceRequest> list = new ArrayList<>();
      for (int i = 0; i < array.size(); i++) {
        String path = key + "[" + i + "]";
        JsonNode entry = array.get(i);
        JsonFields.requireObject(entry, path);
        String minKey = ritKey(entry, "min_tx_rate", path);
        String maxKey = ritKey(entry, "max_tx_rate", path);
        long min =
            JsonFields.optionalLong(entry, minKey, path, 0, InterfaceRequest.MAX_RATE_MBPS)
                .orElse(0);
        long max =
            JsonFields.optionalLong(entry, maxKey, path, 0, InterfaceRequest.MAX_RATE_MBPS)
                .orElse(0);
        checkCeiling(min, max, path + "." + maxKey, minKey);
        list.add(new InterfaceRequest(defaultName(i), min, max, null, null, null));
      }
      return list;
    } catch (FieldException e) {
      throw new InvalidRequestException(e.getMessage());
    }
  }

  /**
   * The key under which a RIT entry gives {@code field}: RIT's Go decoder matched keys without
   * regard to case ({@code Min_Tx_Rate} set its floor), so we do too; two spellings of one field
   * are refused rather than one picked.
   */
  private static String ritKey(JsonNode entry, String field, String path) {
    String found = null;
    for (Iterator<String> keys = entry.fieldNames(); keys.hasNext(); ) {
      String key = keys.next();
      if (key.toLowerCase(Locale.ROOT).equals(field)) {
        if (found != null) {
          throw new FieldException(
              path + "." + key, "gives " + field + " again, also given as " + found);
        }
        found = key;
      }
    }
    return found == null ? field : found;
  }

  /** Parses the annotation and checks the array's shape and size. */
  private static JsonNode entries(String text, String key) {
    JsonNode array = JsonFields.parse(text, key);
    JsonFields.requireArray(array, key);
    if (array.isEmpty()) {
      // An annotation that asks for nothing is more likely a templating mistake than intent, and
      // "no RDMA" must never be a silent outcome of a mistake.
      throw new FieldException(
          key, "lists no interface; remove the annotation if the pod needs no RDMA");
    }
    if (array.size() > MAX_INTERFACES) {
      throw new FieldException(
          key, array.size() + " interfaces is more than the maximum of " + MAX_INTERFACES);
    }
    return array;
  }

  private static String readName(JsonNode entry, String path, int position) {
    Optional<String> explicit = JsonFields.optionalString(entry, "name", path);
    if (explicit.isEmpty()) {
      return defaultName(position);
    }
    String name = explicit.get();
    if (!IFNAME.matcher(name).matches()) {
      throw new FieldException(
          path + ".name",
          JsonFields.quote(name)
              + " is not a valid interface name: 1-15 letters, digits, '_', '.' or '-',"
              + " starting with a letter or digit");
    }
    if (name.equals("eth0") || name.equals("lo")) {
      throw new FieldException(
          path + ".name", "'" + name + "' is taken by the pod's own network; choose another name");
    }
    return name;
  }

  private static void checkCeiling(long min, long max, String maxPath, String minField) {
    if (max != 0 && max < min) {
      throw new FieldException(maxPath, max + " is below " + minField + " " + min);
    }
  }

  private static LinkLayer parseLinkLayer(String text, String path) {
    if (text.trim().toLowerCase(Locale.ROOT).equals("roce")) {
      return LinkLayer.ETHERNET;
    }
    return LinkLayer.parse(text)
        .filter(l -> l != LinkLayer.UNKNOWN)
        .orElseThrow(
            () ->
                new FieldException(
                    path, JsonFields.quote(text) + " is not InfiniBand, Ethernet or RoCE"));
  }

  /** {@code a + b} for counts, at most {@link Long#MAX_VALUE}: the sum is only compared. */
  private static long saturatedSum(long a, long b) {
    long sum = a + b;
    return sum < 0 ? Long.MAX_VALUE : sum;
  }

  private static boolean[] explicitNames(JsonNode array) {
    boolean[] explicit = new boolean[array.size()];
    for (int i = 0; i < array.size(); i++) {
      JsonNode n = array.get(i).get("name");
      explicit[i] = n != null && !n.isNull();
    }
    return explicit;
  }

  private static void checkDistinctNames(
      List<InterfaceRequest> list, String key, boolean[] explicit) {
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < list.size(); i++) {
      Integer first = seen.putIfAbsent(list.get(i).name(), i);
      if (first != null) {
        throw new FieldException(
            key + "[" + i + "].name",
            "duplicate name "
                + list.get(i).name()
                + (explicit[i] ? "" : " (the default for this position)")
                + ", also used by "
                + key
                + "["
                + first
                + "]");
      }
    }
  }

  private static Long containerCount(Container c) throws InvalidRequestException {
    ResourceRequirements r = c.getResources();
    if (r == null) {
      return null;
    }
    Quantity q = r.getRequests() == null ? null : r.getRequests().get(VF_RESOURCE);
    if (q == null) {
      q = r.getLimits() == null ? null : r.getLimits().get(VF_RESOURCE);
    }
    if (q == null) {
      return null;
    }
    try {
      BigDecimal n = q.getNumericalAmount();
      if (n.signum() < 0 || n.stripTrailingZeros().scale() > 0) {
        throw new NumberFormatException("not a whole number >= 0");
      }
      return n.longValueExact();
    } catch (RuntimeException e) {
      throw new InvalidRequestException(
          "container "
              + c.getName()
              + " resource "
              + VF_RESOURCE
              + ": "
              + JsonFields.quote(String.valueOf(q))
              + " is not a whole number of VFs");
    }
  }

  private static <T> List<T> nullToEmpty(List<T> list) {
    return list == null ? List.of() : list;
  }
}
