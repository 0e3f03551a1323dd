package io.k8srdma.agent.discovery;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Host-wide lookups read once per scan: which uverbs device belongs to which RDMA device (through
 * the {@code ibdev} file, since uverbs and mlx5 numbers diverge) and which VFs sriov-cni has
 * recorded as allocated to a live network namespace.
 */
final class HostIndex {

  private final Map<String, String> uverbsByIbdev;
  private final Sysfs sysfs;

  private HostIndex(Sysfs sysfs, Map<String, String> uverbsByIbdev) {
    this.sysfs = sysfs;
    this.uverbsByIbdev = uverbsByIbdev;
  }

  static HostIndex load(Sysfs sysfs) {
    Map<String, String> uverbs = new HashMap<>();
    for (Path entry : sysfs.list(sysfs.host("sys/class/infiniband_verbs"))) {
      String name = entry.getFileName().toString();
      if (name.startsWith("uverbs")) {
        sysfs.read(entry.resolve("ibdev")).map(String::strip).ifPresent(ib -> uverbs.put(ib, name));
      }
    }
    return new HostIndex(sysfs, Map.copyOf(uverbs));
  }

  /** The uverbs device of an RDMA device, e.g. {@code uverbs3}, or null. */
  String uverbsOf(String rdmaDevice) {
    return uverbsByIbdev.get(rdmaDevice);
  }

  /**
   * The netns path in sriov-cni's allocation record for {@code pci}, or null when there is no
   * record or its netns no longer exists (a stale record, as sriov-cni's {@code IsAllocated} treats
   * it).
   */
  String cniNetnsOf(String pci) {
    Optional<String> netns =
        sysfs
            .read(sysfs.host("var/lib/cni/sriov/pci").resolve(pci))
            .map(String::strip)
            .filter(s -> !s.isEmpty());
    return netns.filter(ns -> sysfs.exists(sysfs.host(ns.replaceFirst("^/+", "")))).orElse(null);
  }
}
