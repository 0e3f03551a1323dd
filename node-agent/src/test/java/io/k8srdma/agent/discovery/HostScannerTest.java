package io.k8srdma.agent.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.k8srdma.agent.netlink.VfLinkInfo;
import io.k8srdma.agent.netlink.VfLinkInfoSource;
import io.k8srdma.agent.testhost.FakeHost;
import io.k8srdma.agent.testhost.Hosts;
import io.k8srdma.model.inventory.PhysicalFunction;
import io.k8srdma.model.inventory.VfState;
import io.k8srdma.model.inventory.VirtualFunction;
import io.k8srdma.model.json.Json;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scans fake hosts built from sysfs-facts.md and compares the whole result with the expected JSON
 * under {@code src/test/resources/scans/}. Run with {@code -Dgolden.update=true} to rewrite the
 * expected files after an intended change, then review the diff.
 */
class HostScannerTest {

  private static final ObjectMapper JSON =
      Json.configure(new ObjectMapper()).enable(SerializationFeature.INDENT_OUTPUT);

  @TempDir Path root;

  @Test
  void infinibandNdrPfsBehindPcieSwitches() throws IOException {
    List<PhysicalFunction> pfs = scan(Hosts::ibNdr);
    assertMatchesGolden("ib-ndr", pfs);
    assertThat(pfs).extracting(PhysicalFunction::name).containsExactly("ibp26s0", "ibp60s0");
    assertThat(pfs.get(0).capacityMbps()).isEqualTo(400_000L);
    assertThat(pfs.get(1).numaNode()).isEqualTo(1);
    assertThat(pfs.get(0).vfs())
        .extracting(VirtualFunction::state)
        .containsExactly(VfState.FREE, VfState.FREE, VfState.IN_USE, VfState.IN_USE);
  }

  @Test
  void dualPortRoceWithOnePortWithoutCarrier() throws IOException {
    List<PhysicalFunction> pfs = scan(Hosts::dualPortRoce);
    assertMatchesGolden("dual-port-roce", pfs);
    PhysicalFunction up = pfs.get(0);
    PhysicalFunction down = pfs.get(1);
    assertThat(up.capacityMbps()).isEqualTo(100_000L);
    assertThat(up.vfRateLimit()).isEqualTo("min+max");
    assertThat(down.portState()).isEqualTo("DOWN");
    assertThat(down.capacityMbps()).as("a down port's 40 Gb/s default is no capacity").isNull();
    assertThat(down.vfs()).allMatch(vf -> vf.state() == VfState.UNAVAILABLE);
    assertThat(down.vfs().get(0).pciAddress()).isEqualTo("0000:1c:01.2");
  }

