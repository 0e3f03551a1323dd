package io.k8srdma.extender.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A directory laid out as kubelet mounts a Secret: each key a symbolic link through {@code ..data},
 * itself a link to a timestamped directory, and an update a new directory with {@code ..data}
 * swapped by a rename, so a reader never sees half of a change; then the old directory is removed
 * (kubelet's AtomicWriter), so a watcher that held on to it would miss the next update.
 */
final class SecretVolume {

  private static final List<String> KEYS = List.of("tls.crt", "tls.key", "ca.crt");
  private static final AtomicInteger VERSIONS = new AtomicInteger();

  private SecretVolume() {}

  /** An empty volume in {@code dir}, whose keys link through {@code ..data}. */
  static Path create(Path dir) throws IOException {
    Files.createDirectories(dir);
    for (String key : KEYS) {
      Files.createSymbolicLink(dir.resolve(key), Path.of("..data", key));
    }
    return dir;
  }

  /** Publishes the files of {@code source} as the volume's new contents, as kubelet does. */
  static void update(Path volume, Path source) throws IOException {
    Path version = volume.resolve("..version_" + VERSIONS.incrementAndGet());
    Files.createDirectories(version);
    for (String key : KEYS) {
      Files.copy(source.resolve(key), version.resolve(key));
    }
    Path data = volume.resolve("..data");
    Path old = Files.isSymbolicLink(data) ? volume.resolve(Files.readSymbolicLink(data)) : null;
    Path next = volume.resolve("..data_tmp");
    Files.createSymbolicLink(next, version.getFileName());
    Files.move(next, data, StandardCopyOption.ATOMIC_MOVE);
    if (old != null) {
      for (String key : KEYS) {
        Files.delete(old.resolve(key));
      }
      Files.delete(old);
    }
  }
}
