package io.k8srdma.agent.discovery;

import io.k8srdma.agent.netlink.VfLinkInfo;
import io.k8srdma.agent.netlink.VfLinkInfoSource;
import io.k8srdma.model.inventory.LinkLayer;
import io.k8srdma.model.inventory.PhysicalFunction;
import io.k8srdma.model.inventory.VfState;
import io.k8srdma.model.inventory.VirtualFunction;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scans a host for RDMA-capable PCI network functions and their SR-IOV VFs.
 *
 * <p>A function is listed when its PCI class is a network controller ({@code 0x02xxxx}), it is not
 * itself a VF, and it has an RDMA device under {@code infiniband/}. Devices are walked from {@code
 * sys/bus/pci/devices}, so every PCI domain is seen; anything unreadable about one device is
 * skipped for that device only.
 */
public final class HostScanner {

  private static final Logger log = LoggerFactory.getLogger(HostScanner.class);
  private static final Pattern VIRTFN = Pattern.compile("virtfn(\\d+)");
  private static final Pattern UPLINK_PORT = Pattern.compile("p\\d+");
  private static final Pattern PORT_STATE = Pattern.compile("\\d+:\\s*(\\S+)");
  private static final String MLX5 = "mlx5_core";

  private final Sysfs sysfs;
  private final VfLinkInfoSource netlink;

  public HostScanner(Sysfs sysfs, VfLinkInfoSource netlink) {
    this.sysfs = sysfs;
    this.netlink = netlink;
  }

  /**
   * Scans the host once.
   *
   * @throws ScanException when the host's PCI device list is absent (wrong root) or cannot be
   *     listed
   */
  public List<PhysicalFunction> scan() {
    Path devices = sysfs.host("sys/bus/pci/devices");
    if (!sysfs.isDirectory(devices)) {
      throw new ScanException("cannot read " + devices + ": is k8s-rdma.agent.host-root right?");
    }
    List<Path> links;
    try {
      links = sysfs.listReadable(devices);
    } catch (IOException e) {
      // Not an empty host: reporting no PFs would replace the last good inventory.
      throw new ScanException("cannot list " + devices + ": " + e);
    }
    HostIndex index = HostIndex.load(sysfs);
    Set<String> vfDeviceIds = vfDeviceIds(links);
    List<PhysicalFunction> pfs = new ArrayList<>();
    for (Path link : links) {
      scanFunction(link, index, vfDeviceIds).ifPresent(pfs::add);
    }
    pfs.sort(Comparator.comparing(PhysicalFunction::pciAddress));
    return List.copyOf(pfs);
  }

  /**
   * The {@code vendor:device} ids of the VFs the host's SR-IOV PFs create ({@code
   * sriov_vf_device}). While VFs are removed, the kernel drops a VF's {@code physfn} link before
   * the VF itself, so for a moment a VF looks like a PF but for its device id.
   */
  private Set<String> vfDeviceIds(List<Path> busLinks) {
    Set<String> ids = new HashSet<>();
    for (Path link : busLinks) {
      sysfs
          .readHex(link.resolve("sriov_vf_device"))
          .ifPresent(
              vf -> sysfs.readHex(link.resolve("vendor")).ifPresent(v -> ids.add(v + ":" + vf)));
    }
    return ids;
  }

  /**
   * {@code 15b3:101e}: a function's {@code vendor} and {@code device}, as {@link Sysfs#readHex}.
   */
  private Optional<String> deviceId(Path function) {
    return sysfs
        .readHex(function.resolve("vendor"))
        .flatMap(v -> sysfs.readHex(function.resolve("device")).map(d -> v + ":" + d));
  }

