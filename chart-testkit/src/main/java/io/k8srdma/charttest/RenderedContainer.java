package io.k8srdma.charttest;

import static io.k8srdma.charttest.HelmChart.Node.at;
import static io.k8srdma.charttest.HelmChart.Node.list;
import static io.k8srdma.charttest.HelmChart.Node.named;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A container of a rendered pod spec, read the way the kubelet reads it.
 *
 * @param spec the container's entry in {@code containers} or {@code initContainers}
 */
public record RenderedContainer(Map<String, Object> spec) {

  /** The container {@code name} in the list {@code containers} or {@code initContainers}. */
  public static RenderedContainer of(Map<String, Object> podSpec, String list, String name) {
    return new RenderedContainer(named(podSpec, list, name));
  }

  /**
   * The arguments to the image's entrypoint, which is the application (Jib's {@code mainClass}): a
   * {@code command} would replace it, so the test refuses one rather than ignore it.
   */
  public List<String> args() {
    if (spec.containsKey("command")) {
      throw new AssertionError("a command replaces the image's entrypoint: " + spec.get("command"));
    }
    Object args = spec.get("args");
    return args == null ? List.of() : ((List<?>) args).stream().map(String::valueOf).toList();
  }

  /**
   * The container's environment: each {@code value}, or for a {@code valueFrom.fieldRef} the value
   * the downward API would give, from {@code fields} (e.g. {@code spec.nodeName}). A later entry of
   * the same name wins, as with the kubelet. Any other source fails the test, which would not know
   * its value.
   */
  public Map<String, String> env(Map<String, String> fields) {
    Map<String, String> env = new LinkedHashMap<>();
    for (Map<String, Object> entry : list(spec, "env")) {
      String name = (String) entry.get("name");
      if (entry.containsKey("valueFrom")) {
        Object field = at(entry, "valueFrom.fieldRef.fieldPath");
        if (field == null || !fields.containsKey(field)) {
          throw new AssertionError("no value for env " + name + " from " + entry.get("valueFrom"));
        }
        env.put(name, fields.get(field));
      } else {
        env.put(name, String.valueOf(entry.getOrDefault("value", "")));
      }
    }
    return env;
  }

  /** The {@code volumeMounts}. */
  public List<Map<String, Object>> volumeMounts() {
    return list(spec, "volumeMounts");
  }

  /** The {@code containerPort} of the port named {@code name}. */
  public int containerPort(String name) {
    return ((Number) named(spec, "ports", name).get("containerPort")).intValue();
  }

  /**
   * The port of an HTTP probe ({@code startupProbe}, {@code livenessProbe}, {@code
   * readinessProbe}), a number or the name of a container port.
   */
  public int probePort(String probe) {
    Object port = at(spec, probe + ".httpGet.port");
    if (port instanceof Number n) {
      return n.intValue();
    }
    return containerPort(String.valueOf(port));
  }

  /** Whether a port is named {@code name}. */
  public boolean hasPort(String name) {
    return list(spec, "ports").stream().anyMatch(p -> name.equals(p.get("name")));
  }

  /** The scheme of an HTTP probe: {@code HTTP} (Kubernetes' default) or {@code HTTPS}. */
  public String probeScheme(String probe) {
    Object scheme = at(spec, probe + ".httpGet.scheme");
    return scheme == null ? "HTTP" : (String) scheme;
  }

  /** The path of an HTTP probe. */
  public String probePath(String probe) {
    Object path = at(spec, probe + ".httpGet.path");
    if (path == null) {
      throw new AssertionError(probe + " of " + spec.get("name") + " is not an HTTP probe");
    }
    return (String) path;
  }
}
