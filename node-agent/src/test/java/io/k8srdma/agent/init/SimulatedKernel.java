package io.k8srdma.agent.init;

import io.k8srdma.agent.testhost.Mlx5;
import io.k8srdma.agent.testhost.PciFunction;
import io.k8srdma.agent.testhost.VfKind;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link SriovWriter} that behaves like {@code sriov_numvfs_store} on a fake host: ERANGE above
 * {@code sriov_totalvfs}, EBUSY from nonzero to a different nonzero count, and after a successful
 * write of N > 0 the VFs appear (optionally later, on another thread); after 0 they vanish.
 */
final class SimulatedKernel implements SriovWriter {

  private record Pf(PciFunction function, String netdev, boolean infiniband, int firstRdma) {}

  private final Map<String, Pf> pfs = new HashMap<>();
  private final List<String> writes = Collections.synchronizedList(new ArrayList<>());
  private Duration vfDelay = Duration.ZERO;
  private boolean createsVfs = true;
  private String failure;
  private int failingCount = -1;
  private String failingReason;
  private final List<Thread> creators = Collections.synchronizedList(new ArrayList<>());

  /** Lets the kernel create VFs for {@code pf} (netdev {@code <netdev>v<N>}, RDMA mlx5_<n+N>). */
  SimulatedKernel pf(PciFunction pf, String netdev, boolean infiniband, int firstRdma) {
    pfs.put(pf.bdf(), new Pf(pf, netdev, infiniband, firstRdma));
    return this;
  }

  /** VFs appear {@code delay} after the write returns, as VF probing takes seconds on mlx5. */
  SimulatedKernel vfDelay(Duration delay) {
    this.vfDelay = delay;
    return this;
  }

  /** The write succeeds but no VF ever appears (e.g. a probe that hangs). */
  SimulatedKernel neverCreatesVfs() {
    this.createsVfs = false;
    return this;
  }

  /**
   * Every write fails with {@code reason}, e.g. "No such file or directory" (ENOENT, no driver).
   */
  SimulatedKernel failsWith(String reason) {
    this.failure = reason;
    return this;
  }

  /** A write of exactly {@code n} fails with {@code reason}, e.g. ENOMEM for too many VFs. */
  SimulatedKernel failsToEnable(int n, String reason) {
    this.failingCount = n;
    this.failingReason = reason;
    return this;
  }

  /** The writes so far, as {@code <pci>=<n>}. */
  List<String> writes() {
    return List.copyOf(writes);
  }

  @Override
  public void write(Path sriovNumvfs, int n) throws IOException {
    String pci = sriovNumvfs.getParent().getFileName().toString();
    writes.add(pci + "=" + n);
    if (failure != null) {
      throw new FileSystemException(sriovNumvfs.toString(), null, failure);
    }
    if (n == failingCount) {
      throw new FileSystemException(sriovNumvfs.toString(), null, failingReason);
    }
    int total = readInt(sriovNumvfs.resolveSibling("sriov_totalvfs"));
    int current = readInt(sriovNumvfs);
    if (n > total) {
      throw new FileSystemException(sriovNumvfs.toString(), null, "Numerical result out of range");
    }
    if (n == current) {
      return;
    }
    if (current != 0 && n != 0) {
      throw new FileSystemException(sriovNumvfs.toString(), null, "Device or resource busy");
    }
    SriovWriter.files().write(sriovNumvfs, n);
    Pf pf = pfs.get(pci);
    if (n == 0) {
      pf.function().removeVfs();
    } else if (createsVfs) {
      createLater(pf, n);
    }
  }

  private void createLater(Pf pf, int n) {
    Runnable create =
        () ->
            Mlx5.createVfs(
                pf.function(), pf.netdev(), pf.infiniband(), n, pf.firstRdma(), i -> VfKind.FREE);
    if (vfDelay.isZero()) {
      create.run();
      return;
    }
    creators.add(
        Thread.ofVirtual()
            .start(
                () -> {
                  try {
                    Thread.sleep(vfDelay);
                    create.run();
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                }));
  }

  /** Waits until VFs created later are complete, so the test's host can be deleted. */
  void settle() throws InterruptedException {
    for (Thread t : List.copyOf(creators)) {
      t.join();
    }
  }

  private static int readInt(Path attribute) throws IOException {
    return Integer.parseInt(Files.readString(attribute).strip());
  }
}
