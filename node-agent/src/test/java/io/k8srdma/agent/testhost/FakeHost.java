package io.k8srdma.agent.testhost;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Builds a fake host file system (sysfs, {@code /dev/infiniband}, {@code /var/lib/cni}) under a
 * directory, following {@code shared/reference/sysfs-facts.md}: real directories only under {@code
 * sys/devices}, relative kernfs-style symlinks everywhere else, every attribute ending in exactly
 * one newline.
 */
public final class FakeHost {

  private final Path root;
  private int nextUverbs;
  private int nextIfindex = 2;

  private FakeHost(Path root) {
    this.root = root;
  }

  /** A new, empty host under {@code root} (created if needed), with {@code lo} in place. */
  public static FakeHost at(Path root) {
    FakeHost host = new FakeHost(root);
    host.mkdirs("sys/bus/pci/devices");
    host.mkdirs("sys/class/net");
    host.mkdirs("sys/class/infiniband");
    host.mkdirs("sys/class/infiniband_verbs");
    host.attr("sys/class/infiniband_verbs/abi_version", "6");
    host.mkdirs("dev/infiniband");
    host.file("dev/infiniband/rdma_cm", "");
    Path lo = host.mkdirs("sys/devices/virtual/net/lo");
    host.attr(lo.resolve("type"), "772");
    host.attr(lo.resolve("ifindex"), "1");
    host.attr(lo.resolve("operstate"), "unknown");
    host.link(host.path("sys/class/net/lo"), lo);
    return host;
  }

  /** The host's {@code /}. */
  public Path root() {
    return root;
  }

  /** A path under the root. */
  public Path path(String relative) {
    return root.resolve(relative);
  }

  /**
   * A PCI function at {@code sys/devices/<topology>/<bdf>} with its {@code sys/bus/pci/devices}
   * link.
   *
   * @param topology the chain of parents, e.g. {@code pci0000:15/0000:15:01.0/0000:16:00.0}
   */
  public PciFunction pciFunction(String topology, String bdf) {
    Path dir = mkdirs("sys/devices/" + topology + "/" + bdf);
    link(path("sys/bus/pci/devices/" + bdf), dir);
    attr(dir.resolve("enable"), "1");
    attr(dir.resolve("driver_override"), "(null)");
    return new PciFunction(this, bdf, dir);
  }

  /** A PCI function as a sibling of {@code pf} (where the kernel puts VFs). */
  public PciFunction sibling(PciFunction pf, String bdf) {
    Path dir = mkdirs(pf.dir().getParent().resolve(bdf));
    link(path("sys/bus/pci/devices/" + bdf), dir);
    attr(dir.resolve("enable"), "1");
    return new PciFunction(this, bdf, dir);
  }

  /** Records a sriov-cni allocation of {@code bdf} into {@code netnsPath} (created on the host). */
  public FakeHost cniAllocation(String bdf, String netnsPath) {
    file("var/lib/cni/sriov/pci/" + bdf, netnsPath);
    file(netnsPath.replaceFirst("^/", ""), "");
    return this;
  }

  /** Records a sriov-cni allocation whose network namespace no longer exists. */
  public FakeHost staleCniAllocation(String bdf, String netnsPath) {
    file("var/lib/cni/sriov/pci/" + bdf, netnsPath);
    return this;
  }

  int allocateUverbs() {
    return nextUverbs++;
  }

  int allocateIfindex() {
    return nextIfindex++;
  }

  /** Makes the next uverbs number {@code n}, to model numbering that diverges from mlx5_N. */
  public FakeHost uverbsNumbersFrom(int n) {
    nextUverbs = n;
    return this;
  }

  // --- file primitives -------------------------------------------------------------------

  /** Writes a sysfs attribute: the value plus exactly one newline. */
  public void attr(Path file, String value) {
    write(file, value + "\n");
  }

  void attr(String relative, String value) {
    attr(path(relative), value);
  }

  /** Writes a plain file (no newline added). */
  public void file(String relative, String content) {
    write(path(relative), content);
  }

  /** Deletes a file, e.g. to model an attribute that reads EINVAL. */
  public void remove(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Deletes a directory tree without following links, as when the kernel removes a device. */
  public static void removeTree(Path dir) {
    try (Stream<Path> tree = Files.walk(dir)) {
      for (Path p : tree.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Deletes the {@code sys/bus} and {@code sys/class} links whose target is gone. */
  void pruneDanglingLinks() {
    for (String top : new String[] {"sys/bus", "sys/class"}) {
      try (Stream<Path> tree = Files.walk(path(top))) {
        for (Path p : tree.filter(Files::isSymbolicLink).filter(Files::notExists).toList()) {
          Files.delete(p);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  Path mkdirs(String relative) {
    return mkdirs(path(relative));
  }

  Path mkdirs(Path dir) {
    try {
      return Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Creates {@code link} pointing at {@code target} with kernfs' link text: up to an ancestor of
   * the target's parent, then down, so the text always ends in the target's own name.
   */
  public void link(Path link, Path target) {
    Path text =
        link.getParent().relativize(target.getParent()).resolve(target.getFileName().toString());
    try {
      Files.createDirectories(link.getParent());
      Files.deleteIfExists(link);
      Files.createSymbolicLink(link, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void write(Path file, String content) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, content, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
