package io.k8srdma.helm;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
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

/** Renders the chart in {@code k8s-rdma/} with helm-java (bundled helm, no binary needed). */
final class Chart {

  static final String RELEASE = "k8s-rdma";
  static final String NAMESPACE = "k8s-rdma";

  /** helm-java's default (v1.20) is older than the chart's kubeVersion. */
  static final String KUBE_VERSION = "v1.31.0";

  static final Path DIR = chartDir();

  private Chart() {}

  /** The chart's directory, whether Maven runs from the module or from the reactor root. */
  private static Path chartDir() {
    for (Path candidate : List.of(Path.of("k8s-rdma"), Path.of("helm", "k8s-rdma"))) {
      if (Files.isRegularFile(candidate.resolve("Chart.yaml"))) {
        return candidate.toAbsolutePath();
      }
    }
    throw new IllegalStateException("chart k8s-rdma/Chart.yaml not found from " + Path.of(""));
  }

  static Helm helm() {
    return new Helm(DIR);
  }

  /** {@code helm template k8s-rdma <chart> -n k8s-rdma --set k=v ...}, as raw YAML. */
  static String templateRaw(Map<String, Object> values) {
    TemplateCommand template =
        helm().template().withName(RELEASE).withNamespace(NAMESPACE).withKubeVersion(KUBE_VERSION);
    values.forEach(template::set);
    return template.call();
  }

  /** The rendered manifests with the given {@code --set} values. */
  static Manifests render(Map<String, Object> values) {
    return Manifests.parse(templateRaw(values));
  }

  static Manifests render() {
    return render(Map.of());
  }

  /** A rendered multi-document YAML stream, by kind and name. */
  record Manifests(List<Map<String, Object>> documents) {

    @SuppressWarnings("unchecked")
    static Manifests parse(String yaml) {
      List<Map<String, Object>> docs = new ArrayList<>();
      for (Object doc : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(yaml)) {
        if (doc instanceof Map<?, ?> map) {
          docs.add((Map<String, Object>) map);
        }
      }
      return new Manifests(docs);
    }

    List<Map<String, Object>> ofKind(String kind) {
      return documents.stream().filter(d -> kind.equals(d.get("kind"))).toList();
    }

    Map<String, Object> get(String kind, String name) {
      return ofKind(kind).stream()
          .filter(d -> name.equals(Node.at(d, "metadata.name")))
          .findFirst()
          .orElseThrow(() -> new NoSuchElementException(kind + "/" + name + " not rendered"));
    }

    /** kind/name of every document, for failure messages. */
    List<String> names() {
      return documents.stream()
          .map(d -> d.get("kind") + "/" + Node.at(d, "metadata.name"))
          .toList();
    }
  }

  /** Navigation in parsed YAML: dotted paths of map keys. */
  static final class Node {
    private Node() {}

    /** The value at {@code a.b.c}, or null when a step is missing. */
    static Object at(Object node, String path) {
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
    static Map<String, Object> map(Object node, String path) {
      Object value = at(node, path);
      if (!(value instanceof Map<?, ?>)) {
        throw new AssertionError(path + " is not a map: " + value);
      }
      return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> list(Object node, String path) {
      Object value = at(node, path);
      if (!(value instanceof List<?>)) {
        throw new AssertionError(path + " is not a list: " + value);
      }
      return (List<Map<String, Object>>) value;
    }

    /** A list of scalars, e.g. a container's args, as strings. */
    static List<String> strings(Object node, String path) {
      Object value = at(node, path);
      if (!(value instanceof List<?> items)) {
        throw new AssertionError(path + " is not a list: " + value);
      }
      return items.stream().map(String::valueOf).toList();
    }

    /** The element of the list at {@code path} whose {@code name} is {@code name}. */
    static Map<String, Object> named(Object node, String path, String name) {
      return list(node, path).stream()
          .filter(e -> name.equals(e.get("name")))
          .findFirst()
          .orElseThrow(() -> new AssertionError("no " + name + " in " + path));
    }

    /** A container's environment as name to entry (value or valueFrom). */
    static Map<String, Map<String, Object>> env(Map<String, Object> container) {
      Map<String, Map<String, Object>> env = new LinkedHashMap<>();
      for (Map<String, Object> e : list(container, "env")) {
        env.put((String) e.get("name"), e);
      }
      return env;
    }
  }
}
