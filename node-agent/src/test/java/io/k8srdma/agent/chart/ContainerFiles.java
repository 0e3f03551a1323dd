package io.k8srdma.agent.chart;

import static io.k8srdma.charttest.HelmChart.Node.at;
import static io.k8srdma.charttest.HelmChart.Node.map;
import static io.k8srdma.charttest.HelmChart.Node.named;

import io.k8srdma.charttest.HelmChart;
import io.k8srdma.charttest.RenderedContainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a container sees of its volumes, in a temp directory: each {@code mountPath} is a symbolic
 * link to the directory backing its volume (a hostPath on the fake host, a ConfigMap's files, an
 * empty dir). Container paths in the arguments and the environment are rewritten to point into it,
 * so the application reads what it would read in the pod, and a mount at the wrong path, or a file
 * the ConfigMap lacks, shows up as in a cluster. Read-only mounts are not enforced.
 */
public final class ContainerFiles {

  private final Path root;

  private ContainerFiles(Path root) {
    this.root = root;
  }

  /**
   * Mounts the volumes of {@code container}.
   *
   * @param podSpec the pod spec, with the {@code volumes}
   * @param manifests the release, for the ConfigMaps
   * @param host the fake host's {@code /}, for hostPath volumes
   * @param dir a temp directory
   */
  public static ContainerFiles mount(
      RenderedContainer container,
      Map<String, Object> podSpec,
      HelmChart.Manifests manifests,
      Path host,
      Path dir)
      throws IOException {
    ContainerFiles files = new ContainerFiles(Files.createDirectories(dir.resolve("container")));
    for (Map<String, Object> mount : container.volumeMounts()) {
      String volumeName = (String) mount.get("name");
      Map<String, Object> volume = named(podSpec, "volumes", volumeName);
      Path backing = backing(volume, manifests, host, dir.resolve("volume-" + volumeName));
      Path link = files.path((String) mount.get("mountPath"));
      Files.createDirectories(link.getParent());
      Files.createSymbolicLink(link, backing);
    }
    return files;
  }

  private static Path backing(
      Map<String, Object> volume, HelmChart.Manifests manifests, Path host, Path dir)
      throws IOException {
    if (volume.containsKey("hostPath")) {
      Path path = host.resolve(relative((String) at(volume, "hostPath.path")));
      if ("DirectoryOrCreate".equals(at(volume, "hostPath.type"))) {
        Files.createDirectories(path);
      } else if (!Files.isDirectory(path)) {
        throw new AssertionError("hostPath " + at(volume, "hostPath") + " is not on the host");
      }
      return path;
    }
    if (volume.containsKey("configMap")) {
      Map<String, Object> configMap =
          manifests.get("ConfigMap", (String) at(volume, "configMap.name"));
      Files.createDirectories(dir);
      for (Map.Entry<String, Object> file : map(configMap, "data").entrySet()) {
        Files.writeString(dir.resolve(file.getKey()), String.valueOf(file.getValue()));
      }
      return dir;
    }
    if (volume.containsKey("emptyDir")) {
      return Files.createDirectories(dir);
    }
    throw new AssertionError("a volume the test cannot back: " + volume);
  }

  /** The container path {@code containerPath} in the temp directory. */
  public Path path(String containerPath) {
    return root.resolve(relative(containerPath));
  }

  /** The arguments, with container paths in {@code --key=value} values rewritten. */
  public String[] args(List<String> args) {
    return args.stream()
        .map(
            a -> {
              int eq = a.indexOf('=');
              return a.startsWith("--") && eq > 0
                  ? a.substring(0, eq + 1) + rewrite(a.substring(eq + 1))
                  : rewrite(a);
            })
        .toArray(String[]::new);
  }

  /** The environment, with container paths in values rewritten. */
  public Map<String, String> env(Map<String, String> env) {
    Map<String, String> out = new LinkedHashMap<>();
    env.forEach((k, v) -> out.put(k, rewrite(v)));
    return out;
  }

  /**
   * A value naming a container path, absolute or as a {@code file:} URL (Spring's config
   * locations), rewritten to the temp directory; any other value as it is.
   */
  private String rewrite(String value) {
    if (value.startsWith("/")) {
      return path(value).toString();
    }
    if (value.startsWith("file:/")) {
      return "file:" + path(value.substring("file:".length()));
    }
    return value;
  }

  private static String relative(String absolute) {
    if (!absolute.startsWith("/")) {
      throw new AssertionError("not an absolute path: " + absolute);
    }
    return absolute.substring(1);
  }
}
