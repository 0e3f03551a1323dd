package io.k8srdma.agent.init;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.k8srdma.agent.discovery.HostScanner;
import io.k8srdma.agent.discovery.Sysfs;
import io.k8srdma.agent.netlink.VfLinkInfoSource;
import io.k8srdma.agent.testhost.FakeHost;
import io.k8srdma.agent.testhost.Mlx5;
import io.k8srdma.agent.testhost.PciFunction;
import io.k8srdma.agent.testhost.VfKind;
import io.k8srdma.model.inventory.PhysicalFunction;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Applies policies to a fake host whose {@code sriov_numvfs} writes go to {@link SimulatedKernel}:
 * two ConnectX-7 InfiniBand PFs (4 of 16 VFs, 0 of 16) and a ConnectX-6 Dx RoCE PF (2 of 8).
 */
class VfPolicyApplierTest {

  private static final String IB0 = "0000:1a:00.0";
  private static final String IB1 = "0000:3c:00.0";
  private static final String ROCE = "0000:1c:00.0";

  @TempDir Path root;
  private FakeHost host;
  private PciFunction ib0;
  private SimulatedKernel kernel;
  private boolean removeVfsInUse;

  @BeforeEach
  void host() {
    host = FakeHost.at(root);
    ib0 =
        Mlx5.ibPf(
            host, "pci0000:15/0000:15:01.0", IB0, "ibp26s0", "mlx5_0", 0, "400 Gb/sec (4X NDR)");
    Mlx5.enableVfs(ib0, "ibp26s0", true, 16, 4, 1, 10, n -> VfKind.FREE);
    PciFunction ib1 =
        Mlx5.ibPf(
            host, "pci0000:37/0000:37:01.0", IB1, "ibp60s0", "mlx5_1", 1, "400 Gb/sec (4X NDR)");
    Mlx5.enableVfs(ib1, "ibp60s0", true, 16, 0, 1, 30, n -> VfKind.FREE);
    PciFunction roce =
        Mlx5.rocePf(
            host,
            "pci0000:1b/0000:1b:01.0",
            ROCE,
            "enp28s0f0np0",
            "mlx5_2",
            0,
            100000,
            "100 Gb/sec (4X EDR)");
    Mlx5.enableVfs(roce, "enp28s0f0np0", false, 8, 2, 2, 50, n -> VfKind.FREE);
    kernel =
        new SimulatedKernel()
            .pf(ib0, "ibp26s0", true, 10)
            .pf(ib1, "ibp60s0", true, 30)
            .pf(roce, "enp28s0f0np0", false, 50);
  }

  @AfterEach
  void settle() throws InterruptedException {
    kernel.settle();
  }

  @Test
  void refusesToChangeTheCountOfAPfWhoseVfsPodsUse() {
    // A pod holds VF 0: its netdev was moved into the pod's network namespace.
    FakeHost.removeTree(root.resolve("sys/bus/pci/devices/0000:1a:00.1/net/ibp26s0v0"));

    InitReport report = apply(byName("ibp26s0", "8"));

    assertThat(report.failures())
        .singleElement()
        .asString()
        .startsWith(
            "PF ibp26s0 (0000:1a:00.0): refusing to change 4 -> 8 VFs: 1 in use by pods"
                + " (0000:1a:00.1: netdev moved to another network namespace)")
        .endsWith("k8s-rdma.agent.init.remove-vfs-in-use=true; nothing written");
    assertThat(kernel.writes()).isEmpty();

    removeVfsInUse = true;
    assertThat(apply(byName("ibp26s0", "8")).failures()).isEmpty();
    assertThat(kernel.writes()).containsExactly(IB0 + "=0", IB0 + "=8");
  }

  @Test
  void aVfThatSriovCniGaveToADpdkPodStopsTheChangeToo() throws IOException {
    // A DPDK pod's VF is bound to vfio-pci, its netdev gone: only sriov-cni's record tells.
    Path vf = root.resolve("sys/bus/pci/devices/0000:1a:00.2");
    FakeHost.removeTree(vf.resolve("net"));
    Files.delete(vf.resolve("driver"));
    Files.createSymbolicLink(
        vf.resolve("driver"),
        Files.createDirectories(root.resolve("sys/bus/pci/drivers/vfio-pci")));
    host.cniAllocation("0000:1a:00.2", "/var/run/netns/cni-dpdk");

    InitReport report = apply(byName("ibp26s0", "8"));

    assertThat(report.failures())
        .singleElement()
        .asString()
        .contains(
            "refusing to change 4 -> 8 VFs: 1 in use by pods (0000:1a:00.2: allocated by"
                + " sriov-cni to netns /var/run/netns/cni-dpdk)");
    assertThat(kernel.writes()).isEmpty();
  }

  @Test
  void aFailedSecondWriteWritesThePreviousCountBackAndSaysSo() {
    kernel.failsToEnable(16, "Cannot allocate memory");

    InitReport report = apply(byName("ibp26s0", "16"));

    assertThat(report.failures())
        .singleElement()
        .asString()
        .startsWith("PF ibp26s0 (0000:1a:00.0): writing sriov_numvfs=16 failed: ")
        .endsWith("Cannot allocate memory; wrote the previous 4 back");
    assertThat(kernel.writes()).containsExactly(IB0 + "=0", IB0 + "=16", IB0 + "=4");
  }

