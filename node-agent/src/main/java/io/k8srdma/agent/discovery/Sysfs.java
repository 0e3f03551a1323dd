package io.k8srdma.agent.discovery;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Reads a host's sysfs under a configurable root, the way the kernel presents it.
 *
 * <p>Every read tolerates what real sysfs does: attributes that fail with EINVAL or EOPNOTSUPP
 * (modelled as absent or unreadable files) are empty, and symlinks are resolved by the file system,
 * never by parsing their text, because kernfs link depth varies with the PCI topology.
 *
 * <p>Not final so that tests can make a directory unreadable, which permissions cannot do for root.
 */
public class Sysfs {

  private final Path root;

  /**
   * @param hostRoot the host's {@code /} as seen by the agent (e.g. {@code /host} in a container)
   */
  public Sysfs(Path hostRoot) {
    this.root = hostRoot;
  }

  /** The host path {@code relative} under the root, e.g. {@code sys/bus/pci/devices}. */
  public Path host(String relative) {
    return root.resolve(relative);
  }

  /** An attribute's value without its trailing newline; empty when absent or unreadable. */
  public Optional<String> read(Path attribute) {
    try {
      return Optional.of(stripNewline(Files.readString(attribute, StandardCharsets.UTF_8)));
    } catch (IOException | UncheckedIOException | SecurityException e) {
      return Optional.empty();
    }
  }

  /** A decimal integer attribute; empty when absent, unreadable or not a number. */
  public Optional<Long> readLong(Path attribute) {
    return read(attribute).map(String::strip).flatMap(Sysfs::parseLong);
  }

  /** A hex attribute such as {@code 0x15b3}, as lower-case hex digits without the prefix. */
  public Optional<String> readHex(Path attribute) {
    return read(attribute)
        .map(String::strip)
        .map(v -> v.startsWith("0x") || v.startsWith("0X") ? v.substring(2) : v)
        .map(String::toLowerCase)
        .filter(v -> !v.isEmpty());
  }

  /** The real path a symlink (or a path containing symlinks) points at; empty when dangling. */
  public Optional<Path> resolve(Path link) {
    try {
      return Optional.of(link.toRealPath());
    } catch (IOException | SecurityException e) {
      return Optional.empty();
    }
  }

  /** The name of what a link points at, e.g. the driver name of {@code <dev>/driver}. */
  public Optional<String> linkTargetName(Path link) {
    return resolve(link).map(p -> p.getFileName().toString());
  }

  /**
   * The entries of a directory, sorted by name; empty when it is absent.
   *
   * @throws IOException when it exists but cannot be listed, which must not pass for empty
   */
  public List<Path> listReadable(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.sorted().toList();
    } catch (UncheckedIOException e) {
      throw e.getCause();
    } catch (SecurityException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  /** The entries of a directory, sorted by name; empty when it is absent or not readable. */
  public List<Path> list(Path dir) {
    try {
      return listReadable(dir);
    } catch (IOException e) {
      return List.of();
    }
  }

  /** True when the path exists (following links). */
  public boolean exists(Path path) {
    return Files.exists(path);
  }

  /** True when the path is a directory (following links). */
  public boolean isDirectory(Path path) {
    return Files.isDirectory(path);
  }

  private static String stripNewline(String value) {
    return value.endsWith("\n") ? value.substring(0, value.length() - 1) : value;
  }

  private static Optional<Long> parseLong(String text) {
    try {
      return Optional.of(Long.parseLong(text));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
