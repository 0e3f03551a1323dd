package io.k8srdma.agent.testhost;

import java.nio.file.Path;

/**
 * Named fake hosts used by the tests, the demo ({@code demo/host}) and the benchmarks. Each follows
 * a real layout from {@code sysfs-facts.md}.
 */
public final class Hosts {

  /** Two PCIe switch levels between the root port and the NIC, as on DGX H100 class machines. */
  static final String SWITCHED_15 = "pci0000:15/0000:15:01.0/0000:16:00.0/0000:17:02.0";

  static final String SWITCHED_37 = "pci0000:37/0000:37:01.0/0000:38:00.0/0000:39:02.0";

  private Hosts() {}

  /**
   * Two ConnectX-7 NDR InfiniBand PFs behind PCIe switches on NUMA 0 and 1, each with 4 of 16 VFs
   * enabled: free, free, netdev moved, sriov-cni allocated.
   */
  public static FakeHost ibNdr(Path root) {
    FakeHost host = FakeHost.at(root);
    PciFunction a =
        Mlx5.ibPf(host, SWITCHED_15, "0000:1a:00.0", "ibp26s0", "mlx5_0", 0, "400 Gb/sec (4X NDR)");
    PciFunction b =
        Mlx5.ibPf(host, SWITCHED_37, "0000:3c:00.0", "ibp60s0", "mlx5_1", 1, "400 Gb/sec (4X NDR)");
    Mlx5.enableVfs(a, "ibp26s0", true, 16, 4, 1, 8, Hosts::ibVfKinds);
    Mlx5.enableVfs(b, "ibp60s0", true, 16, 4, 1, 12, Hosts::ibVfKinds);
    return host;
  }

  private static VfKind ibVfKinds(int n) {
    return switch (n) {
      case 2 -> VfKind.NETDEV_MOVED;
      case 3 -> VfKind.CNI_ALLOCATED;
      default -> VfKind.FREE;
    };
  }

  /**
   * A dual-port ConnectX-6 Dx RoCE card: port 0 up at 100 Gb/s with 2 VFs, port 1 running without
   * carrier with 2 VFs (which are therefore unavailable). PF1's VFs start at totalvfs(PF0) + 1.
   */
  public static FakeHost dualPortRoce(Path root) {
    FakeHost host = FakeHost.at(root);
    String top = "pci0000:1b/0000:1b:01.0";
    PciFunction p0 =
        Mlx5.rocePf(
            host, top, "0000:1c:00.0", "enp28s0f0np0", "mlx5_2", 0, 100000, "100 Gb/sec (4X EDR)");
    PciFunction p1 = Mlx5.rocePf(host, top, "0000:1c:00.1", "enp28s0f1np1", "mlx5_3", 0, 0, null);
    Mlx5.enableVfs(p0, "enp28s0f0np0", false, 8, 2, 2, 4, n -> VfKind.FREE);
    Mlx5.enableVfs(p1, "enp28s0f1np1", false, 8, 2, 9, 6, n -> VfKind.FREE);
    return host;
  }

  /** One InfiniBand PF whose 7 VFs show every row of the evidence table, in order of VfKind. */
  public static FakeHost everyVfState(Path root) {
    FakeHost host = FakeHost.at(root);
    PciFunction pf =
        Mlx5.ibPf(
            host,
            "pci0000:00/0000:00:02.0",
            "0000:03:00.0",
            "ibp3s0",
            "mlx5_0",
            0,
            "200 Gb/sec (4X HDR)");
    VfKind[] kinds = VfKind.values();
    Mlx5.enableVfs(pf, "ibp3s0", true, 8, kinds.length, 1, 1, n -> kinds[n]);
    return host;
  }

  /**
   * What must be ignored or listed without VFs: a ConnectX PF whose firmware has SR-IOV off (no
   * sriov_* files), a virtio-net NIC, an Intel X710 with iavf VFs (no RDMA), a PCIe bridge, and a
   * dangling bus link.
   */
  public static FakeHost mixedNics(Path root) {
    FakeHost host = FakeHost.at(root);
    Mlx5.rocePf(
        host,
        "pci0000:80/0000:80:01.0",
        "0000:81:00.0",
        "enp129s0f0np0",
        "mlx5_0",
        -1,
        25000,
        "25 Gb/sec (1X EDR)");
    PciFunction bridge = host.pciFunction("pci0000:80", "0000:80:01.0");
    bridge.ids(0x8086, 0x347a, 0x060400).driver("pcieport");
    PciFunction virtio = host.pciFunction("pci0000:00", "0000:00:03.0");
    virtio.ids(0x1af4, 0x1000, 0x020000).driver("virtio-pci");
    Path virtio0 = host.mkdirs(virtio.dir().resolve("virtio0"));
    host.attr(virtio0.resolve("vendor"), "0x1af4");
    host.attr(virtio0.resolve("device"), "0x0001");
    Path eth0 = host.mkdirs(virtio0.resolve("net/eth0"));
    host.link(host.path("sys/class/net/eth0"), eth0);
    host.attr(eth0.resolve("type"), "1");
    host.attr(eth0.resolve("speed"), "-1");
    PciFunction x710 = host.pciFunction("pci0000:00/0000:00:1c.0", "0000:05:00.0");
    x710.ids(0x8086, 0x1572, 0x020000).driver("i40e").numaNode(0);
    x710.netdev("enp5s0f0", 1).up(10000);
    x710.sriov(64, 1, 16, "154c");
    PciFunction iavf = host.sibling(x710, "0000:05:02.0");
    iavf.ids(0x8086, 0x154c, 0x020000).driver("iavf");
    iavf.netdev("enp5s0f0v0", 1).up(10000);
    x710.virtfn(0, iavf);
    host.link(
        host.path("sys/bus/pci/devices/0000:99:00.0"),
        host.path("sys/devices/pci0000:99/0000:99:00.0"));
    return host;
  }

