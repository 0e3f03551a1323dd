package io.k8srdma.agent.testhost;

import java.util.function.IntFunction;

/**
 * Builds ConnectX (mlx5_core) functions on a {@link FakeHost} the way the kernel lays them out: PF
 * ids, driver, netdev, RDMA device and port, then VFs as siblings at PF RID + offset + N.
 */
public final class Mlx5 {

  public static final int VENDOR = 0x15b3;
  public static final int CX7 = 0x1021;
  public static final int CX6DX = 0x101d;
  public static final int VF = 0x101e;
  public static final int CLASS_ETHERNET = 0x020000;
  public static final int CLASS_INFINIBAND = 0x020700;
  public static final int ARPHRD_ETHER = 1;
  public static final int ARPHRD_INFINIBAND = 32;

  private Mlx5() {}

  /** An InfiniBand ConnectX-7 PF; {@code rate} null means the port is down (no carrier). */
  public static PciFunction ibPf(
      FakeHost host,
      String topology,
      String bdf,
      String netdev,
      String rdma,
      int numaNode,
      String rate) {
    PciFunction pf =
        host.pciFunction(topology, bdf)
            .ids(VENDOR, CX7, CLASS_INFINIBAND)
            .numaNode(numaNode)
            .driver("mlx5_core");
    Netdev nd =
        pf.netdev(netdev, ARPHRD_INFINIBAND)
            .address("00:00:10:29:fe:80:00:00:00:00:00:00:a0:88:c2:03:00:74:cf:da");
    IbDevice ib = pf.ibDevice(rdma, CX7, "a088:c203:0074:cfda");
    if (rate == null) {
      nd.noCarrier();
      ib.downIb();
    } else {
      nd.up(IbRateText.mbps(rate));
      ib.activeIb(rate);
    }
    return pf;
  }

  /**
   * A RoCE ConnectX-6 Dx PF port; {@code speedMbps} 0 means running without carrier (speed -1, port
   * DOWN with the 4X QDR default rate).
   */
  public static PciFunction rocePf(
      FakeHost host,
      String topology,
      String bdf,
      String netdev,
      String rdma,
      int numaNode,
      long speedMbps,
      String rate) {
    PciFunction pf =
        host.pciFunction(topology, bdf)
            .ids(VENDOR, CX6DX, CLASS_ETHERNET)
            .numaNode(numaNode)
            .driver("mlx5_core");
    Netdev nd =
        pf.netdev(netdev, ARPHRD_ETHER)
            .address("58:a2:e1:da:e6:2" + bdf.charAt(bdf.length() - 1))
            .physPortName("p" + bdf.charAt(bdf.length() - 1));
    IbDevice ib = pf.ibDevice(rdma, CX6DX, "58a2:e103:00da:e626");
    if (speedMbps > 0) {
      nd.up(speedMbps);
      ib.activeRoce(rate);
    } else {
      nd.noCarrier();
      ib.downRoce();
    }
    return pf;
  }

  /**
   * Enables {@code numVfs} of {@code totalVfs} VFs on {@code pf}, at PF RID + {@code offset} + N,
   * each set up as {@code kind.apply(N)} says. VF netdevs are {@code <pfNetdev>v<N>}; VF RDMA
   * devices are named {@code mlx5_<firstRdmaNumber + N>}.
   */
  public static void enableVfs(
      PciFunction pf,
      String pfNetdev,
      boolean infiniband,
      int totalVfs,
      int numVfs,
      int offset,
      int firstRdmaNumber,
      IntFunction<VfKind> kind) {
    pf.sriov(totalVfs, numVfs, offset, Integer.toHexString(VF));
    createVfs(pf, pfNetdev, infiniband, numVfs, firstRdmaNumber, kind);
  }

  /**
   * What the kernel does after {@code numVfs} is written to an SR-IOV PF's {@code sriov_numvfs}:
   * the VF functions appear at PF RID + {@code sriov_offset} + N, with {@code virtfnN}/{@code
   * physfn} links. Leaves {@code sriov_numvfs} itself alone (the writer owns it).
   */
  public static void createVfs(
      PciFunction pf,
      String pfNetdev,
      boolean infiniband,
      int numVfs,
      int firstRdmaNumber,
      IntFunction<VfKind> kind) {
    int offset = readInt(pf.dir().resolve("sriov_offset"), 1);
    for (int n = 0; n < numVfs; n++) {
      PciFunction vf = pf.host().sibling(pf, Bdf.plus(pf.bdf(), offset + n));
      vf.ids(VENDOR, VF, infiniband ? CLASS_INFINIBAND : CLASS_ETHERNET).numaNode(numaOf(pf));
      pf.virtfn(n, vf);
      kind.apply(n).apply(vf, pfNetdev + "v" + n, "mlx5_" + (firstRdmaNumber + n), infiniband);
    }
  }

  private static int numaOf(PciFunction pf) {
    return readInt(pf.dir().resolve("numa_node"), -1);
  }

  private static int readInt(java.nio.file.Path attribute, int fallback) {
    try {
      return Integer.parseInt(java.nio.file.Files.readString(attribute).strip());
    } catch (java.io.IOException e) {
      return fallback;
    }
  }

  /** Small helpers for rate strings. */
  static final class IbRateText {
    private IbRateText() {}

    static long mbps(String rate) {
      String number = rate.substring(0, rate.indexOf(' '));
      return Math.round(Double.parseDouble(number) * 1000);
    }
  }
}