  @Test
  void leavesAPfAloneWhenItAlreadyHasTheCount() {
    InitReport report = apply(byName("ibp26s0", "4"));

    assertThat(report.failures()).isEmpty();
    assertThat(report.actions()).containsExactly("PF ibp26s0 (0000:1a:00.0): already has 4 VFs");
    assertThat(kernel.writes()).isEmpty();
  }

  @Test
  void writesZeroThenTheNewCountAndWaitsForTheLinks() throws IOException {
    InitReport report = apply(byName("ibp26s0", "8"));

    assertThat(report.failures()).isEmpty();
    assertThat(report.actions()).containsExactly("PF ibp26s0 (0000:1a:00.0): 4 -> 8 VFs");
    assertThat(kernel.writes()).containsExactly(IB0 + "=0", IB0 + "=8");
    assertThat(virtfnLinks(ib0)).isEqualTo(8);
    assertThat(scan(IB0).numVfs()).isEqualTo(8);
    assertThat(scan(IB0).vfs()).hasSize(8);
  }

  @Test
  void writesOnlyTheCountWhenNoVfsAreEnabled() {
    InitReport report = apply(byName("ibp60s0", "2"));

    assertThat(report.failures()).isEmpty();
    assertThat(kernel.writes()).containsExactly(IB1 + "=2");
  }

  @Test
  void zeroDisablesAllVfs() throws IOException {
    InitReport report = apply(byName("ibp26s0", "0"));

    assertThat(report.actions()).containsExactly("PF ibp26s0 (0000:1a:00.0): 4 -> 0 VFs");
    assertThat(kernel.writes()).containsExactly(IB0 + "=0");
    assertThat(virtfnLinks(ib0)).isZero();
    assertThat(scan(IB0).vfs()).isEmpty();
  }

  @Test
  void maxMeansSriovTotalvfs() throws IOException {
    InitReport report = apply(byName("ibp26s0", "max"));

    assertThat(report.failures()).isEmpty();
    assertThat(kernel.writes()).containsExactly(IB0 + "=0", IB0 + "=16");
    assertThat(virtfnLinks(ib0)).isEqualTo(16);
  }

  @Test
  void refusesMoreThanSriovTotalvfsWithoutWriting() {
    InitReport report = apply(byName("ibp26s0", "17"));

    assertThat(report.failures())
        .containsExactly(
            "PF ibp26s0 (0000:1a:00.0): requested 17 VFs but sriov_totalvfs is 16"
                + " (raise NUM_OF_VFS in firmware); nothing written");
    assertThat(kernel.writes()).isEmpty();
    assertThat(report.exitCode()).isEqualTo(1);
  }

  @Test
  void aPfWithSriovOffInFirmwareIsAFailure() {
    Mlx5.rocePf(
        host,
        "pci0000:80/0000:80:01.0",
        "0000:81:00.0",
        "enp129s0f0np0",
        "mlx5_3",
        -1,
        25000,
        "25 Gb/sec (1X EDR)");

    InitReport report = apply(byName("enp129s0f0np0", "4"));

    assertThat(report.failures())
        .containsExactly(
            "PF enp129s0f0np0 (0000:81:00.0): SR-IOV is disabled (no sriov_numvfs;"
                + " enable SRIOV_EN in firmware)");
    assertThat(kernel.writes()).isEmpty();
  }

  @Test
  void aWriteErrorIsReportedWithTheKernelsReason() {
    kernel.failsWith("No such file or directory");

    InitReport report = apply(byName("ibp60s0", "4"));

    assertThat(report.failures())
        .singleElement()
        .asString()
        .startsWith("PF ibp60s0 (0000:3c:00.0): writing sriov_numvfs=4 failed: ")
        .endsWith("sriov_numvfs: No such file or directory");
  }

  @Test
  void aFailedDisableStopsBeforeTheNewCount() {
    kernel.failsWith("Device or resource busy");

    InitReport report = apply(byName("ibp26s0", "8"));

    assertThat(report.failures()).singleElement().asString().endsWith("Device or resource busy");
    assertThat(kernel.writes()).containsExactly(IB0 + "=0");
  }

  @Test
  void theSimulationRefusesNonzeroToNonzeroLikeTheKernel() {
    // Guards the simulation itself: nonzero to a different nonzero count is refused.
    assertThatThrownBy(
            () -> kernel.write(host.path("sys/bus/pci/devices/" + IB0 + "/sriov_numvfs"), 8))
        .hasMessageEndingWith("Device or resource busy");
  }