  /**
   * Names that are not what a pattern would expect: an admin-renamed IPoIB PF ({@code net-ib7})
   * whose RDMA device carries an rdma-core persistent name ({@code ibp65s0}), in PCI domain 0001,
   * uverbs numbers that diverge from the RDMA device numbers, and a VF whose netdev was renamed.
   * The PF's {@code numa_node} reads -1.
   */
  public static FakeHost renamedSecondDomain(Path root) {
    FakeHost host = FakeHost.at(root).uverbsNumbersFrom(5);
    PciFunction pf =
        Mlx5.ibPf(
            host,
            "pci0001:40/0001:40:01.0",
            "0001:41:00.0",
            "net-ib7",
            "ibp65s0",
            -1,
            "200 Gb/sec (2X NDR)");
    Mlx5.enableVfs(pf, "net-ib7", true, 4, 2, 1, 20, n -> VfKind.FREE);
    return host;
  }

  /**
   * A RoCE PF in switchdev mode: its {@code net/} holds the uplink ({@code phys_port_name p0},
   * readable {@code phys_switch_id}) and two VF representors ({@code pf0vf0}, {@code pf0vf1}).
   */
  public static FakeHost switchdev(Path root) {
    FakeHost host = FakeHost.at(root);
    PciFunction pf =
        Mlx5.rocePf(
            host,
            "pci0000:00/0000:00:03.0",
            "0000:08:00.0",
            "enp8s0f0np0",
            "mlx5_0",
            0,
            200000,
            "200 Gb/sec (4X HDR)");
    host.attr(pf.dir().resolve("net/enp8s0f0np0/phys_switch_id"), "26e6da0003e1a258");
    for (int i = 0; i < 2; i++) {
      pf.netdev("enp8s0f0pf0vf" + i, 1)
          .up(200000)
          .physPortName("pf0vf" + i)
          .physSwitchId("26e6da0003e1a258");
    }
    Mlx5.enableVfs(pf, "enp8s0f0np0", false, 8, 2, 2, 1, n -> VfKind.FREE);
    return host;
  }

  /**
   * The demo node of {@code make run}: two NDR InfiniBand PFs with 8 VFs each and one 100 Gb/s RoCE
   * PF with 4 VFs; some VFs are in use.
   */
  public static FakeHost demo(Path root) {
    FakeHost host = FakeHost.at(root);
    PciFunction a =
        Mlx5.ibPf(host, SWITCHED_15, "0000:1a:00.0", "ibp26s0", "mlx5_0", 0, "400 Gb/sec (4X NDR)");
    PciFunction b =
        Mlx5.ibPf(host, SWITCHED_37, "0000:3c:00.0", "ibp60s0", "mlx5_1", 1, "400 Gb/sec (4X NDR)");
    PciFunction c =
        Mlx5.rocePf(
            host,
            "pci0000:1b/0000:1b:01.0",
            "0000:1c:00.0",
            "enp28s0f0np0",
            "mlx5_2",
            0,
            100000,
            "100 Gb/sec (4X EDR)");
    Mlx5.enableVfs(a, "ibp26s0", true, 16, 8, 1, 3, n -> n < 2 ? VfKind.NETDEV_MOVED : VfKind.FREE);
    Mlx5.enableVfs(
        b, "ibp60s0", true, 16, 8, 1, 11, n -> n == 0 ? VfKind.CNI_ALLOCATED : VfKind.FREE);
    Mlx5.enableVfs(c, "enp28s0f0np0", false, 8, 4, 2, 19, n -> VfKind.FREE);
    return host;
  }

  /** A large node for benchmarks: {@code pfs} InfiniBand PFs with {@code vfsPerPf} VFs each. */
  public static FakeHost large(Path root, int pfs, int vfsPerPf) {
    FakeHost host = FakeHost.at(root);
    int rdma = pfs;
    for (int i = 0; i < pfs; i++) {
      int bus = 0x10 + i * 2;
      String bdf = String.format("0000:%02x:00.0", bus);
      String top = String.format("pci0000:%02x/0000:%02x:01.0", bus - 1, bus - 1);
      String netdev = "ibp" + bus + "s0";
      PciFunction pf = Mlx5.ibPf(host, top, bdf, netdev, "mlx5_" + i, i % 2, "400 Gb/sec (4X NDR)");
      Mlx5.enableVfs(
          pf,
          netdev,
          true,
          vfsPerPf,
          vfsPerPf,
          1,
          rdma,
          n -> n % 4 == 3 ? VfKind.NETDEV_MOVED : VfKind.FREE);
      rdma += vfsPerPf;
    }
    return host;
  }

  /** Writes a named host into {@code args[1]}: {@code demo} or {@code large <pfs> <vfs>}. */
  public static void main(String[] args) {
    Path root = Path.of(args[1]);
    switch (args[0]) {
      case "demo" -> demo(root);
      case "large" -> large(root, Integer.parseInt(args[2]), Integer.parseInt(args[3]));
      default -> throw new IllegalArgumentException("unknown host " + args[0]);
    }
  }
}
