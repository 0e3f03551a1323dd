package io.k8srdma.charttest;

import static io.k8srdma.charttest.HelmChart.Node.at;
import static io.k8srdma.charttest.HelmChart.Node.map;
import static io.k8srdma.charttest.HelmChart.Node.named;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a container sees of its volumes, in a temp directory: each {@code mountPath} is a symbolic
 * link to the directory backing its volume (a hostPath on the fake host, a ConfigMap's or a
 * Secret's files, an empty dir). Container paths in the arguments and the environment are rewritten
 * to point into it, so the application reads what it would read in the pod, and a mount at the
 * wrong path, or a file the ConfigMap lacks, shows up as in a cluster. Read-only mounts are not
 * enforced.
 */
public final class ContainerFiles {

  private final Path root;
  private final List<String> mountPaths = new ArrayList<>();

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
      files.link((String) mount.get("mountPath"), backing);
    }
    return files;
  }

  /**
   * The files of the Secret {@code secret} of {@code manifests} at {@code containerDir}, as an
   * operator copies them onto a node (e.g. for a kube-scheduler the chart does not run).
   */
  public static ContainerFiles copied(
      HelmChart.Manifests manifests, String secret, String containerDir, Path dir)
      throws IOException {
    ContainerFiles files = new ContainerFiles(Files.createDirectories(dir.resolve("container")));
    Map<String, Object> volume = Map.of("secret", Map.of("secretName", secret));
    Path backing = backing(volume, manifests, dir, dir.resolve("copied"));
    files.link(containerDir, backing);
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
    if (volume.containsKey("secret")) {
      Map<String, Object> secret =
          manifests.get("Secret", (String) at(volume, "secret.secretName"));
      Map<String, Object> data = map(secret, "data");
      Files.createDirectories(dir);
      for (Map.Entry<String, String> file : secretFiles(volume, data).entrySet()) {
        Object encoded = data.get(file.getKey());
        if (encoded == null) {
          throw new AssertionError(
              "Secret " + at(secret, "metadata.name") + " has no " + file.getKey());
        }
        Files.write(dir.resolve(file.getValue()), Base64.getDecoder().decode((String) encoded));
      }
      return dir;
    }
    if (volume.containsKey("emptyDir")) {
      return Files.createDirectories(dir);
    }
    throw new AssertionError("a volume the test cannot back: " + volume);
  }

  private void link(String mountPath, Path backing) throws IOException {
    Path link = path(mountPath);
    Files.createDirectories(link.getParent());
    Files.createSymbolicLink(link, backing);
    mountPaths.add(mountPath);
  }

  /** Key to file name: the volume's {@code items}, or every key under its own name. */
  private static Map<String, String> secretFiles(
      Map<String, Object> volume, Map<String, Object> data) {
    Map<String, String> files = new LinkedHashMap<>();
    if (at(volume, "secret.items") == null) {
      data.keySet().forEach(key -> files.put(key, key));
    } else {
      for (Map<String, Object> item : HelmChart.Node.list(volume, "secret.items")) {
        files.put((String) item.get("key"), (String) item.get("path"));
      }
    }
    return files;
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
   * A value naming a path in or above a mounted volume, as it is or as a {@code file:} URL
   * (Spring's config locations and SSL bundles), rewritten to the temp directory; any other value
   * as it is (an HTTP path such as {@code /filter} is no file).
   */
  private String rewrite(String value) {
    if (mounted(value)) {
      return path(value).toString();
    }
    if (value.startsWith("file:") && mounted(value.substring("file:".length()))) {
      return "file:" + path(value.substring("file:".length()));
    }
    return value;
  }

  /** A path in a mounted volume, or one that volumes are mounted below (a host root). */
  private boolean mounted(String path) {
    return mountPaths.stream()
        .anyMatch(m -> path.equals(m) || path.startsWith(m + "/") || m.startsWith(path + "/"));
  }

  private static String relative(String absolute) {
    if (!absolute.startsWith("/")) {
      throw new AssertionError("not an absolute path: " + absolute);
    }
    return absolute.substring(1);
  }
}