  @Test
  void everyRowOfTheEvidenceTable() throws IOException {
    List<PhysicalFunction> pfs = scan(Hosts::everyVfState);
    assertMatchesGolden("every-vf-state", pfs);
    assertThat(pfs.get(0).vfs())
        .extracting(VirtualFunction::state, VirtualFunction::reason)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(VfState.FREE, null),
            org.assertj.core.groups.Tuple.tuple(
                VfState.IN_USE, "netdev moved to another network namespace"),
            org.assertj.core.groups.Tuple.tuple(
                VfState.IN_USE,
                "netdev and RDMA device moved to another network namespace (exclusive RDMA mode)"),
            org.assertj.core.groups.Tuple.tuple(
                VfState.IN_USE, "allocated by sriov-cni to netns /var/run/netns/cni-0000-03-00.4"),
            org.assertj.core.groups.Tuple.tuple(VfState.FREE, null),
            org.assertj.core.groups.Tuple.tuple(
                VfState.UNAVAILABLE, "bound to vfio-pci (userspace/DPDK)"),
            org.assertj.core.groups.Tuple.tuple(VfState.UNAVAILABLE, "no driver bound"));
  }

  @Test
  void exclusiveModeMovedVfHasNeitherNetdevNorRdmaDevice() {
    VirtualFunction moved = scan(Hosts::everyVfState).get(0).vfs().get(2);
    assertThat(moved.netdev()).isNull();
    assertThat(moved.rdmaDevice()).isNull();
    VirtualFunction sharedMode = scan(Hosts::everyVfState).get(0).vfs().get(1);
    assertThat(sharedMode.rdmaDevice()).as("shared mode keeps the RDMA device").isEqualTo("mlx5_2");
  }

  @Test
  void ignoresNonRdmaNicsBridgesAndDanglingLinksAndListsPfWithoutSriov() throws IOException {
    List<PhysicalFunction> pfs = scan(Hosts::mixedNics);
    assertMatchesGolden("mixed-nics", pfs);
    assertThat(pfs)
        .singleElement()
        .satisfies(
            pf -> {
              assertThat(pf.pciAddress()).isEqualTo("0000:81:00.0");
              assertThat(pf.totalVfs()).isZero();
              assertThat(pf.vfs()).isEmpty();
              assertThat(pf.numaNode()).isEqualTo(-1);
              assertThat(pf.capacityMbps()).isEqualTo(25_000L);
            });
  }

  @Test
  void namesAreOpaqueAndSecondPciDomainIsSeen() throws IOException {
    List<PhysicalFunction> pfs = scan(Hosts::renamedSecondDomain);
    assertMatchesGolden("renamed-second-domain", pfs);
    PhysicalFunction pf = pfs.get(0);
    assertThat(pf.name()).isEqualTo("net-ib7");
    assertThat(pf.pciAddress()).isEqualTo("0001:41:00.0");
    assertThat(pf.rdmaDevice()).isEqualTo("ibp65s0");
    assertThat(pf.uverbsDevice()).as("mapped through ibdev, not by number").isEqualTo("uverbs5");
    assertThat(pf.capacityMbps()).isEqualTo(200_000L);
    assertThat(pf.vfs())
        .extracting(VirtualFunction::uverbsDevice)
        .containsExactly("uverbs6", "uverbs7");
  }

  @Test
  void switchdevPfIsNamedAfterItsUplinkNotARepresentor() throws IOException {
    List<PhysicalFunction> pfs = scan(Hosts::switchdev);
    assertMatchesGolden("switchdev", pfs);
    assertThat(pfs.get(0).name()).isEqualTo("enp8s0f0np0");
    assertThat(pfs.get(0).eswitchMode()).isEqualTo("switchdev");
  }

  @Test
  void netlinkFactsFillMacGuidAndRates() {
    VfLinkInfoSource netlink =
        pf ->
            pf.equals("ibp26s0")
                ? Map.of(
                    0,
                    new VfLinkInfo(
                        0,
                        "00:11:22:33:44:55",
                        25000,
                        50000,
                        "1122:3344:5566:7788",
                        null,
                        0,
                        0,
                        "auto",
                        null,
                        null))
                : Map.of();
    Hosts.ibNdr(root);
    List<PhysicalFunction> pfs = new HostScanner(new Sysfs(root), netlink).scan();
    VirtualFunction vf0 = pfs.get(0).vfs().get(0);
    assertThat(vf0.mac()).isEqualTo("00:11:22:33:44:55");
    assertThat(vf0.nodeGuid()).isEqualTo("1122:3344:5566:7788");
    assertThat(vf0.minTxRateMbps()).isEqualTo(25000);
    assertThat(vf0.maxTxRateMbps()).isEqualTo(50000);
    assertThat(pfs.get(0).vfs().get(1).mac()).isNull();
  }

  @Test
  void unreadableAttributesAndDanglingVfLinksDoNotBreakTheScan() throws IOException {
    FakeHost host = Hosts.ibNdr(root);
    Path pf = host.path("sys/bus/pci/devices/0000:1a:00.0").toRealPath();
    host.remove(pf.resolve("numa_node"));
    host.remove(pf.resolve("net/ibp26s0/speed"));
    host.remove(pf.resolve("infiniband/mlx5_0/ports/1/rate"));
    Path vf1 = pf.resolveSibling("0000:1a:00.2");
    FakeHost.removeTree(vf1);
    List<PhysicalFunction> pfs = new HostScanner(new Sysfs(root), VfLinkInfoSource.none()).scan();
    PhysicalFunction first = pfs.get(0);
    assertThat(first.numaNode()).isEqualTo(-1);
    assertThat(first.capacityMbps()).isNull();
    assertThat(first.vfs().get(1).state()).isEqualTo(VfState.UNAVAILABLE);
    assertThat(first.vfs().get(1).reason()).isEqualTo("PCI device of virtfn1 is missing");
    assertThat(pfs.get(1).vfs()).hasSize(4);
  }

  @Test
  void wrongRootIsAScanFailureNamingThePath() {
    Sysfs sysfs = new Sysfs(root.resolve("nope"));
    assertThatThrownBy(() -> new HostScanner(sysfs, VfLinkInfoSource.none()).scan())
        .isInstanceOf(ScanException.class)
        .hasMessageContaining("nope/sys/bus/pci/devices")
        .hasMessageContaining("k8s-rdma.agent.host-root");
  }

  @Test
  void anUnreadableDeviceListIsAScanFailureNotAnEmptyHost() {
    Hosts.ibNdr(root);
    Sysfs sysfs = unreadable(root.resolve("sys/bus/pci/devices"));
    assertThatThrownBy(() -> new HostScanner(sysfs, VfLinkInfoSource.none()).scan())
        .isInstanceOf(ScanException.class)
        .hasMessageContaining("cannot list")
        .hasMessageContaining("AccessDeniedException");
  }

  @Test
  void aVfWhoseNetDirCannotBeReadIsUnavailableNotInUse() throws IOException {
    FakeHost host = Hosts.ibNdr(root);
    Path vf0 = host.path("sys/bus/pci/devices/0000:1a:00.1").toRealPath();
    List<PhysicalFunction> pfs =
        new HostScanner(unreadable(vf0.resolve("net")), VfLinkInfoSource.none()).scan();
    VirtualFunction vf = pfs.get(0).vfs().get(0);
    assertThat(vf.state()).isEqualTo(VfState.UNAVAILABLE);
    assertThat(vf.reason()).startsWith("cannot read 0000:1a:00.1/net: ");
    assertThat(pfs.get(0).vfs().get(1).state()).isEqualTo(VfState.FREE);
  }

  @Test
  void aVfWhosePhysfnLinkIsAlreadyGoneIsNoPf() throws IOException {
    // Removing VFs, the kernel drops the virtfnN and physfn links before the VF's device.
    FakeHost host = Hosts.ibNdr(root);
    Path pf = host.path("sys/bus/pci/devices/0000:1a:00.0").toRealPath();
    host.remove(pf.resolve("virtfn1"));
    host.remove(pf.resolveSibling("0000:1a:00.2").resolve("physfn"));

    List<PhysicalFunction> pfs = new HostScanner(new Sysfs(root), VfLinkInfoSource.none()).scan();

    assertThat(pfs).extracting(PhysicalFunction::name).containsExactly("ibp26s0", "ibp60s0");
    assertThat(pfs.get(0).vfs()).extracting(VirtualFunction::index).doesNotContain(1);
  }

  @Test
  void vfsOfAPortThatIsNotActiveOrWhoseStateIsUnknownAreUnavailable() throws IOException {
    FakeHost host = Hosts.ibNdr(root);
    Path first = host.path("sys/bus/pci/devices/0000:1a:00.0").toRealPath();
    Files.writeString(first.resolve("infiniband/mlx5_0/ports/1/state"), "5: ACTIVE_DEFER\n");
    Path second = host.path("sys/bus/pci/devices/0000:3c:00.0").toRealPath();
    host.remove(second.resolve("infiniband/mlx5_1/ports/1/state"));

    List<PhysicalFunction> pfs = new HostScanner(new Sysfs(root), VfLinkInfoSource.none()).scan();

    assertThat(pfs.get(0).capacityMbps()).isNull();
    assertThat(pfs.get(0).vfs()).extracting(VirtualFunction::state).doesNotContain(VfState.FREE);
    assertThat(pfs.get(0).vfs().get(0).reason()).isEqualTo("PF port is ACTIVE_DEFER");
    assertThat(pfs.get(1).vfs())
        .extracting(VirtualFunction::reason)
        .contains("PF port state is unknown");
  }

  /** A sysfs in which listing {@code dir} fails as it does for an unprivileged reader. */
  private Sysfs unreadable(Path dir) {
    return new Sysfs(root) {
      @Override
      public List<Path> listReadable(Path path) throws IOException {
        if (path.equals(dir)) {
          throw new AccessDeniedException(path.toString());
        }
        return super.listReadable(path);
      }
    };
  }

  private List<PhysicalFunction> scan(Function<Path, FakeHost> builder) {
    builder.apply(root);
    return new HostScanner(new Sysfs(root), VfLinkInfoSource.none()).scan();
  }

  private static void assertMatchesGolden(String name, List<PhysicalFunction> pfs)
      throws IOException {
    String actual = JSON.writeValueAsString(pfs) + "\n";
    Path golden = Path.of("src/test/resources/scans", name + ".json");
    if (Boolean.getBoolean("golden.update")) {
      Files.writeString(golden, actual);
    }
    assertThat(actual).isEqualTo(Files.readString(golden));
  }
}