  @Test
  void waitsForVfLinksThatAppearLate() throws IOException {
    kernel.vfDelay(Duration.ofMillis(300));
    long start = System.nanoTime();

    InitReport report = apply(Duration.ofSeconds(10), byName("ibp60s0", "4"));

    assertThat(report.failures()).isEmpty();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofMillis(250));
    assertThat(virtfnLinks(host.path("sys/bus/pci/devices/" + IB1))).isEqualTo(4);
  }

  @Test
  void timesOutWhenVfLinksNeverAppear() {
    kernel.neverCreatesVfs();

    InitReport report = apply(Duration.ofMillis(200), byName("ibp60s0", "4"));

    assertThat(report.failures())
        .containsExactly(
            "PF ibp60s0 (0000:3c:00.0): timed out after 200ms waiting for VF links (0 of 4 present)");
  }

  @Test
  void selectsByName() {
    assertThat(actionsFor(byName("enp28s0f0np0", "2"))).containsExactly(ROCE);
  }

  @Test
  void selectsByPciAddressInAnyCase() {
    assertThat(actionsFor(new VfPolicy(null, "0000:3C:00.0", null, null, null, "0")))
        .containsExactly(IB1);
  }

  @Test
  void selectsByVendorAndDeviceWithOrWithout0x() {
    assertThat(actionsFor(new VfPolicy(null, null, "0x15b3", "1021", null, "max")))
        .containsExactly(IB0, IB1);
    assertThat(actionsFor(new VfPolicy(null, null, "15B3", "0x101d", null, "2")))
        .containsExactly(ROCE);
  }

  @Test
  void selectsByLinkLayer() {
    assertThat(actionsFor(new VfPolicy(null, null, null, null, "InfiniBand", "max")))
        .containsExactly(IB0, IB1);
    assertThat(actionsFor(new VfPolicy(null, null, null, null, "ethernet", "2")))
        .containsExactly(ROCE);
  }

  @Test
  void allGivenSelectorFieldsMustMatch() {
    InitReport report = apply(new VfPolicy("ibp26s0", null, null, null, "Ethernet", "2"));

    assertThat(report.actions()).isEmpty();
    assertThat(report.failures())
        .containsExactly("policy #0 (name=ibp26s0,link-layer=Ethernet) matched no PF");
  }

  @Test
  void aPolicyMatchingNothingFailsButOthersStillApply() {
    InitReport report = apply(byName("ib-missing", "4"), byName("ibp60s0", "2"));

    assertThat(report.failures()).containsExactly("policy #0 (name=ib-missing) matched no PF");
    assertThat(report.actions()).containsExactly("PF ibp60s0 (0000:3c:00.0): 0 -> 2 VFs");
    assertThat(report.exitCode()).isEqualTo(1);
  }

  @Test
  void theFirstMatchingPolicyGovernsAPf() {
    InitReport report =
        apply(byName("ibp26s0", "8"), new VfPolicy(null, null, null, null, "InfiniBand", "2"));

    assertThat(report.failures()).isEmpty();
    assertThat(report.actions())
        .containsExactly(
            "PF ibp26s0 (0000:1a:00.0): 4 -> 8 VFs", "PF ibp60s0 (0000:3c:00.0): 0 -> 2 VFs");
  }

  @Test
  void aWrongHostRootIsOneFailure() {
    VfPolicyApplier applier = applier(root.resolve("nowhere"), Duration.ofSeconds(1));

    InitReport report = applier.apply(List.of(byName("ibp26s0", "4")));

    assertThat(report.failures())
        .singleElement()
        .asString()
        .contains("is k8s-rdma.agent.host-root right?");
  }

  private List<String> actionsFor(VfPolicy policy) {
    InitReport report = apply(policy);
    assertThat(report.failures()).isEmpty();
    return report.actions().stream().map(a -> a.replaceAll(".*\\((.*)\\).*", "$1")).toList();
  }

  private static VfPolicy byName(String name, String numVfs) {
    return new VfPolicy(name, null, null, null, null, numVfs);
  }

  private InitReport apply(VfPolicy... policies) {
    return apply(Duration.ofSeconds(5), policies);
  }

  private InitReport apply(Duration timeout, VfPolicy... policies) {
    return applier(root, timeout).apply(List.of(policies));
  }

  private VfPolicyApplier applier(Path hostRoot, Duration timeout) {
    Sysfs sysfs = new Sysfs(hostRoot);
    return new VfPolicyApplier(
        new HostScanner(sysfs, VfLinkInfoSource.none()),
        new PfSriovConfigurer(sysfs, kernel, timeout, Duration.ofMillis(10), removeVfsInUse));
  }

  private PhysicalFunction scan(String pci) {
    return new HostScanner(new Sysfs(root), VfLinkInfoSource.none())
        .scan().stream().filter(pf -> pf.pciAddress().equals(pci)).findFirst().orElseThrow();
  }

  private static long virtfnLinks(PciFunction pf) throws IOException {
    return virtfnLinks(pf.dir());
  }

  private static long virtfnLinks(Path pfDir) throws IOException {
    try (Stream<Path> entries = Files.list(pfDir)) {
      return entries
          .filter(p -> p.getFileName().toString().startsWith("virtfn"))
          .filter(Files::exists)
          .count();
    }
  }
}
