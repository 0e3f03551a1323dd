package io.k8srdma.agent.testhost;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * A fake host whose devices change while an agent scans it, in the steps the kernel and sriov-cni
 * take: VFs bound and unbound, netdevs moved into pods and back, sriov-cni records written and
 * their network namespaces gone, {@code sriov_numvfs} rewritten, a PF hot-unplugged and back, a
 * port going down, an attribute that cannot be read for a while. Only one thread may change it.
 *
 * <p>It starts as {@link Hosts#demo}: two NDR InfiniBand PFs with 8 VFs and a RoCE PF with 4.
 */
public final class ChangingHost {

  /** Up to 8 VFs per PF keep every VF's RDMA device name ({@code mlx5_<first + N>}) unique. */
  public static final int MAX_VFS = 8;

  private record Spec(
      String topology,
      String bdf,
      String netdev,
      String rdma,
      int numa,
      boolean infiniband,
      int totalVfs,
      int offset,
      int firstRdma) {}

  private static final List<Spec> SPECS =
      List.of(
          new Spec(Hosts.SWITCHED_15, "0000:1a:00.0", "ibp26s0", "mlx5_0", 0, true, 16, 1, 3),
          new Spec(
              "pci0000:1b/0000:1b:01.0",
              "0000:1c:00.0",
              "enp28s0f0np0",
              "mlx5_2",
              0,
              false,
              8,
              2,
              19),
          new Spec(Hosts.SWITCHED_37, "0000:3c:00.0", "ibp60s0", "mlx5_1", 1, true, 16, 1, 11));

  private final FakeHost host;
  private final PciFunction[] pfs = new PciFunction[SPECS.size()];
  private final int[] numVfs = new int[SPECS.size()];
  private final Map<Path, String> broken = new HashMap<>();

  private ChangingHost(FakeHost host) {
    this.host = host;
  }

  /** The demo host under {@code root}. */
  public static ChangingHost demo(Path root) {
    ChangingHost h = new ChangingHost(FakeHost.at(root));
    h.addPf(0, 8, n -> n < 2 ? VfKind.NETDEV_MOVED : VfKind.FREE);
    h.addPf(1, 4, n -> VfKind.FREE);
    h.addPf(2, 8, n -> n == 0 ? VfKind.CNI_ALLOCATED : VfKind.FREE);
    return h;
  }

  public Path root() {
    return host.root();
  }

  /** How many PFs this host can have (present or not). */
  public int pfCount() {
    return SPECS.size();
  }

  public String pfName(int pf) {
    return SPECS.get(pf).netdev();
  }

  public String pfAddress(int pf) {
    return SPECS.get(pf).bdf();
  }

  public boolean present(int pf) {
    return pfs[pf] != null;
  }

  /** VFs enabled on a present PF. */
  public int numVfs(int pf) {
    return numVfs[pf];
  }

  /** The directory of VF {@code n} of {@code pf} (whether or not it exists). */
  public Path vfDir(int pf, int n) {
    Spec s = SPECS.get(pf);
    return pfDir(pf).resolveSibling(Bdf.plus(s.bdf(), s.offset() + n));
  }

  /** The directory of PF {@code pf} (whether or not it exists). */
  public Path pfDir(int pf) {
    Spec s = SPECS.get(pf);
    return host.path("sys/devices/" + s.topology() + "/" + s.bdf());
  }

  /** Hot-plugs PF {@code pf} with {@code vfs} VFs set up as {@code kinds} says. */
  public void addPf(int pf, int vfs, IntFunction<VfKind> kinds) {
    Spec s = SPECS.get(pf);
    pfs[pf] =
        s.infiniband()
            ? Mlx5.ibPf(
                host, s.topology(), s.bdf(), s.netdev(), s.rdma(), s.numa(), "400 Gb/sec (4X NDR)")
            : Mlx5.rocePf(
                host,
                s.topology(),
                s.bdf(),
                s.netdev(),
                s.rdma(),
                s.numa(),
                100000,
                "100 Gb/sec (4X EDR)");
    pfs[pf].sriov(s.totalVfs(), vfs, s.offset(), Integer.toHexString(Mlx5.VF));
    Mlx5.createVfs(pfs[pf], s.netdev(), s.infiniband(), vfs, s.firstRdma(), kinds);
    numVfs[pf] = vfs;
  }

  /** Hot-unplugs PF {@code pf}: its VFs go first, then the function itself. */
  public void removePf(int pf) {
    removeVfs(pf);
    Path dir = pfs[pf].dir();
    broken.keySet().removeIf(p -> p.startsWith(dir));
    PciFunction.unbindDriver(host, dir);
    FakeHost.removeTree(dir);
    host.pruneDanglingLinks();
    pfs[pf] = null;
    numVfs[pf] = 0;
  }

  /**
   * Writes {@code vfs} to the PF's {@code sriov_numvfs} the way the kernel needs it: 0 first (every
   * VF disappears), then the new count (the VFs appear, set up as {@code kinds} says).
   */
  public void setNumVfs(int pf, int vfs, IntFunction<VfKind> kinds) {
    Spec s = SPECS.get(pf);
    removeVfs(pf);
    host.attr(pfs[pf].dir().resolve("sriov_numvfs"), "0");
    host.attr(pfs[pf].dir().resolve("sriov_numvfs"), Integer.toString(vfs));
    Mlx5.createVfs(pfs[pf], s.netdev(), s.infiniband(), vfs, s.firstRdma(), kinds);
    numVfs[pf] = vfs;
  }

  private void removeVfs(int pf) {
    for (int n = 0; n < numVfs[pf]; n++) {
      dropCniRecord(vfDir(pf, n));
      Path dir = vfDir(pf, n);
      broken.keySet().removeIf(p -> p.startsWith(dir));
    }
    pfs[pf].removeVfs();
  }

  /**
   * Makes VF {@code n} of {@code pf} look as {@code kind} says: what it had (driver, netdev, RDMA
   * device, sriov-cni record) goes first, as when a driver unbinds or a pod ends.
   */
  public void setVf(int pf, int n, VfKind kind) {
    Spec s = SPECS.get(pf);
    Path dir = vfDir(pf, n);
    String bdf = dir.getFileName().toString();
    dropCniRecord(dir);
    PciFunction.unbindDriver(host, dir);
    host.pruneDanglingLinks();
    broken.keySet().removeIf(p -> p.startsWith(dir));
    kind.apply(
        new PciFunction(host, bdf, dir),
        s.netdev() + "v" + n,
        "mlx5_" + (s.firstRdma() + n),
        s.infiniband());
  }

  /**
   * The pod that sriov-cni gave VF {@code n} of {@code pf} to is gone: its network namespace no
   * longer exists, its record stays. Returns false when the VF has no record.
   */
  public boolean netnsGone(int pf, int n) {
    Path record = cniRecord(vfDir(pf, n));
    if (!Files.exists(record)) {
      return false;
    }
    host.remove(host.path(read(record).strip().replaceFirst("^/+", "")));
    return true;
  }

  /** Sets the PF's port 1 to {@code ACTIVE} or {@code DOWN}. */
  public void portActive(int pf, boolean active) {
    Spec s = SPECS.get(pf);
    host.attr(
        pfs[pf].dir().resolve("infiniband/" + s.rdma() + "/ports/1/state"),
        active ? "4: ACTIVE" : "1: DOWN");
  }

  /**
   * Makes an attribute of a present PF unreadable (a directory where the file was: reading it fails
   * as an attribute that answers EIO does), or readable again with its old value.
   *
   * @param which 0 {@code numa_node}, 1 the port's {@code link_layer}, 2 {@code sriov_totalvfs}
   * @return whether it is broken now
   */
  public boolean toggleAttribute(int pf, int which) {
    Spec s = SPECS.get(pf);
    Path file =
        pfs[pf]
            .dir()
            .resolve(
                switch (which) {
                  case 0 -> "numa_node";
                  case 1 -> "infiniband/" + s.rdma() + "/ports/1/link_layer";
                  default -> "sriov_totalvfs";
                });
    String old = broken.remove(file);
    try {
      if (old != null) {
        Files.delete(file);
        host.attr(file, old);
        return false;
      }
      broken.put(file, stripNewline(read(file)));
      Files.delete(file);
      Files.createDirectory(file);
      return true;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Makes every attribute broken by {@link #toggleAttribute} readable again. */
  public void restoreAttributes() {
    for (Map.Entry<Path, String> e : Map.copyOf(broken).entrySet()) {
      try {
        Files.delete(e.getKey());
      } catch (IOException ex) {
        throw new UncheckedIOException(ex);
      }
      host.attr(e.getKey(), e.getValue());
    }
    broken.clear();
  }

  private Path cniRecord(Path vfDir) {
    return host.path("var/lib/cni/sriov/pci/" + vfDir.getFileName());
  }

  private void dropCniRecord(Path vfDir) {
    Path record = cniRecord(vfDir);
    if (Files.exists(record)) {
      host.remove(host.path(read(record).strip().replaceFirst("^/+", "")));
      host.remove(record);
    }
  }

  private static String stripNewline(String s) {
    return s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
