package io.k8srdma.agent.netlink;

import static io.k8srdma.agent.netlink.NlWriter.ints;
import static io.k8srdma.agent.netlink.NlWriter.struct;
import static io.k8srdma.agent.netlink.RtnetlinkCodec.ARPHRD_INFINIBAND;
import static io.k8srdma.agent.netlink.RtnetlinkCodec.IFLA_EXT_MASK;
import static io.k8srdma.agent.netlink.RtnetlinkCodec.IFLA_IFNAME;
import static io.k8srdma.agent.netlink.RtnetlinkCodec.IFLA_NUM_VF;
import static io.k8srdma.agent.netlink.RtnetlinkCodec.IFLA_VFINFO_LIST;
import static io.k8srdma.agent.netlink.RtnetlinkCodec.IFLA_VF_BROADCAST;
import static io.k8srdma.agent.netlink.RtnetlinkCodec.IFLA_VF_IB_NODE_GUID;
import static io.k8srdma.agent.netlink.RtnetlinkCodec.IFLA_VF_IB_PORT_GUID;
import static io.k8srdma.agent.netlink.RtnetlinkCodec.IFLA_VF_INFO;
import static io.k8srdma.agent.netlink.RtnetlinkCodec.IFLA_VF_LINK_STATE;
import static io.k8srdma.agent.netlink.RtnetlinkCodec.IFLA_VF_MAC;
import static io.k8srdma.agent.netlink.RtnetlinkCodec.IFLA_VF_RATE;
import static io.k8srdma.agent.netlink.RtnetlinkCodec.IFLA_VF_RSS_QUERY_EN;
import static io.k8srdma.agent.netlink.RtnetlinkCodec.IFLA_VF_SPOOFCHK;
import static io.k8srdma.agent.netlink.RtnetlinkCodec.IFLA_VF_STATS;
import static io.k8srdma.agent.netlink.RtnetlinkCodec.IFLA_VF_STATS_PAD;
import static io.k8srdma.agent.netlink.RtnetlinkCodec.IFLA_VF_TRUST;
import static io.k8srdma.agent.netlink.RtnetlinkCodec.IFLA_VF_TX_RATE;
import static io.k8srdma.agent.netlink.RtnetlinkCodec.IFLA_VF_VLAN;
import static io.k8srdma.agent.netlink.RtnetlinkCodec.IFLA_VF_VLAN_INFO;
import static io.k8srdma.agent.netlink.RtnetlinkCodec.IFLA_VF_VLAN_LIST;
import static io.k8srdma.agent.netlink.RtnetlinkCodec.NLA_F_NESTED;
import static io.k8srdma.agent.netlink.RtnetlinkCodec.NLMSG_DONE;
import static io.k8srdma.agent.netlink.RtnetlinkCodec.NLMSG_ERROR;
import static io.k8srdma.agent.netlink.RtnetlinkCodec.NLM_F_REQUEST;
import static io.k8srdma.agent.netlink.RtnetlinkCodec.RTEXT_FILTER_SKIP_STATS;
import static io.k8srdma.agent.netlink.RtnetlinkCodec.RTEXT_FILTER_VF;
import static io.k8srdma.agent.netlink.RtnetlinkCodec.RTM_GETLINK;
import static io.k8srdma.agent.netlink.RtnetlinkCodec.RTM_NEWLINK;
import static io.k8srdma.agent.netlink.RtnetlinkCodec.align;
import static io.k8srdma.agent.netlink.RtnetlinkCodec.decode;
import static io.k8srdma.agent.netlink.RtnetlinkCodec.encodeSetVfRate;
import static io.k8srdma.agent.netlink.RtnetlinkCodec.formatGuid;
import static io.k8srdma.agent.netlink.RtnetlinkCodec.getLinkRequest;
import static io.k8srdma.agent.netlink.RtnetlinkCodec.isValidIfname;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.k8srdma.agent.netlink.GetLinkReply.ErrorMessage;
import io.k8srdma.agent.netlink.GetLinkReply.Link;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RtnetlinkCodecTest {

  private static final int SEQ = 42;
  private static final int IFLA_MTU = 4;

  // ---- requests ----

  @Test
  void getLinkRequestByNameHasEveryFieldInPlace() {
    ByteBuffer b = getLinkRequest("lo", 7);

    assertThat(b.order()).isEqualTo(ByteOrder.nativeOrder());
    assertThat(b.position()).isZero();
    // nlmsghdr(16) + ifinfomsg(16) + IFLA_IFNAME 4+"lo\0" padded to 8 + IFLA_EXT_MASK(8)
    assertThat(b.remaining()).isEqualTo(48);
    assertThat(b.getInt(0)).as("nlmsg_len").isEqualTo(48);
    assertThat(b.getShort(4)).as("nlmsg_type").isEqualTo((short) RTM_GETLINK);
    assertThat(b.getShort(6)).as("nlmsg_flags").isEqualTo((short) NLM_F_REQUEST);
    assertThat(b.getInt(8)).as("nlmsg_seq").isEqualTo(7);
    assertThat(b.getInt(12)).as("nlmsg_pid").isZero();
    assertThat(b.get(16)).as("ifi_family").isZero();
    assertThat(b.get(17)).as("pad").isZero();
    assertThat(b.getShort(18)).as("ifi_type").isZero();
    assertThat(b.getInt(20)).as("ifi_index").isZero();
    assertThat(b.getInt(24)).as("ifi_flags").isZero();
    assertThat(b.getInt(28)).as("ifi_change").isZero();
    assertThat(b.getShort(32)).as("IFLA_IFNAME rta_len (unpadded)").isEqualTo((short) 7);
    assertThat(b.getShort(34)).as("rta_type").isEqualTo((short) IFLA_IFNAME);
    assertThat(new byte[] {b.get(36), b.get(37), b.get(38), b.get(39)})
        .as("\"lo\", NUL, one pad byte")
        .containsExactly('l', 'o', 0, 0);
    assertThat(b.getShort(40)).as("IFLA_EXT_MASK rta_len").isEqualTo((short) 8);
    assertThat(b.getShort(42)).as("rta_type").isEqualTo((short) IFLA_EXT_MASK);
    assertThat(b.getInt(44)).as("RTEXT_FILTER_VF|SKIP_STATS").isEqualTo(1 | 8);
  }

  @ParameterizedTest
  @CsvSource({
    "eth0,9,52",
    "ib0,8,48",
    "ens1f0np0,14,56",
    "enp175s0f1np1,18,60",
    "abcdefghijklmno,20,60"
  })
  void getLinkRequestPadsTheNameAttribute(String name, int rtaLen, int total) {
    ByteBuffer b = getLinkRequest(name, 1);

    assertThat(b.remaining()).isEqualTo(total);
    assertThat(b.getInt(0)).isEqualTo(total);
    assertThat(b.getShort(32)).isEqualTo((short) rtaLen);
    assertThat(b.get(36 + name.length())).as("NUL terminator").isZero();
    int extMask = 32 + align(rtaLen);
    assertThat(b.getShort(extMask + 2)).isEqualTo((short) IFLA_EXT_MASK);
    assertThat(b.getInt(extMask + 4)).isEqualTo(RTEXT_FILTER_VF | RTEXT_FILTER_SKIP_STATS);
  }

  @Test
  void getLinkRequestByIndexIsThe40ByteFormOfTheFactsFile() {
    ByteBuffer b = getLinkRequest(7, 99);

    assertThat(b.remaining()).isEqualTo(40);
    assertThat(b.getInt(0)).isEqualTo(40);
    assertThat(b.getShort(4)).isEqualTo((short) 18);
    assertThat(b.getShort(6)).isEqualTo((short) 0x1);
    assertThat(b.getInt(8)).isEqualTo(99);
    assertThat(b.getInt(12)).isZero();
    assertThat(b.getInt(16)).as("family, pad, type").isZero();
    assertThat(b.getInt(20)).as("ifi_index").isEqualTo(7);
    assertThat(b.getLong(24)).as("flags, change").isZero();
    assertThat(b.getShort(32)).isEqualTo((short) 8);
    assertThat(b.getShort(34)).isEqualTo((short) 29);
    assertThat(b.getInt(36)).isEqualTo(1 | 8);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "abcdefghijklmnop", "a\0b", "ähnlichkeitsgrad"})
  void getLinkRequestRejectsNamesTheKernelCannotMatch(String name) {
    assertThat(isValidIfname(name)).isFalse();
    assertThatThrownBy(() -> getLinkRequest(name, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a valid netdev name");
  }

  @Test
  void setVfRateMatchesTheWorkedExampleByteForByte() {
    ByteBuffer expected = struct(56);
    expected.putInt(56).putShort((short) 19).putShort((short) 0x5).putInt(0x1234).putInt(0);
    expected.put((byte) 0).put((byte) 0).putShort((short) 0).putInt(7).putInt(0).putInt(0);
    expected.putShort((short) 24).putShort((short) 22); // IFLA_VFINFO_LIST
    expected.putShort((short) 20).putShort((short) 1); // IFLA_VF_INFO
    expected.putShort((short) 16).putShort((short) 6); // IFLA_VF_RATE
    expected.putInt(3).putInt(40).putInt(100);

    ByteBuffer actual = encodeSetVfRate(7, 3, 40, 100, 0x1234);

    assertThat(actual.order()).isEqualTo(ByteOrder.nativeOrder());
    assertThat(toArray(actual)).containsExactly(expected.array());
  }

  @Test
  void setVfRateRejectsValuesTheKernelWouldRefuse() {
    assertThatThrownBy(() -> encodeSetVfRate(7, 3, 100, 40, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("below min");
    assertThatThrownBy(() -> encodeSetVfRate(0, 3, 0, 0, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> encodeSetVfRate(7, -1, 0, 0, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(encodeSetVfRate(7, 3, 40, 0, 1).remaining()).as("max 0 = unlimited").isEqualTo(56);
  }

  // ---- decoding ----

  @Test
  void decodesLinkWithTwoVfs() {
    GetLinkReply reply = decode(twoVfReply().build());

    assertThat(reply.errors()).isEmpty();
    assertThat(reply.done()).isFalse();
    Link link = reply.link(SEQ).orElseThrow();
    assertThat(link.ifindex()).isEqualTo(7);
    assertThat(link.arpType()).isEqualTo(1);
    assertThat(link.ifname()).isEqualTo("ens1f0np0");
    assertThat(link.numVf()).isEqualTo(2);
    assertThat(link.vfs()).containsOnlyKeys(0, 1);
    assertThat(link.vfs().get(0))
        .isEqualTo(
            new VfLinkInfo(
                0,
                "02:00:5e:10:00:01",
                40,
                100,
                "0002:c903:00a1:b2c3",
                null,
                100,
                2,
                "disable",
                true,
                null));
    assertThat(link.vfs().get(1))
        .as("TX_RATE without RATE: max only; zero MAC; trust reported")
        .isEqualTo(new VfLinkInfo(1, null, null, 250, null, null, 0, 0, "auto", false, true));
  }

  @Test
  void decodesIpoibMacAsTwentyBytes() {
    byte[] mac = new byte[36];
    for (int i = 0; i < 20; i++) {
      mac[4 + i] = (byte) (0xa0 + i);
    }
    ByteBuffer buffer =
        new NlWriter()
            .beginMessage(RTM_NEWLINK, 0, SEQ)
            .ifinfomsg(ARPHRD_INFINIBAND, 5)
            .begin(IFLA_VFINFO_LIST)
            .begin(IFLA_VF_INFO)
            .attr(IFLA_VF_MAC, mac)
            .end()
            .end()
            .endMessage()
            .build();

    VfLinkInfo vf = decode(buffer).link(SEQ).orElseThrow().vfs().get(0);

    assertThat(vf.mac()).hasSize(20 * 3 - 1).startsWith("a0:a1:a2").endsWith("b2:b3");
    assertThat(vf.maxTxRateMbps()).as("absent").isNull();
    assertThat(vf.spoofCheck()).isNull();
  }

  @Test
  void linkWithoutVfListHasNoVfs() {
    ByteBuffer buffer =
        new NlWriter()
            .beginMessage(RTM_NEWLINK, 0, 3)
            .ifinfomsg(772, 1)
            .string(IFLA_IFNAME, "lo")
            .u32(IFLA_MTU, 65536)
            .endMessage()
            .build();

    Link link = decode(buffer).link(3).orElseThrow();

    assertThat(link.ifname()).isEqualTo("lo");
    assertThat(link.numVf()).isNull();
    assertThat(link.vfs()).isEmpty();
  }

  @Test
  void decodesNlmsgErrorEnodev() {
    ByteBuffer buffer = errorMessage(5, -19).build();

    GetLinkReply reply = decode(buffer);

    assertThat(reply.links()).isEmpty();
    assertThat(reply.errors()).containsExactly(new ErrorMessage(5, -19));
    assertThat(reply.error(5).orElseThrow().isAck()).isFalse();
    assertThat(reply.error(6)).isEmpty();
  }

  @Test
  void decodesAckAndDoneAfterALink() {
    NlWriter w = twoVfReply();
    errorMessageInto(w, SEQ + 1, 0);
    w.beginMessage(NLMSG_DONE, 0x2, SEQ).attrlessBody(ints(0)).endMessage();

    GetLinkReply reply = decode(w.build());

    assertThat(reply.links()).hasSize(1);
    assertThat(reply.error(SEQ + 1).orElseThrow().isAck()).isTrue();
    assertThat(reply.done()).isTrue();
  }

  @Test
  void decodeStartsAtTheBufferPositionAndLeavesItAlone() {
    byte[] message = errorMessage(5, -19).bytes();
    ByteBuffer b = ByteBuffer.allocate(message.length + 3).order(ByteOrder.nativeOrder());
    b.position(3);
    b.put(message).position(3);

    assertThat(decode(b).errors()).containsExactly(new ErrorMessage(5, -19));
    assertThat(b.position()).isEqualTo(3);
  }

  @Test
  void emptyBufferIsRejected() {
    assertThatThrownBy(() -> decode(ByteBuffer.allocate(0)))
        .isInstanceOf(NetlinkDecodeException.class)
        .hasMessageContaining("offset 0");
  }

  @Test
  void everyTruncationPointGivesAClearError() {
    byte[] full = twoVfReply().bytes();
    for (int cut = 1; cut < full.length; cut++) {
      ByteBuffer truncated =
          ByteBuffer.wrap(Arrays.copyOf(full, cut)).order(ByteOrder.nativeOrder());
      int at = cut;
      assertThatThrownBy(() -> decode(truncated))
          .as("cut at %d", at)
          .isInstanceOf(NetlinkDecodeException.class)
          .hasMessageStartingWith("malformed netlink data at offset ");
    }
  }

  @Test
  void truncationHiddenByAConsistentNlmsgLenIsCaughtInsideTheNests() {
    // A message whose nlmsg_len agrees with the cut, so only attribute bounds can catch it.
    byte[] full = twoVfReply().bytes();
    int rejected = 0;
    for (int cut = 32; cut < full.length; cut++) {
      ByteBuffer b = ByteBuffer.wrap(Arrays.copyOf(full, cut)).order(ByteOrder.nativeOrder());
      b.putInt(0, cut);
      try {
        decode(b);
      } catch (NetlinkDecodeException e) {
        assertThat(e.getMessage()).contains("offset " + e.offset());
        assertThat(e.offset()).isBetween(0, cut);
        rejected++;
      }
    }
    // Only cuts between top-level attributes are complete messages.
    assertThat(rejected).isGreaterThan(full.length - 32 - 8);
  }

  @Test
  void oversizedNestLengthNamesItsOffset() {
    NlWriter w = new NlWriter().beginMessage(RTM_NEWLINK, 0, SEQ).ifinfomsg(1, 7);
    w.begin(IFLA_VFINFO_LIST);
    int vfInfoAt = w.position();
    w.begin(IFLA_VF_INFO).attr(IFLA_VF_RATE, ints(0, 1, 2)).end().end().endMessage();
    ByteBuffer b = w.build();
    b.putShort(vfInfoAt, (short) 200);

    assertThatThrownBy(() -> decode(b))
        .isInstanceOf(NetlinkDecodeException.class)
        .hasMessageContaining("offset " + vfInfoAt)
        .hasMessageContaining("IFLA_VFINFO_LIST")
        .hasMessageContaining("length 200");
  }

  @Test
  void attributeShorterThanItsHeaderIsRejected() {
    NlWriter w = new NlWriter().beginMessage(RTM_NEWLINK, 0, SEQ).ifinfomsg(1, 7);
    int attrAt = w.position();
    w.u32(IFLA_MTU, 1500).endMessage();
    ByteBuffer b = w.build();
    b.putShort(attrAt, (short) 2);

    assertThatThrownBy(() -> decode(b))
        .isInstanceOf(NetlinkDecodeException.class)
        .hasMessageContaining("offset " + attrAt);
  }

  @Test
  void shortVfStructIsRejected() {
    NlWriter w =
        new NlWriter()
            .beginMessage(RTM_NEWLINK, 0, SEQ)
            .ifinfomsg(1, 7)
            .begin(IFLA_VFINFO_LIST)
            .begin(IFLA_VF_INFO)
            .attr(IFLA_VF_RATE, ints(0, 40))
            .end()
            .end()
            .endMessage();

    assertThatThrownBy(() -> decode(w.build()))
        .isInstanceOf(NetlinkDecodeException.class)
        .hasMessageContaining("IFLA_VF_RATE payload is 8 bytes, need 12");
  }

  @Test
  void shortNlmsgErrorIsRejected() {
    ByteBuffer b = new NlWriter().beginMessage(NLMSG_ERROR, 0, 1).endMessage().build();

    assertThatThrownBy(() -> decode(b))
        .isInstanceOf(NetlinkDecodeException.class)
        .hasMessageContaining("offset 16")
        .hasMessageContaining("NLMSG_ERROR");
  }

  @Test
  void randomCorruptionNeverEscapesAsAnotherException() {
    byte[] full = twoVfReply().bytes();
    Random random = new Random(20240611);
    for (int i = 0; i < 5000; i++) {
      byte[] corrupt = full.clone();
      for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
        corrupt[random.nextInt(corrupt.length)] = (byte) random.nextInt(256);
      }
      ByteBuffer b = ByteBuffer.wrap(corrupt).order(ByteOrder.nativeOrder());
      try {
        decode(b);
      } catch (NetlinkDecodeException expected) {
        // Fine: corruption detected and described.
      }
    }
  }

  @Test
  void aVfListJustBelow64KiBDecodesEveryVf() {
    int vfs = 277; // 4 + 277 x 236 = 65376 bytes
    GetLinkReply reply = decode(ManyVfReplies.ib(SEQ, "ibp26s0", vfs).build());

    Link link = reply.link(SEQ).orElseThrow();
    assertThat(link.numVf()).isEqualTo(vfs);
    assertThat(link.vfs()).hasSize(vfs);
    assertThat(link.vfs().get(vfs - 1).nodeGuid()).isEqualTo("0002:c903:0000:0114");
  }

  @ParameterizedTest
  @ValueSource(ints = {278, 280, 400, 556})
  void aVfListPast64KiBWhoseLengthWrappedFailsSayingSo(int vfs) {
    NlWriter w = new NlWriter().beginMessage(RTM_NEWLINK, 0, SEQ).ifinfomsg(ARPHRD_INFINIBAND, 9);
    w.string(IFLA_IFNAME, "ibp26s0").u32(IFLA_NUM_VF, vfs);
    int listAt = w.position();
    ByteBuffer reply = ManyVfReplies.ib(SEQ, "ibp26s0", vfs).build();

    assertThatThrownBy(() -> decode(reply))
        .isInstanceOf(NetlinkDecodeException.class)
        .hasMessageContaining("offset " + listAt)
        .hasMessageContaining("IFLA_NUM_VF is " + vfs)
        .hasMessageContaining("VF entries of " + ManyVfReplies.IB_ENTRY_BYTES + " bytes")
        .hasMessageContaining("length wrapped");
  }

  @Test
  void aWrappedVfListEndingBetweenTwoEntriesIsNotTakenForAShortOne() {
    // 4 + 300 x 256 bytes wrap to a list of exactly 44 entries, which decode cleanly.
    ByteBuffer reply = ManyVfReplies.withEntriesDividing64KiB(SEQ, 300).build();

    assertThatThrownBy(() -> decode(reply))
        .isInstanceOf(NetlinkDecodeException.class)
        .hasMessageContaining("IFLA_VFINFO_LIST claims 11268 bytes")
        .hasMessageContaining("IFLA_NUM_VF is 300")
        .hasMessageContaining("length wrapped");
  }

  @Test
  void fewerEntriesThanNumVfThatFitAreVfsTheDriverCouldNotRead() {
    // rtnl_fill_vfinfo leaves out a VF whose ndo_get_vf_config fails; the others are still right.
    NlWriter w = new NlWriter().beginMessage(RTM_NEWLINK, 0, SEQ).ifinfomsg(1, 7);
    w.u32(IFLA_NUM_VF, 4).begin(IFLA_VFINFO_LIST);
    firstVf(w);
    secondVf(w);
    w.end().endMessage();
    ByteBuffer none =
        new NlWriter()
            .beginMessage(RTM_NEWLINK, 0, SEQ)
            .ifinfomsg(1, 7)
            .u32(IFLA_NUM_VF, 8)
            .begin(IFLA_VFINFO_LIST)
            .end()
            .endMessage()
            .build();

    assertThat(decode(w.build()).link(SEQ).orElseThrow().vfs()).containsOnlyKeys(0, 1);
    assertThat(decode(none).link(SEQ).orElseThrow().vfs()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(ints = {278, 280, 400})
  void aListUnder64KiBWithVfsTheDriverLeftOutIsNotTakenForAWrappedOne(int numVfs) {
    // 277 entries of 236 bytes: 65376 bytes, a length that did not wrap. The missing VFs could not
    // have made up the 64 KiB a wrap would have lost.
    int listed = 277;
    GetLinkReply reply = decode(ManyVfReplies.ib(SEQ, "ibp26s0", numVfs, listed).build());

    Link link = reply.link(SEQ).orElseThrow();
    assertThat(link.numVf()).isEqualTo(numVfs);
    assertThat(link.vfs()).hasSize(listed);
  }

  @Test
  void moreVfEntriesThanNumVfAreRejected() {
    NlWriter w = new NlWriter().beginMessage(RTM_NEWLINK, 0, SEQ).ifinfomsg(1, 7);
    w.u32(IFLA_NUM_VF, 1).begin(IFLA_VFINFO_LIST);
    firstVf(w);
    secondVf(w);
    w.end().endMessage();

    assertThatThrownBy(() -> decode(w.build()))
        .isInstanceOf(NetlinkDecodeException.class)
        .hasMessageContaining("IFLA_VFINFO_LIST holds 2 VF entries but IFLA_NUM_VF is 1");
  }

  @Test
  void formatsGuidLikeSysfs() {
    assertThat(formatGuid(0x0002c90300a1b2c3L)).isEqualTo("0002:c903:00a1:b2c3");
    assertThat(formatGuid(-1L)).isEqualTo("ffff:ffff:ffff:ffff");
  }

  @Test
  void noneSourceIsEmpty() {
    assertThat(VfLinkInfoSource.none().vfInfo("ens1f0np0")).isEmpty();
  }

  // ---- fixtures ----

  /** What mlx5 would send for a PF with two VFs, with the attribute order of rtnl_fill_vfinfo. */
  private static NlWriter twoVfReply() {
    NlWriter w = new NlWriter().beginMessage(RTM_NEWLINK, 0, SEQ).ifinfomsg(1, 7);
    w.string(IFLA_IFNAME, "ens1f0np0").u32(IFLA_MTU, 9000).u32(IFLA_NUM_VF, 2);
    w.begin(IFLA_VFINFO_LIST);
    firstVf(w);
    secondVf(w);
    w.end();
    return w.endMessage();
  }

  private static void firstVf(NlWriter w) {
    // Flagged NLA_F_NESTED, which the kernel omits but other senders may set.
    w.begin(IFLA_VF_INFO | NLA_F_NESTED);
    w.attr(IFLA_VF_MAC, vfMac(0, 0x02, 0x00, 0x5e, 0x10, 0x00, 0x01));
    w.attr(IFLA_VF_BROADCAST, broadcast());
    w.attr(IFLA_VF_VLAN, ints(0, 100, 2));
    w.attr(IFLA_VF_RATE, ints(0, 40, 100));
    w.attr(IFLA_VF_TX_RATE, ints(0, 100));
    w.attr(IFLA_VF_SPOOFCHK, ints(0, 1));
    w.attr(IFLA_VF_LINK_STATE, ints(0, 2));
    w.attr(IFLA_VF_RSS_QUERY_EN, ints(0, 0xffffffff));
    w.attr(IFLA_VF_TRUST, ints(0, 0xffffffff));
    w.attr(IFLA_VF_IB_NODE_GUID, vfGuid(0, 0x0002c90300a1b2c3L));
    w.attr(IFLA_VF_IB_PORT_GUID, vfGuid(0, 0));
    w.begin(IFLA_VF_VLAN_LIST).attr(IFLA_VF_VLAN_INFO, vlanInfo(0, 100, 2)).end();
    w.begin(IFLA_VF_STATS);
    // nla_put_64bit inserts a 4-byte IFLA_VF_STATS_PAD attribute before unaligned u64s.
    w.attr(IFLA_VF_STATS_PAD, new byte[0]);
    w.attr(0, longs(123456789L));
    w.attr(IFLA_VF_STATS_PAD, new byte[0]);
    w.attr(1, longs(987654321L));
    w.end();
    w.attr(0x3fff, new byte[] {1, 2, 3}); // unknown, unaligned: must be skipped
    w.end();
  }

  private static void secondVf(NlWriter w) {
    w.begin(IFLA_VF_INFO);
    w.attr(IFLA_VF_MAC, vfMac(1, 0, 0, 0, 0, 0, 0));
    w.attr(IFLA_VF_BROADCAST, broadcast());
    w.attr(IFLA_VF_VLAN, ints(1, 0, 0));
    w.attr(IFLA_VF_TX_RATE, ints(1, 250));
    w.attr(IFLA_VF_SPOOFCHK, ints(1, 0));
    w.attr(IFLA_VF_LINK_STATE, ints(1, 0));
    w.attr(IFLA_VF_RSS_QUERY_EN, ints(1, 0));
    w.attr(IFLA_VF_TRUST, ints(1, 1));
    w.end();
  }

  private static NlWriter errorMessage(int seq, int error) {
    NlWriter w = new NlWriter();
    errorMessageInto(w, seq, error);
    return w;
  }

  private static void errorMessageInto(NlWriter w, int seq, int error) {
    w.beginMessage(NLMSG_ERROR, 0x100, seq);
    // struct nlmsgerr: error, then the (capped) header of the request.
    ByteBuffer body = struct(20);
    body.putInt(error).putInt(40).putShort((short) RTM_GETLINK).putShort((short) 1);
    body.putInt(seq).putInt(0);
    w.attrlessBody(body.array());
    w.endMessage();
  }

  private static byte[] vfMac(int vf, int... mac) {
    ByteBuffer s = struct(36).putInt(vf);
    for (int octet : mac) {
      s.put((byte) octet);
    }
    return s.array();
  }

  private static byte[] broadcast() {
    byte[] b = new byte[32];
    Arrays.fill(b, 0, 6, (byte) 0xff);
    return b;
  }

  private static byte[] vfGuid(int vf, long guid) {
    return struct(16).putInt(vf).putInt(0).putLong(guid).array();
  }

  private static byte[] vlanInfo(int vf, int vlan, int qos) {
    ByteBuffer s = struct(16).putInt(vf).putInt(vlan).putInt(qos);
    s.order(ByteOrder.BIG_ENDIAN).putShort((short) 0x8100);
    return s.array();
  }

  private static byte[] longs(long value) {
    return struct(8).putLong(value).array();
  }

  private static byte[] toArray(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }
}
