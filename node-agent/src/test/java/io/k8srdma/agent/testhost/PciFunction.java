package io.k8srdma.agent.testhost;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.stream.Stream;

/** One PCI function of a {@link FakeHost}, with builders for what sysfs shows under it. */
public final class PciFunction {

  private final FakeHost host;
  private final String bdf;
  private final Path dir;

  PciFunction(FakeHost host, String bdf, Path dir) {
    this.host = host;
    this.bdf = bdf;
    this.dir = dir;
  }

  public String bdf() {
    return bdf;
  }

  public Path dir() {
    return dir;
  }

  public FakeHost host() {
    return host;
  }

  /** vendor/device/class/subsystem ids in the kernel's {@code 0x%04x} / {@code 0x%06x} formats. */
  public PciFunction ids(int vendor, int device, int pciClass) {
    host.attr(dir.resolve("vendor"), String.format("0x%04x", vendor));
    host.attr(dir.resolve("device"), String.format("0x%04x", device));
    host.attr(dir.resolve("subsystem_vendor"), String.format("0x%04x", vendor));
    host.attr(dir.resolve("subsystem_device"), "0x0007");
    host.attr(dir.resolve("class"), String.format("0x%06x", pciClass));
    host.attr(dir.resolve("revision"), "0x00");
    host.attr(
        dir.resolve("uevent"),
        String.format(
            "PCI_CLASS=%X\nPCI_ID=%04X:%04X\nPCI_SLOT_NAME=%s", pciClass, vendor, device, bdf));
    return this;
  }

  public PciFunction numaNode(int node) {
    host.attr(dir.resolve("numa_node"), Integer.toString(node));
    return this;
  }

  /** Binds a driver: {@code driver -> .../bus/pci/drivers/<name>} and the driver's back link. */
  public PciFunction driver(String name) {
    Path drv = host.mkdirs("sys/bus/pci/drivers/" + name);
    host.link(dir.resolve("driver"), drv);
    host.link(drv.resolve(bdf), dir);
    return this;
  }

  /** {@code sriov_*} files of an SR-IOV capable PF. */
  public PciFunction sriov(int totalVfs, int numVfs, int offset, String vfDevice) {
    host.attr(dir.resolve("sriov_totalvfs"), Integer.toString(totalVfs));
    host.attr(dir.resolve("sriov_numvfs"), Integer.toString(numVfs));
    host.attr(dir.resolve("sriov_offset"), Integer.toString(offset));
    host.attr(dir.resolve("sriov_stride"), "1");
    host.attr(dir.resolve("sriov_vf_device"), vfDevice);
    host.attr(dir.resolve("sriov_drivers_autoprobe"), "1");
    return this;
  }

  /** Links {@code virtfn<index>} here and {@code physfn} on the VF. */
  public PciFunction virtfn(int index, PciFunction vf) {
    host.link(dir.resolve("virtfn" + index), vf.dir());
    host.link(vf.dir().resolve("physfn"), dir);
    return this;
  }

  /**
   * What writing {@code 0} to {@code sriov_numvfs} does: every VF's directory and every link to it
   * ({@code virtfnN}, bus, class and driver links) disappear, in the kernel's order (so that a scan
   * running meanwhile sees what it would on a real host): the {@code virtfnN} and {@code physfn}
   * links first, then what the VF's driver created as it unbinds, then the VF itself.
   */
  public PciFunction removeVfs() {
    try (Stream<Path> entries = Files.list(dir)) {
      for (Path virtfn :
          entries.filter(p -> p.getFileName().toString().startsWith("virtfn")).toList()) {
        Path vf = Files.exists(virtfn) ? virtfn.toRealPath() : null;
        Files.delete(virtfn);
        if (vf != null) {
          host.remove(vf.resolve("physfn"));
          unbindDriver(host, vf);
          FakeHost.removeTree(vf);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    host.pruneDanglingLinks();
    return this;
  }

  /**
   * What unbinding its driver does to a function: its netdevs, RDMA devices and uverbs devices go
   * (their class links dangle until {@link FakeHost#pruneDanglingLinks}), then the {@code driver}
   * link and the driver's link back.
   */
  static void unbindDriver(FakeHost host, Path dir) {
    for (String sub : new String[] {"net", "infiniband", "infiniband_verbs"}) {
      if (Files.isDirectory(dir.resolve(sub), LinkOption.NOFOLLOW_LINKS)) {
        FakeHost.removeTree(dir.resolve(sub));
      }
    }
    Path driver = dir.resolve("driver");
    if (Files.isSymbolicLink(driver)) {
      try {
        String name = Files.readSymbolicLink(driver).getFileName().toString();
        host.remove(host.path("sys/bus/pci/drivers/" + name + "/" + dir.getFileName()));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      host.remove(driver);
    }
  }

  /** A netdev under {@code net/<name>} with its {@code sys/class/net} link. */
  public Netdev netdev(String name, int arpType) {
    Path nd = host.mkdirs(dir.resolve("net").resolve(name));
    host.link(host.path("sys/class/net/" + name), nd);
    host.link(nd.resolve("device"), dir);
    int ifindex = host.allocateIfindex();
    host.attr(nd.resolve("type"), Integer.toString(arpType));
    host.attr(nd.resolve("ifindex"), Integer.toString(ifindex));
    host.attr(nd.resolve("iflink"), Integer.toString(ifindex));
    host.attr(nd.resolve("mtu"), arpType == 32 ? "4092" : "1500");
    host.attr(nd.resolve("dev_id"), "0x0");
    host.attr(nd.resolve("flags"), "0x1003");
    host.attr(nd.resolve("ifalias"), "");
    return new Netdev(host, name, nd);
  }

  /** An empty {@code net/} directory: the VF's netdev was moved into a pod's netns. */
  public PciFunction emptyNetDir() {
    host.mkdirs(dir.resolve("net"));
    return this;
  }

  /** An empty {@code infiniband/} directory: the RDMA device was moved (exclusive netns mode). */
  public PciFunction emptyInfinibandDir() {
    host.mkdirs(dir.resolve("infiniband"));
    return this;
  }

  /**
   * An RDMA device under {@code infiniband/<name>} with port 1, its class link, a uverbs device
   * (numbered independently of the name, mapped through {@code ibdev}) and its {@code
   * /dev/infiniband} node.
   */
  public IbDevice ibDevice(String name, int pciDevice, String nodeGuid) {
    Path ib = host.mkdirs(dir.resolve("infiniband").resolve(name));
    host.link(host.path("sys/class/infiniband/" + name), ib);
    host.link(ib.resolve("device"), dir);
    host.attr(ib.resolve("node_type"), "1: CA");
    host.attr(ib.resolve("node_guid"), nodeGuid);
    host.attr(ib.resolve("sys_image_guid"), nodeGuid);
    host.attr(ib.resolve("fw_ver"), "28.39.1002");
    host.attr(ib.resolve("hca_type"), "MT" + pciDevice);
    host.attr(ib.resolve("hw_rev"), "0");
    host.attr(ib.resolve("board_id"), "MT_0000000838");
    int n = host.allocateUverbs();
    Path uverbs = host.mkdirs(dir.resolve("infiniband_verbs").resolve("uverbs" + n));
    host.link(host.path("sys/class/infiniband_verbs/uverbs" + n), uverbs);
    host.attr(uverbs.resolve("ibdev"), name);
    host.attr(uverbs.resolve("abi_version"), "1");
    host.attr(uverbs.resolve("dev"), "231:" + (192 + n));
    host.file("dev/infiniband/uverbs" + n, "");
    return new IbDevice(host, name, ib);
  }
}
