package io.k8srdma.agent.netlink;

import com.sun.jna.Platform;
import io.k8srdma.agent.netlink.GetLinkReply.ErrorMessage;
import io.k8srdma.agent.netlink.GetLinkReply.Link;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads VF configuration with {@code RTM_GETLINK} over a {@code NETLINK_ROUTE} socket, via JNA
 * calls into libc.
 *
 * <p>Thread-safe: every call opens, uses and closes its own socket, so there is no shared socket
 * state and no cross-talk between replies. A receive timeout bounds every call.
 */
public final class RtnetlinkClient implements VfLinkInfoSource {

  private static final Logger log = LoggerFactory.getLogger(RtnetlinkClient.class);

  /** Default bound on the wait for the kernel's reply. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);

  /** Log the "no netlink here" condition once per JVM, not once per PF per scan. */
  private static final AtomicBoolean unavailableWarned = new AtomicBoolean();

  private final Duration timeout;
  private final LinkReader links;

  /** Each PF netdev's last successful answer, kept for when a read fails. */
  private final Map<String, Map<Integer, VfLinkInfo>> lastAnswers = new ConcurrentHashMap<>();

  /** Each PF netdev's last failure, logged once until it changes or a read succeeds. */
  private final Map<String, String> lastProblems = new ConcurrentHashMap<>();

  // Seeded from the clock like iproute2, so replies to an earlier process are not mistaken for
  // ours.
  private final AtomicInteger nextSeq =
      new AtomicInteger((int) (System.currentTimeMillis() / 1000));

  /** A client with the {@linkplain #DEFAULT_TIMEOUT default timeout}. */
  public RtnetlinkClient() {
    this(DEFAULT_TIMEOUT);
  }

  /**
   * A client waiting at most {@code timeout} for each reply.
   *
   * @throws IllegalArgumentException unless {@code timeout} is at least 1 ms
   */
  public RtnetlinkClient(Duration timeout) {
    this(timeout, null);
  }

  /**
   * A client that reads links with {@code links} (the kernel when null), so that tests can make a
   * read fail.
   */
  RtnetlinkClient(Duration timeout, LinkReader links) {
    if (timeout.toMillis() < 1) {
      throw new IllegalArgumentException("timeout must be at least 1 ms: " + timeout);
    }
    this.timeout = timeout;
    this.links = links == null ? this::getLink : links;
  }

  /** How {@link #vfInfo} reads a link: {@link #getLink} but in tests. */
  @FunctionalInterface
  interface LinkReader {
    Optional<Link> read(String ifname);
  }

  @Override
  public Map<Integer, VfLinkInfo> vfInfo(String pfNetdev) {
    if (!RtnetlinkCodec.isValidIfname(pfNetdev)) {
      // No netdev can have this name, so it certainly has no VFs.
      return Map.of();
    }
    if (!netlinkAvailable()) {
      return Map.of();
    }
    try {
      Optional<Link> link = links.read(pfNetdev);
      if (link.isEmpty()) {
        lastAnswers.remove(pfNetdev);
        lastProblems.remove(pfNetdev);
        return Map.of();
      }
      lastAnswers.put(pfNetdev, link.get().vfs());
      if (lastProblems.remove(pfNetdev) != null) {
        log.info("VF configuration of {} over rtnetlink read again", pfNetdev);
      }
      return link.get().vfs();
    } catch (NetlinkException e) {
      if (e.errno() == LibC.EAFNOSUPPORT || e.errno() == LibC.EPROTONOSUPPORT) {
        // Netlink is compiled out or blocked (gVisor, seccomp): permanent, so warn only once.
        warnUnavailableOnce(e.getMessage());
        return Map.of();
      }
      return lastAnswerAfterFailure(pfNetdev, e.getMessage());
    } catch (RuntimeException e) {
      // VF details are optional enrichment; one line without a stack trace is enough to debug.
      return lastAnswerAfterFailure(pfNetdev, e.toString());
    }
  }

