package io.k8srdma.agent.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.Platform;
import io.k8srdma.agent.netlink.GetLinkReply.Link;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/** Talks to the real kernel: every network namespace has {@code lo} as ifindex 1. */
@ExtendWith(OutputCaptureExtension.class)
class RtnetlinkClientTest {

  /** Cannot exist: interface names are at most 15 bytes, this one is 15 and unusual. */
  private static final String MISSING = "k8srdma-nx-0x9";

  private final RtnetlinkClient client = new RtnetlinkClient();

  @BeforeAll
  static void linuxOnly() {
    assumeTrue(Platform.isLinux(), "rtnetlink exists only on Linux");
  }

  @Test
  void getLinkOfLoopbackReturnsTheDecodedLink() {
    Link lo = client.getLink("lo").orElseThrow();

    assertThat(lo.ifname()).isEqualTo("lo");
    assertThat(lo.ifindex()).isEqualTo(1);
    assertThat(lo.arpType()).as("ARPHRD_LOOPBACK").isEqualTo(772);
    assertThat(lo.vfs()).isEmpty();
  }

  @Test
  void everyNetdevInSysfsDecodesWithItsIfindex() throws IOException {
    Path classNet = Path.of("/sys/class/net");
    assumeTrue(Files.isDirectory(classNet));
    try (Stream<Path> netdevs = Files.list(classNet)) {
      for (Path netdev : netdevs.toList()) {
        String name = netdev.getFileName().toString();
        int ifindex = Integer.parseInt(Files.readString(netdev.resolve("ifindex")).trim());

        // Real replies carry dozens of attributes (stats, qdisc, altnames...) to skip. A netdev
        // removed since the listing (e.g. by a parallel test) is simply absent.
        client
            .getLink(name)
            .ifPresent(link -> assertThat(link.ifindex()).as(name).isEqualTo(ifindex));
      }
    }
  }

  @Test
  void loopbackHasNoVfs() {
    assertThat(client.vfInfo("lo")).isEmpty();
  }

  @Test
  void aFailedReadKeepsThePfsLastAnswerAndAMissingNetdevForgetsIt() {
    // A timeout while the kernel holds rtnl_lock must not make the VFs' floors unknown for a scan.
    VfLinkInfo vf0 =
        new VfLinkInfo(
            0, "02:00:00:00:00:01", 25_000, 50_000, null, null, 0, 0, "auto", true, false);
    List<Object> script =
        new ArrayList<>(
            List.of(
                Optional.of(new Link(1, 7, 1, "ens1f0", 1, Map.of(0, vf0))),
                new NetlinkException("timed out waiting for a netlink reply", 0),
                Optional.empty(),
                new NetlinkException("timed out waiting for a netlink reply", 0)));
    RtnetlinkClient scripted =
        new RtnetlinkClient(
            Duration.ofSeconds(1),
            ifname -> {
              Object next = script.remove(0);
              if (next instanceof RuntimeException e) {
                throw e;
              }
              @SuppressWarnings("unchecked")
              Optional<Link> link = (Optional<Link>) next;
              return link;
            });

    assertThat(scripted.vfInfo("ens1f0")).containsEntry(0, vf0);
    assertThat(scripted.vfInfo("ens1f0")).as("read failed: the last answer").containsEntry(0, vf0);
    assertThat(scripted.vfInfo("ens1f0")).as("the netdev is gone (ENODEV)").isEmpty();
    assertThat(scripted.vfInfo("ens1f0")).as("read failed, nothing to keep").isEmpty();
    assertThat(script).isEmpty();
  }

  @Test
  void aWrappedVfListKeepsThePfsLastAnswerAndIsLoggedOnce(CapturedOutput output) {
    // The PF went from 8 to 280 IB VFs, whose list passes 64 KiB: its u16 length wraps.
    ByteBuffer eight = ManyVfReplies.ib(1, "ibp26s0", 8).build();
    ByteBuffer wrapped = ManyVfReplies.ib(2, "ibp26s0", 280).build();
    List<ByteBuffer> replies = new ArrayList<>(List.of(eight, wrapped, wrapped));
    RtnetlinkClient scripted =
        new RtnetlinkClient(
            Duration.ofSeconds(1),
            ifname -> RtnetlinkCodec.decode(replies.removeFirst()).links().stream().findFirst());

    Map<Integer, VfLinkInfo> last = scripted.vfInfo("ibp26s0");

    assertThat(last).hasSize(8);
    assertThat(scripted.vfInfo("ibp26s0")).as("wrapped: the last answer").isEqualTo(last);
    assertThat(scripted.vfInfo("ibp26s0")).isEqualTo(last);
    assertThat(replies).isEmpty();
    assertThat(output)
        .containsOnlyOnce("Cannot read VF configuration of ibp26s0 over rtnetlink")
        .contains("keeping the last answer")
        .contains("IFLA_NUM_VF is 280")
        .contains("length wrapped")
        .doesNotContain("\tat ");
  }

  @Test
  void missingNetdevIsEmptyNotAnError() {
    assertThat(client.getLink(MISSING)).isEmpty();
    assertThat(client.vfInfo(MISSING)).isEmpty();
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {"name-longer-than-15", "a\0b"})
  void impossibleNamesAreEmptyFromTheSource(String name) {
    assertThat(client.vfInfo(name)).isEmpty();
  }

  @Test
  void getLinkRejectsImpossibleNamesLoudly() {
    assertThatThrownBy(() -> client.getLink("name-longer-than-15"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void concurrentCallsEachGetTheirOwnReply() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Callable<Integer>> calls = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        calls.add(() -> client.getLink("lo").orElseThrow().ifindex());
      }
      for (Future<Integer> f : pool.invokeAll(calls)) {
        assertThat(f.get()).isEqualTo(1);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void timeoutMustBePositive() {
    assertThatThrownBy(() -> new RtnetlinkClient(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