  private Optional<PhysicalFunction> scanFunction(
      Path busLink, HostIndex index, Set<String> vfDeviceIds) {
    Optional<Path> resolved = sysfs.resolve(busLink);
    if (resolved.isEmpty()) {
      log.debug("skipping {}: dangling link", busLink.getFileName());
      return Optional.empty();
    }
    Path dev = resolved.get();
    if (!isNetworkClass(dev) || sysfs.exists(dev.resolve("physfn"))) {
      return Optional.empty();
    }
    if (isVfDevice(dev, vfDeviceIds)) {
      log.debug("skipping {}: a VF without its physfn link (being removed)", dev.getFileName());
      return Optional.empty();
    }
    Optional<String> rdma = firstEntryName(dev.resolve("infiniband"));
    if (rdma.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(describePf(dev, rdma.get(), index));
  }

  private boolean isNetworkClass(Path dev) {
    return sysfs.readHex(dev.resolve("class")).filter(c -> c.startsWith("02")).isPresent();
  }

  private PhysicalFunction describePf(Path dev, String rdmaDevice, HostIndex index) {
    String pci = dev.getFileName().toString();
    Path port = dev.resolve("infiniband").resolve(rdmaDevice).resolve("ports").resolve("1");
    LinkLayer linkLayer =
        sysfs.read(port.resolve("link_layer")).flatMap(LinkLayer::parse).orElse(LinkLayer.UNKNOWN);
    String portState = sysfs.read(port.resolve("state")).map(HostScanner::portState).orElse(null);
    Optional<Path> uplink = uplinkNetdev(dev);
    String driver = sysfs.linkTargetName(dev.resolve("driver")).orElse(null);
    Map<Integer, VfLinkInfo> vfInfo =
        uplink.map(u -> netlink.vfInfo(u.getFileName().toString())).orElse(Map.of());
    return new PhysicalFunction(
        uplink.map(u -> u.getFileName().toString()).orElse(pci),
        pci,
        rdmaDevice,
        index.uverbsOf(rdmaDevice),
        sysfs.readHex(dev.resolve("vendor")).orElse(null),
        sysfs.readHex(dev.resolve("device")).orElse(null),
        driver,
        linkLayer,
        portState,
        (int) sysfs.readLong(dev.resolve("numa_node")).orElse(-1L).longValue(),
        capacityMbps(linkLayer, portState, port, uplink),
        (int) sysfs.readLong(dev.resolve("sriov_totalvfs")).orElse(0L).longValue(),
        (int) sysfs.readLong(dev.resolve("sriov_numvfs")).orElse(0L).longValue(),
        vfRateLimit(linkLayer, driver),
        uplink.map(this::eswitchMode).orElse("legacy"),
        describeVfs(dev, portState, index, vfInfo));
  }

  private static String portState(String raw) {
    Matcher m = PORT_STATE.matcher(raw.strip());
    return m.matches() ? m.group(1) : raw.strip();
  }

  /**
   * The PF's uplink netdev. With switchdev representors in {@code net/} the uplink is the one whose
   * {@code phys_port_name} is {@code pN}; alone, a netdev is the uplink.
   */
  private Optional<Path> uplinkNetdev(Path dev) {
    List<Path> netdevs = sysfs.list(dev.resolve("net"));
    if (netdevs.size() <= 1) {
      return netdevs.stream().findFirst();
    }
    return netdevs.stream()
        .filter(
            n ->
                sysfs
                    .read(n.resolve("phys_port_name"))
                    .filter(p -> UPLINK_PORT.matcher(p.strip()).matches())
                    .isPresent())
        .findFirst()
        .or(() -> netdevs.stream().findFirst());
  }

  private String eswitchMode(Path netdev) {
    return sysfs.read(netdev.resolve("phys_switch_id")).filter(s -> !s.isBlank()).isPresent()
        ? "switchdev"
        : "legacy";
  }

  /**
   * Port bandwidth in Mb/s, only for an active port: a down port's rate file holds a driver default
   * (40 Gb/s on RoCE, 10 Gb/s on IB), not a capacity. Ethernet prefers the netdev's exact {@code
   * speed}; InfiniBand uses {@code rate}, since IPoIB {@code speed} fails on kernels without
   * HDR/NDR tables.
   */
  private Long capacityMbps(
      LinkLayer linkLayer, String portState, Path port, Optional<Path> uplink) {
    if (!"ACTIVE".equals(portState)) {
      return null;
    }
    Optional<Long> rate = sysfs.read(port.resolve("rate")).flatMap(IbRate::toMbps);
    if (linkLayer == LinkLayer.ETHERNET) {
      Optional<Long> speed =
          uplink.flatMap(u -> sysfs.readLong(u.resolve("speed"))).filter(s -> s > 0);
      return speed.or(() -> rate).orElse(null);
    }
    return rate.orElse(null);
  }

  /**
   * What a VF rate means here: mlx5 enforces min and max in Ethernet mode; in InfiniBand mode there
   * are no per-VF rate limits; other drivers commonly support only max.
   */
  private static String vfRateLimit(LinkLayer linkLayer, String driver) {
    if (linkLayer == LinkLayer.INFINIBAND) {
      return "none";
    }
    return MLX5.equals(driver) ? "min+max" : "max";
  }

  private List<VirtualFunction> describeVfs(
      Path pf, String pfPortState, HostIndex index, Map<Integer, VfLinkInfo> vfInfo) {
    Map<Integer, Path> links = new HashMap<>();
    for (Path entry : sysfs.list(pf)) {
      Matcher m = VIRTFN.matcher(entry.getFileName().toString());
      if (m.matches()) {
        links.put(Integer.parseInt(m.group(1)), entry);
      }
    }
    return links.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .map(e -> describeVf(e.getKey(), e.getValue(), pfPortState, index, vfInfo.get(e.getKey())))
        .toList();
  }

  private VirtualFunction describeVf(
      int vfIndex, Path virtfn, String pfPortState, HostIndex index, VfLinkInfo info) {
    Optional<Path> resolved = sysfs.resolve(virtfn);
    if (resolved.isEmpty()) {
      return missingVf(vfIndex, virtfn, info);
    }
    Path vf = resolved.get();
    String pci = vf.getFileName().toString();
    String driver = sysfs.linkTargetName(vf.resolve("driver")).orElse(null);
    Path netDir = vf.resolve("net");
    String netdev = null;
    String unreadable = null;
    try {
      netdev = firstName(sysfs.listReadable(netDir)).orElse(null);
    } catch (IOException e) {
      // Unreadable is not empty: an empty net/ would say the netdev moved to a pod.
      unreadable = "cannot read " + vf.getFileName() + "/net: " + e;
    }
    Path ibDir = vf.resolve("infiniband");
    String rdma = firstEntryName(ibDir).orElse(null);
    boolean ibDirEmpty = sysfs.isDirectory(ibDir) && rdma == null;
    VfEvidence evidence =
        new VfEvidence(
            driver,
            sysfs.isDirectory(netDir),
            netdev,
            ibDirEmpty,
            index.cniNetnsOf(pci),
            pfPortState,
            unreadable);
    VfEvidence.Verdict verdict = evidence.verdict();
    return new VirtualFunction(
        vfIndex,
        pci,
        netdev,
        rdma,
        rdma == null ? null : index.uverbsOf(rdma),
        driver,
        info == null ? null : info.mac(),
        info == null ? null : info.nodeGuid(),
        info == null ? null : info.minTxRateMbps(),
        info == null ? null : info.maxTxRateMbps(),
        verdict.state(),
        verdict.reason());
  }

  /** A {@code virtfnN} link whose target vanished (VF being removed): listed, not usable. */
  private static VirtualFunction missingVf(int vfIndex, Path virtfn, VfLinkInfo info) {
    return new VirtualFunction(
        vfIndex,
        null,
        null,
        null,
        null,
        null,
        info == null ? null : info.mac(),
        null,
        null,
        null,
        VfState.UNAVAILABLE,
        "PCI device of " + virtfn.getFileName() + " is missing");
  }

  private boolean isVfDevice(Path dev, Set<String> vfDeviceIds) {
    return !vfDeviceIds.isEmpty() && deviceId(dev).filter(vfDeviceIds::contains).isPresent();
  }

  private Optional<String> firstEntryName(Path dir) {
    return firstName(sysfs.list(dir));
  }

  private static Optional<String> firstName(List<Path> entries) {
    return entries.stream().map(p -> p.getFileName().toString()).findFirst();
  }
}