  /**
   * The PF's last answer after a failed read (a timeout while the kernel holds rtnl_lock, a reply
   * that cannot be decoded): an empty answer would drop the floors of VFs in use from the inventory
   * for one scan, and a PF's extender would count their bandwidth as free meanwhile.
   */
  private Map<Integer, VfLinkInfo> lastAnswerAfterFailure(String pfNetdev, String problem) {
    Map<Integer, VfLinkInfo> last = lastAnswers.get(pfNetdev);
    // Once per PF and problem: a lasting one (EPERM under a strict seccomp profile) would
    // otherwise repeat on every scan.
    if (!problem.equals(lastProblems.put(pfNetdev, problem))) {
      log.warn(
          "Cannot read VF configuration of {} over rtnetlink, {}: {}",
          pfNetdev,
          last == null ? "no earlier answer to keep" : "keeping the last answer",
          problem);
    }
    return last == null ? Map.of() : last;
  }

  /**
   * Fetches one link with its VF list (without VF stats).
   *
   * @param ifname netdev name in this network namespace
   * @return the link, or empty if no such netdev exists here (ENODEV)
   * @throws IllegalArgumentException if {@code ifname} is not a valid netdev name
   * @throws NetlinkException if netlink is unavailable, a socket call fails, the kernel returns
   *     another error, or no reply arrives within the timeout
   * @throws NetlinkDecodeException if the reply cannot be parsed
   */
  public Optional<Link> getLink(String ifname) {
    int seq = nextSeq.incrementAndGet();
    ByteBuffer request = RtnetlinkCodec.getLinkRequest(ifname, seq);
    requireLibc();
    try (NetlinkSocket socket = NetlinkSocket.open(timeout)) {
      socket.send(request);
      return awaitLink(socket, seq);
    }
  }

  private Optional<Link> awaitLink(NetlinkSocket socket, int seq) {
    long deadline = System.nanoTime() + timeout.toNanos();
    do {
      Optional<ByteBuffer> datagram = socket.receiveFromKernel();
      if (datagram.isEmpty()) {
        continue;
      }
      GetLinkReply reply = RtnetlinkCodec.decode(datagram.get());
      Optional<ErrorMessage> error = reply.error(seq);
      if (error.isPresent() && !error.get().isAck()) {
        int errno = -error.get().error();
        if (errno == LibC.ENODEV) {
          return Optional.empty();
        }
        throw new NetlinkException("RTM_GETLINK rejected by the kernel", errno);
      }
      Optional<Link> link = reply.link(seq);
      if (link.isPresent()) {
        return link;
      }
      // Anything else (a stray message for an older sequence number) is not our answer.
    } while (System.nanoTime() - deadline < 0);
    throw new NetlinkException("no RTM_GETLINK reply with seq " + seq + " within " + timeout, 0);
  }

  private static boolean netlinkAvailable() {
    String problem = LibcProbe.PROBLEM;
    if (problem == null) {
      return true;
    }
    warnUnavailableOnce(problem);
    return false;
  }

  private static void warnUnavailableOnce(String problem) {
    if (unavailableWarned.compareAndSet(false, true)) {
      log.warn("rtnetlink unavailable, VF configuration will not be reported: {}", problem);
    }
  }

  private static void requireLibc() {
    if (LibcProbe.PROBLEM != null) {
      throw new NetlinkException("rtnetlink unavailable: " + LibcProbe.PROBLEM, 0);
    }
  }

  /** Lazy holder: probes JNA and libc once, on first use, and remembers why they failed. */
  private static final class LibcProbe {
    static final String PROBLEM = probe();

    private static String probe() {
      try {
        if (!Platform.isLinux()) {
          return "rtnetlink exists only on Linux, not " + System.getProperty("os.name");
        }
        LibC.load();
        return null;
      } catch (LinkageError e) {
        return "cannot load libc through JNA: " + e;
      }
    }
  }
}
