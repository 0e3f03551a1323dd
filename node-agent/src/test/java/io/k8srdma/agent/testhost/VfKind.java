package io.k8srdma.agent.testhost;

/** How a fake VF looks on the host: one value per row of the sysfs-facts evidence table. */
public enum VfKind {
  /** mlx5_core bound, netdev and RDMA device in the host namespace. */
  FREE,
  /** netdev moved to a pod netns: {@code net/} present but empty; RDMA device stays (shared). */
  NETDEV_MOVED,
  /** netdev and RDMA device both moved (exclusive RDMA netns mode): both directories empty. */
  EXCLUSIVE_MOVED,
  /** sriov-cni recorded an allocation into a netns that exists. */
  CNI_ALLOCATED,
  /** sriov-cni record whose netns is gone: the VF is free again. */
  CNI_STALE,
  /** bound to vfio-pci for DPDK/VMs: no netdev, no RDMA device. */
  VFIO,
  /** no driver bound. */
  UNBOUND;

  void apply(PciFunction vf, String netdev, String rdma, boolean infiniband) {
    int arp = infiniband ? Mlx5.ARPHRD_INFINIBAND : Mlx5.ARPHRD_ETHER;
    switch (this) {
      case FREE -> kernelVf(vf, netdev, rdma, arp);
      case NETDEV_MOVED -> {
        vf.driver("mlx5_core").emptyNetDir();
        vf.ibDevice(rdma, Mlx5.VF, guid(vf))
            .port(1, "4: ACTIVE", "5: LinkUp", rate(infiniband), ll(infiniband));
      }
      case EXCLUSIVE_MOVED -> vf.driver("mlx5_core").emptyNetDir().emptyInfinibandDir();
      case CNI_ALLOCATED -> {
        kernelVf(vf, netdev, rdma, arp);
        vf.host().cniAllocation(vf.bdf(), "/var/run/netns/cni-" + vf.bdf().replace(':', '-'));
      }
      case CNI_STALE -> {
        kernelVf(vf, netdev, rdma, arp);
        vf.host()
            .staleCniAllocation(vf.bdf(), "/var/run/netns/cni-gone-" + vf.bdf().replace(':', '-'));
      }
      case VFIO -> vf.driver("vfio-pci");
      case UNBOUND -> {
        // no driver link, no net/, no infiniband/
      }
    }
  }

  private static void kernelVf(PciFunction vf, String netdev, String rdma, int arp) {
    boolean ib = arp == Mlx5.ARPHRD_INFINIBAND;
    vf.driver("mlx5_core");
    Netdev nd = vf.netdev(netdev, arp).up(ib ? 400000 : 100000);
    nd.address(
        ib ? "00:00:10:49:fe:80:00:00:00:00:00:00:00:00:00:00:00:00:00:00" : "00:00:00:00:00:00");
    vf.ibDevice(rdma, Mlx5.VF, guid(vf)).port(1, "4: ACTIVE", "5: LinkUp", rate(ib), ll(ib));
  }

  private static String guid(PciFunction vf) {
    return "0000:0000:0000:0000";
  }

  private static String rate(boolean ib) {
    return ib ? "400 Gb/sec (4X NDR)" : "100 Gb/sec (4X EDR)";
  }

  private static String ll(boolean ib) {
    return ib ? "InfiniBand" : "Ethernet";
  }
}
