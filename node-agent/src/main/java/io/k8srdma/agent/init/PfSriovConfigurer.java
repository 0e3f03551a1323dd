package io.k8srdma.agent.init;

import io.k8srdma.agent.discovery.Sysfs;
import io.k8srdma.model.inventory.PhysicalFunction;
import io.k8srdma.model.inventory.VfState;
import io.k8srdma.model.inventory.VirtualFunction;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings one PF to a requested number of VFs through {@code sriov_numvfs}, following the kernel's
 * rules (sysfs-facts.md section 3.1): more than {@code sriov_totalvfs} is refused up front (the
 * kernel would say ERANGE), an equal count is left alone, a different nonzero count is reached by
 * writing {@code 0} first (the kernel says EBUSY otherwise), and success means the {@code virtfnN}
 * links exist, since VF creation can finish after the write returns.
 */
public final class PfSriovConfigurer {

  private static final Logger log = LoggerFactory.getLogger(PfSriovConfigurer.class);

  private final Sysfs sysfs;
  private final SriovWriter writer;
  private final Duration vfTimeout;
  private final Duration pollInterval;
  private final boolean removeVfsInUse;

  /**
   * @param removeVfsInUse change the count even when VFs are in use (the kernel removes them all)
   */
  public PfSriovConfigurer(
      Sysfs sysfs,
      SriovWriter writer,
      Duration vfTimeout,
      Duration pollInterval,
      boolean removeVfsInUse) {
    this.sysfs = sysfs;
    this.writer = writer;
    this.vfTimeout = vfTimeout;
    this.pollInterval = pollInterval;
    this.removeVfsInUse = removeVfsInUse;
  }

  /**
   * The outcome for one PF.
   *
   * @param line what happened, prefixed with the PF's name and PCI address
   * @param ok true when the PF now has the requested VFs
   */
  public record Result(String line, boolean ok) {}

  /** Configures {@code pf} for {@code requested} VFs; never throws for host-side problems. */
  public Result configure(PhysicalFunction pf, VfCount requested) {
    String who = "PF " + pf.name() + " (" + pf.pciAddress() + ")";
    Path dev = sysfs.host("sys/bus/pci/devices").resolve(pf.pciAddress());
    Path numvfsFile = dev.resolve("sriov_numvfs");
    if (!sysfs.exists(numvfsFile)) {
      return failed(who, "SR-IOV is disabled (no sriov_numvfs; enable SRIOV_EN in firmware)");
    }
    Optional<Long> total = sysfs.readLong(dev.resolve("sriov_totalvfs"));
    Optional<Long> current = sysfs.readLong(numvfsFile);
    if (total.isEmpty() || current.isEmpty()) {
      return failed(who, "cannot read sriov_totalvfs/sriov_numvfs");
    }
    int totalVfs = total.get().intValue();
    int from = current.get().intValue();
    int to = requested.resolve(totalVfs);
    if (to > totalVfs) {
      return failed(
          who,
          "requested "
              + to
              + " VFs but sriov_totalvfs is "
              + totalVfs
              + " (raise NUM_OF_VFS in firmware); nothing written");
    }
    List<VirtualFunction> inUse =
        pf.vfs().stream().filter(vf -> vf.state() == VfState.IN_USE).toList();
    if (to != from && !inUse.isEmpty() && !removeVfsInUse) {
      VirtualFunction first = inUse.get(0);
      return failed(
          who,
          "refusing to change "
              + from
              + " -> "
              + to
              + " VFs: "
              + inUse.size()
              + " in use by pods ("
              + first.pciAddress()
              + ": "
              + first.reason()
              + (inUse.size() > 1 ? ", ..." : "")
              + "), and the kernel removes every VF on a change; drain the node, or set "
              + InitProperties.PREFIX
              + ".remove-vfs-in-use=true; nothing written");
    }
    if (to == from) {
      log.info("{}: already has {} VFs", who, from);
    } else {
      log.info("{}: setting VFs {} -> {} (of {})", who, from, to, totalVfs);
      Optional<String> writeError = write(numvfsFile, from, to);
      if (writeError.isPresent()) {
        return failed(who, writeError.get());
      }
    }
    return awaitLinks(dev, to)
        .map(error -> failed(who, error))
        .orElseGet(
            () ->
                new Result(
                    to == from
                        ? who + ": already has " + to + " VFs"
                        : who + ": " + from + " -> " + to + " VFs",
                    true));
  }

  /**
   * Writes 0 first when VFs are enabled, because the kernel refuses nonzero to nonzero. When the
   * second write fails (ENOMEM, EIO), the PF is left with no VFs: the previous count is written
   * back, and the failure says what the PF has now.
   */
  private Optional<String> write(Path numvfsFile, int from, int to) {
    try {
      if (from > 0) {
        writer.write(numvfsFile, 0);
      }
    } catch (IOException e) {
      return Optional.of("writing sriov_numvfs=0 failed: " + e.getMessage());
    }
    if (to == 0) {
      return Optional.empty();
    }
    try {
      writer.write(numvfsFile, to);
      return Optional.empty();
    } catch (IOException e) {
      String failure = "writing sriov_numvfs=" + to + " failed: " + e.getMessage();
      if (from == 0) {
        return Optional.of(failure);
      }
      try {
        writer.write(numvfsFile, from);
        return Optional.of(failure + "; wrote the previous " + from + " back");
      } catch (IOException again) {
        return Optional.of(
            failure
                + "; the PF now has 0 VFs (had "
                + from
                + "), writing "
                + from
                + " back failed too: "
                + again.getMessage());
      }
    }
  }

  /** Polls until {@code virtfn0..virtfn<n-1>} all lead to a VF, or the timeout passes. */
  private Optional<String> awaitLinks(Path dev, int n) {
    long deadline = System.nanoTime() + vfTimeout.toNanos();
    while (true) {
      int present = presentLinks(dev, n);
      if (present == n) {
        return Optional.empty();
      }
      long remaining = deadline - System.nanoTime();
      if (remaining <= 0) {
        return Optional.of(
            "timed out after "
                + format(vfTimeout)
                + " waiting for VF links ("
                + present
                + " of "
                + n
                + " present)");
      }
      try {
        Thread.sleep(Duration.ofNanos(Math.min(remaining, pollInterval.toNanos())));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Optional.of("interrupted while waiting for VF links (" + present + " of " + n + ")");
      }
    }
  }

  /** Counts the links that resolve: a link whose VF directory is not there yet does not count. */
  private int presentLinks(Path dev, int n) {
    int present = 0;
    for (int i = 0; i < n; i++) {
      if (sysfs.exists(dev.resolve("virtfn" + i))) {
        present++;
      }
    }
    return present;
  }

  private static Result failed(String who, String reason) {
    return new Result(who + ": " + reason, false);
  }

  /** Durations the way they are configured, e.g. {@code 120s} or {@code 500ms}. */
  static String format(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
  }
}
