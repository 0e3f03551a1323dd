package io.k8srdma.charttest;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The Helm chart of this repository ({@code helm/k8s-rdma}), rendered by helm-java (helm as a
 * native library, no binary) as {@code helm template} renders it, for tests that start the agent or
 * the extender with what the chart renders, and for the chart's own tests in the helm module.
 */
public final class HelmChart {

  public static final String RELEASE = "k8s-rdma";
  public static final String NAMESPACE = "k8s-rdma";

  /** helm-java's default (v1.20) is older than the chart's kubeVersion. */
  public static final String KUBE_VERSION = "v1.31.0";

  private HelmChart() {}

  /**
   * {@code helm template k8s-rdma <chart> -n k8s-rdma -f <values> ...}, later files overriding
   * earlier ones. The values go through files, as an operator's do: helm reads numbers in a values
   * file as floats, unlike {@code --set}.
   *
   * @param dir where to write the values files
   * @param valuesYaml the values files' contents
   */
  public static Manifests render(Path dir, String... valuesYaml) throws IOException {
    TemplateCommand template = template();
    for (String values : valuesYaml) {
      Path file = Files.createTempFile(dir, "values-", ".yaml");
      Files.writeString(file, values);
      template.withValuesFile(file);
    }
    return Manifests.parse(template.call());
  }

  /** The rendered manifests with the chart's default values. */
  public static Manifests render() {
    return render(Map.of());
  }

  /** The rendered manifests with the given {@code --set} values. */
  public static Manifests render(Map<String, Object> setValues) {
    return Manifests.parse(templateRaw(setValues));
  }

  /**
   * {@code helm template k8s-rdma <chart> -n k8s-rdma --set k=v ...}, as raw YAML; values the
   * schema refuses make it throw with helm's message.
   */
  public static String templateRaw(Map<String, Object> setValues) {
    TemplateCommand template = template();
    setValues.forEach(template::set);
    return template.call();
  }

  /** {@code helm template k8s-rdma <chart> -n k8s-rdma --kube-version v1.31.0}, to add to. */
  private static TemplateCommand template() {
    return helm()
        .template()
        .withName(RELEASE)
        .withNamespace(NAMESPACE)
        .withKubeVersion(KUBE_VERSION);
  }

  /** helm-java on the chart, for other commands ({@code lint}, a dry-run {@code install}). */
  public static Helm helm() {
    return new Helm(chartDir());
  }

  /** The chart's directory: Surefire runs in the module directory, an IDE may use the root. */
  public static Path chartDir() {
    for (Path candidate : List.of(Path.of("..", "helm", "k8s-rdma"), Path.of("helm", "k8s-rdma"))) {
      if (Files.isRegularFile(candidate.resolve("Chart.yaml"))) {
        return candidate.toAbsolutePath().normalize();
      }
    }
    throw new IllegalStateException(
        "helm/k8s-rdma/Chart.yaml not found from " + Path.of("").toAbsolutePath());
  }

  /** A rendered multi-document YAML stream. */
  public record Manifests(List<Map<String, Object>> documents) {

    /** The documents of a YAML stream, e.g. one that a rendered ConfigMap holds. */
    @SuppressWarnings("unchecked")
    public static Manifests parse(String yaml) {
      List<Map<String, Object>> docs = new ArrayList<>();
      for (Object doc : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(yaml)) {
        if (doc instanceof Map<?, ?> map) {
          docs.add((Map<String, Object>) map);
        }
      }
      return new Manifests(List.copyOf(docs));
    }

    /** The documents of {@code kind}. */
    public List<Map<String, Object>> ofKind(String kind) {
      return documents.stream().filter(d -> kind.equals(d.get("kind"))).toList();
    }

    /** The document of {@code kind} named {@code name}. */
    public Map<String, Object> get(String kind, String name) {
      return documents.stream()
          .filter(d -> kind.equals(d.get("kind")) && name.equals(Node.at(d, "metadata.name")))
          .findFirst()
          .orElseThrow(() -> new NoSuchElementException(kind + "/" + name + " not rendered"));
    }

    /** {@code kind/name} of every document, for failure messages. */
    public List<String> names() {
      return documents.stream()
          .map(d -> d.get("kind") + "/" + Node.at(d, "metadata.name"))
          .toList();
    }

    /** The pod spec of the workload of {@code kind} named {@code name}. */
    public Map<String, Object> podSpec(String kind, String name) {
      return Node.map(get(kind, name), "spec.template.spec");
    }
  }

  /** Navigation in parsed YAML by dotted paths of map keys. */
  public static final class Node {

    private Node() {}

    /** The value at {@code a.b.c}, or null when a step is missing. */
    public static Object at(Object node, String path) {
      Object current = node;
      for (String key : path.split("\\.")) {
        if (!(current instanceof Map<?, ?> map)) {
          return null;
        }
        current = map.get(key);
      }
      return current;
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> map(Object node, String path) {
      if (!(at(node, path) instanceof Map<?, ?> map)) {
        throw new AssertionError(path + " is not a map: " + at(node, path));
      }
      return (Map<String, Object>) map;
    }

    /** The list at {@code path}; empty when it is missing. */
    @SuppressWarnings("unchecked")
    public static List<Map<String, Object>> list(Object node, String path) {
      Object value = at(node, path);
      if (value == null) {
        return List.of();
      }
      if (!(value instanceof List<?> items)) {
        throw new AssertionError(path + " is not a list: " + value);
      }
      return (List<Map<String, Object>>) items;
    }

    /**
     * The list of scalars at {@code path} (e.g. a container's args) as strings; empty when missing.
     */
    public static List<String> strings(Object node, String path) {
      Object value = at(node, path);
      if (value == null) {
        return List.of();
      }
      if (!(value instanceof List<?> items)) {
        throw new AssertionError(path + " is not a list: " + value);
      }
      return items.stream().map(String::valueOf).toList();
    }

    /** The element of the list at {@code path} whose {@code name} is {@code name}. */
    public static Map<String, Object> named(Object node, String path, String name) {
      return list(node, path).stream()
          .filter(e -> name.equals(e.get("name")))
          .findFirst()
          .orElseThrow(() -> new AssertionError("no " + name + " in " + path));
    }

    /**
     * A container's {@code env} as written, name to entry ({@code value} or {@code valueFrom});
     * empty when it has none. {@link RenderedContainer#env} resolves the values instead.
     */
    public static Map<String, Map<String, Object>> env(Map<String, Object> container) {
      Map<String, Map<String, Object>> env = new LinkedHashMap<>();
      for (Map<String, Object> e : list(container, "env")) {
        env.put((String) e.get("name"), e);
      }
      return env;
    }
  }
}
