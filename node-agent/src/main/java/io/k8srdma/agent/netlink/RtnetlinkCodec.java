package io.k8srdma.agent.netlink;

import io.k8srdma.agent.netlink.GetLinkReply.ErrorMessage;
import io.k8srdma.agent.netlink.GetLinkReply.Link;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Pure encoder/decoder for the few rtnetlink messages the agent needs; no I/O.
 *
 * <p>Netlink structures are in host byte order, so every buffer uses {@link
 * ByteOrder#nativeOrder()}. Constants come from {@code include/uapi/linux/{netlink,rtnetlink,
 * if_link}.h}. The decoder trusts nothing: every length is bounds-checked against its container and
 * violations raise {@link NetlinkDecodeException} naming the offset, so a kernel/ABI mismatch shows
 * up as a readable error instead of an {@code IndexOutOfBoundsException} or garbage values.
 */
public final class RtnetlinkCodec {

  // netlink.h
  static final int NLMSG_HDRLEN = 16;
  static final int NLMSG_NOOP = 1;
  static final int NLMSG_ERROR = 2;
  static final int NLMSG_DONE = 3;
  static final int NLM_F_REQUEST = 0x1;
  static final int NLM_F_ACK = 0x4;
  static final int NLA_F_NESTED = 0x8000;
  static final int NLA_F_NET_BYTEORDER = 0x4000;
  static final int NLA_TYPE_MASK = 0x3fff;
  static final int ALIGNTO = 4;

  /** nla_len is a u16, headers included. */
  static final int MAX_ATTR_LEN = 0xffff;

  // rtnetlink.h
  static final int RTM_NEWLINK = 16;
  static final int RTM_GETLINK = 18;
  static final int RTM_SETLINK = 19;
  static final int IFINFOMSG_LEN = 16;
  static final int RTA_HDRLEN = 4;
  static final int RTEXT_FILTER_VF = 1;
  static final int RTEXT_FILTER_SKIP_STATS = 1 << 3;

  // if_link.h
  static final int IFLA_IFNAME = 3;
  static final int IFLA_NUM_VF = 21;
  static final int IFLA_VFINFO_LIST = 22;
  static final int IFLA_EXT_MASK = 29;
  static final int IFLA_VF_INFO = 1;
  static final int IFLA_VF_MAC = 1;
  static final int IFLA_VF_VLAN = 2;
  static final int IFLA_VF_TX_RATE = 3;
  static final int IFLA_VF_SPOOFCHK = 4;
  static final int IFLA_VF_LINK_STATE = 5;
  static final int IFLA_VF_RATE = 6;
  static final int IFLA_VF_RSS_QUERY_EN = 7;
  static final int IFLA_VF_STATS = 8;
  static final int IFLA_VF_TRUST = 9;
  static final int IFLA_VF_IB_NODE_GUID = 10;
  static final int IFLA_VF_IB_PORT_GUID = 11;
  static final int IFLA_VF_VLAN_LIST = 12;
  static final int IFLA_VF_BROADCAST = 13;
  static final int IFLA_VF_VLAN_INFO = 1;
  static final int IFLA_VF_STATS_PAD = 6;

  /** {@code IFNAMSIZ} includes the NUL, so names have at most 15 bytes. */
  static final int IFNAMSIZ = 16;

  static final int ARPHRD_INFINIBAND = 32;
  private static final int ETH_ALEN = 6;
  private static final int INFINIBAND_ALEN = 20;

  /** The kernel presets spoofchk/trust/rss_query_en to (u32)-1 so "not reported" is visible. */
  private static final int NOT_REPORTED = 0xffffffff;

  // Payload sizes of the if_link.h structs we read.
  private static final int VF_MAC_LEN = 36;
  private static final int VF_VLAN_LEN = 12;
  private static final int VF_VLAN_INFO_MIN_LEN = 14;
  private static final int VF_TX_RATE_LEN = 8;
  private static final int VF_RATE_LEN = 12;
  private static final int VF_SETTING_LEN = 8;

  /** {@code struct ifla_vf_guid} is 16 bytes on 64-bit ABIs (u64 aligned) and 12 on i386. */
  private static final int VF_GUID_LEN_PACKED = 12;

  private static final int VF_GUID_LEN_ALIGNED = 16;

  private RtnetlinkCodec() {}

  /**
   * Whether {@code ifname} can name a netdev: 1 to 15 UTF-8 bytes without NUL. Anything else could
   * not be sent intact in {@code IFLA_IFNAME} (the kernel would cut it at the NUL or reject it).
   */
  public static boolean isValidIfname(String ifname) {
    if (ifname == null || ifname.isEmpty() || ifname.indexOf('\0') >= 0) {
      return false;
    }
    return ifname.getBytes(StandardCharsets.UTF_8).length < IFNAMSIZ;
  }

  /**
   * Builds {@code RTM_GETLINK} for one netdev by name, asking for the VF list without per-VF stats
   * (stats make the PF message tens of KB and are not needed).
   *
   * <p>Layout: nlmsghdr(16) + ifinfomsg(16, index 0) + IFLA_IFNAME (name + NUL, padded to 4) +
   * IFLA_EXT_MASK u32 (8).
   *
   * @throws IllegalArgumentException if {@code ifname} is not {@linkplain #isValidIfname valid}
   */
  public static ByteBuffer getLinkRequest(String ifname, int seq) {
    if (!isValidIfname(ifname)) {
      throw new IllegalArgumentException("not a valid netdev name: " + ifname);
    }
    byte[] name = ifname.getBytes(StandardCharsets.UTF_8);
    int nameAttrLen = RTA_HDRLEN + name.length + 1;
    int len = NLMSG_HDRLEN + IFINFOMSG_LEN + align(nameAttrLen) + RTA_HDRLEN + 4;
    ByteBuffer b = allocate(len);
    putNlmsghdr(b, len, RTM_GETLINK, NLM_F_REQUEST, seq);
    putIfinfomsg(b, 0);
    putAttrHeader(b, nameAttrLen, IFLA_IFNAME);
    b.put(name).put((byte) 0);
    b.position(align(b.position())); // allocate() zero-fills, so skipping writes the padding
    putU32Attr(b, IFLA_EXT_MASK, RTEXT_FILTER_VF | RTEXT_FILTER_SKIP_STATS);
    return b.flip();
  }

  /**
   * Builds {@code RTM_GETLINK} for one netdev by ifindex (the 40-byte form of the facts file).
   *
   * @throws IllegalArgumentException if {@code ifindex <= 0}
   */
  public static ByteBuffer getLinkRequest(int ifindex, int seq) {
    requirePositive(ifindex, "ifindex");
    int len = NLMSG_HDRLEN + IFINFOMSG_LEN + RTA_HDRLEN + 4;
    ByteBuffer b = allocate(len);
    putNlmsghdr(b, len, RTM_GETLINK, NLM_F_REQUEST, seq);
    putIfinfomsg(b, ifindex);
    putU32Attr(b, IFLA_EXT_MASK, RTEXT_FILTER_VF | RTEXT_FILTER_SKIP_STATS);
    return b.flip();
  }

  /**
   * Builds {@code RTM_SETLINK} setting VF {@code vf}'s min/max TX rate (Mbps, 0 = unlimited) on PF
   * {@code ifindex}, asking for an ack. The kernel answers with {@code NLMSG_ERROR}, error 0 on
   * success. Always 56 bytes.
   *
   * @throws IllegalArgumentException for a non-positive ifindex, negative values, or {@code max !=
   *     0 && max < min} (which the kernel would reject with EINVAL)
   */
  public static ByteBuffer encodeSetVfRate(int ifindex, int vf, int min, int max, int seq) {
    requirePositive(ifindex, "ifindex");
    requireNonNegative(vf, "vf");
    requireNonNegative(min, "min");
    requireNonNegative(max, "max");
    if (max != 0 && max < min) {
      throw new IllegalArgumentException("max rate " + max + " is below min rate " + min);
    }
    int rateAttrLen = RTA_HDRLEN + VF_RATE_LEN;
    int vfInfoLen = RTA_HDRLEN + rateAttrLen;
    int listLen = RTA_HDRLEN + vfInfoLen;
    int len = NLMSG_HDRLEN + IFINFOMSG_LEN + listLen;
    ByteBuffer b = allocate(len);
    putNlmsghdr(b, len, RTM_SETLINK, NLM_F_REQUEST | NLM_F_ACK, seq);
    putIfinfomsg(b, ifindex);
    // The kernel emits and accepts these nests without NLA_F_NESTED; mirror iproute2.
    putAttrHeader(b, listLen, IFLA_VFINFO_LIST);
    putAttrHeader(b, vfInfoLen, IFLA_VF_INFO);
    putAttrHeader(b, rateAttrLen, IFLA_VF_RATE);
    b.putInt(vf).putInt(min).putInt(max);
    return b.flip();
  }

  /**
   * Decodes every netlink message between the buffer's position and limit. Does not modify the
   * buffer. {@code RTM_NEWLINK}, {@code NLMSG_ERROR} and {@code NLMSG_DONE} are interpreted; other
   * message types and unknown attributes are skipped.
   *
   * @throws NetlinkDecodeException if the data is empty, truncated or inconsistent, a VF list whose
   *     length wrapped past 64 KiB included
   */
  public static GetLinkReply decode(ByteBuffer buffer) {
    ByteBuffer b = buffer.slice().order(ByteOrder.nativeOrder());
    int limit = b.limit();
    if (limit == 0) {
      throw new NetlinkDecodeException(0, "empty buffer, expected a netlink message");
    }
    List<Link> links = new ArrayList<>();
    List<ErrorMessage> errors = new ArrayList<>();
    boolean done = false;
    int pos = 0;
    while (pos < limit) {
      int left = limit - pos;
      check(left >= NLMSG_HDRLEN, pos, "%d bytes left, too short for a 16-byte nlmsghdr", left);
      long len = Integer.toUnsignedLong(b.getInt(pos));
      check(
          len >= NLMSG_HDRLEN && len <= left,
          pos,
          "nlmsg_len %d is outside [16, %d] (truncated message?)",
          len,
          left);
      int type = u16(b, pos + 4);
      int seq = b.getInt(pos + 8);
      int body = pos + NLMSG_HDRLEN;
      int end = pos + (int) len;
      switch (type) {
        case NLMSG_ERROR -> errors.add(decodeError(b, body, end, seq));
        case NLMSG_DONE -> done = true;
        case RTM_NEWLINK -> links.add(decodeLink(b, body, end, seq));
        default -> {
          // NLMSG_NOOP and message types we did not ask for carry nothing we need.
        }
      }
      pos = (int) Math.min(limit, pos + align(len));
    }
    return new GetLinkReply(links, errors, done);
  }

  private static ErrorMessage decodeError(ByteBuffer b, int body, int end, int seq) {
    // struct nlmsgerr { int error; struct nlmsghdr msg; }: the echoed header may be capped, so
    // only the error code is required.
    check(end - body >= 4, body, "NLMSG_ERROR payload is %d bytes, need 4", end - body);
    return new ErrorMessage(seq, b.getInt(body));
  }

  private static Link decodeLink(ByteBuffer b, int body, int end, int seq) {
    check(
        end - body >= IFINFOMSG_LEN,
        body,
        "RTM_NEWLINK payload is %d bytes, too short for a 16-byte ifinfomsg",
        end - body);
    int arpType = u16(b, body + 2);
    int ifindex = b.getInt(body + 4);
    LinkBuilder link = new LinkBuilder(arpType);
    forEachAttr(
        b,
        body + IFINFOMSG_LEN,
        end,
        "RTM_NEWLINK",
        (type, off, len) -> {
          switch (type) {
            case IFLA_IFNAME -> link.ifname = string(b, off, len);
            case IFLA_NUM_VF -> link.numVf = u32Payload(b, off, len, "IFLA_NUM_VF");
            case IFLA_VFINFO_LIST ->
                decodeVfInfoList(b, new Nest(off - RTA_HDRLEN, off, off + len), link);
            default -> {
              // Unknown or unneeded attribute: the length check in forEachAttr is enough.
            }
          }
        });
    requireVfCountFitsNumVf(link);
    return new Link(seq, ifindex, arpType, link.ifname, link.numVf, link.vfs);
  }

  /**
   * Decodes one IFLA_VFINFO_LIST into {@code link}.
   *
   * <p>The list's length is a u16 that the kernel's {@code nla_nest_end} fills in without a check.
   * Past 64 KiB (some 280 IB VFs of 236 bytes each) it wraps, and the nest claims only the
   * remainder: an entry then runs past its end, or, when the remainder happens to end between two
   * entries, the list just looks short (and the entries after it pass for unknown top-level
   * attributes). Both fail the read saying so, instead of reporting VFs without their MAC, GUID and
   * rates. The list is read where it comes, before the walk past its claimed end meets the middle
   * of an entry; the kernel puts IFLA_NUM_VF right before it.
   */
  private static void decodeVfInfoList(ByteBuffer b, Nest list, LinkBuilder link) {
    if (link.vfList == null) {
      link.vfList = list;
    }
    requireNoEntryPastTheEnd(b, list, link.numVf);
    forEachAttr(
        b,
        list.start(),
        list.end(),
        "IFLA_VFINFO_LIST",
        (type, off, len) -> {
          if (type == IFLA_VF_INFO) {
            link.vfEntries++;
            link.largestVfEntry = Math.max(link.largestVfEntry, align(RTA_HDRLEN + len));
            VfLinkInfo vf = decodeVfInfo(b, off, off + len, link.arpType, link.vfs.size());
            link.vfs.putIfAbsent(vf.vf(), vf);
          }
        });
  }

  /**
   * Names a wrapped length when an entry of the list runs past the list's end and IFLA_NUM_VF
   * entries of its size could not fit in a u16; other overruns are left to {@link #forEachAttr}.
   */
  private static void requireNoEntryPastTheEnd(ByteBuffer b, Nest list, Integer numVf) {
    int pos = list.start();
    while (list.end() - pos >= RTA_HDRLEN) {
      int len = u16(b, pos);
      if (len < RTA_HDRLEN) {
        return;
      }
      if (len > list.end() - pos) {
        if (numVf != null && wouldWrap(numVf, align(len))) {
          throw wrapped(list, numVf, align(len));
        }
        return;
      }
      pos += align(len);
    }
  }

  /**
   * The kernel puts one entry per VF, except that it leaves out a VF whose configuration the driver
   * cannot read: fewer entries than IFLA_NUM_VF are a wrapped length only when the missing ones
   * could make up the 64 KiB a wrap loses (all of them not fitting is not enough: with a few left
   * out, the rest may fit), and more are never right.
   */
  private static void requireVfCountFitsNumVf(LinkBuilder link) {
    Nest list = link.vfList;
    if (link.numVf == null || list == null) {
      return;
    }
    check(
        link.vfEntries <= link.numVf,
        list.at(),
        "IFLA_VFINFO_LIST holds %d VF entries but IFLA_NUM_VF is %d",
        link.vfEntries,
        link.numVf);
    if (link.vfEntries > 0
        && link.vfEntries < link.numVf
        && (long) (link.numVf - link.vfEntries) * link.largestVfEntry > MAX_ATTR_LEN) {
      throw wrapped(list, link.numVf, link.largestVfEntry);
    }
  }

  private static boolean wouldWrap(int numVf, int entryBytes) {
    return listBytes(numVf, entryBytes) > MAX_ATTR_LEN;
  }

  private static long listBytes(int numVf, int entryBytes) {
    return RTA_HDRLEN + (long) numVf * entryBytes;
  }

  private static NetlinkDecodeException wrapped(Nest list, int numVf, int entryBytes) {
    return new NetlinkDecodeException(
        list.at(),
        String.format(
            "IFLA_VFINFO_LIST claims %d bytes, but IFLA_NUM_VF is %d and %d VF entries of %d bytes"
                + " need %d, more than the %d a netlink attribute length can hold: the kernel's"
                + " length wrapped, so the VF list cannot be read",
            list.end() - list.at(),
            numVf,
            numVf,
            entryBytes,
            listBytes(numVf, entryBytes),
            MAX_ATTR_LEN));
  }

  private static VfLinkInfo decodeVfInfo(
      ByteBuffer b, int start, int end, int arpType, int ordinal) {
    VfBuilder vf = new VfBuilder();
    forEachAttr(
        b,
        start,
        end,
        "IFLA_VF_INFO",
        (type, off, len) -> {
          switch (type) {
            case IFLA_VF_MAC -> {
              requireLen(len, VF_MAC_LEN, off, "IFLA_VF_MAC");
              vf.index(b.getInt(off));
              vf.mac = mac(b, off + 4, arpType == ARPHRD_INFINIBAND ? INFINIBAND_ALEN : ETH_ALEN);
            }
            case IFLA_VF_VLAN -> {
              requireLen(len, VF_VLAN_LEN, off, "IFLA_VF_VLAN");
              vf.index(b.getInt(off));
              vf.vlan = b.getInt(off + 4);
              vf.qos = b.getInt(off + 8);
            }
            case IFLA_VF_TX_RATE -> {
              requireLen(len, VF_TX_RATE_LEN, off, "IFLA_VF_TX_RATE");
              vf.index(b.getInt(off));
              vf.txRate = saturatedU32(b.getInt(off + 4));
            }
            case IFLA_VF_RATE -> {
              requireLen(len, VF_RATE_LEN, off, "IFLA_VF_RATE");
              vf.index(b.getInt(off));
              vf.minRate = saturatedU32(b.getInt(off + 4));
              vf.maxRate = saturatedU32(b.getInt(off + 8));
            }
            case IFLA_VF_SPOOFCHK -> vf.spoofCheck = setting(b, off, len, "IFLA_VF_SPOOFCHK", vf);
            case IFLA_VF_TRUST -> vf.trust = setting(b, off, len, "IFLA_VF_TRUST", vf);
            case IFLA_VF_LINK_STATE -> {
              requireLen(len, VF_SETTING_LEN, off, "IFLA_VF_LINK_STATE");
              vf.index(b.getInt(off));
              vf.linkState = linkState(b.getInt(off + 4));
            }
            case IFLA_VF_IB_NODE_GUID ->
                vf.nodeGuid = guid(b, off, len, "IFLA_VF_IB_NODE_GUID", vf);
            case IFLA_VF_IB_PORT_GUID ->
                vf.portGuid = guid(b, off, len, "IFLA_VF_IB_PORT_GUID", vf);
            case IFLA_VF_VLAN_LIST -> decodeVlanList(b, off, off + len, vf);
            case IFLA_VF_STATS -> validateNest(b, off, off + len, "IFLA_VF_STATS");
            default -> {
              // IFLA_VF_BROADCAST, IFLA_VF_RSS_QUERY_EN and future attributes are not needed.
            }
          }
        });
    return vf.build(ordinal);
  }

  private static void decodeVlanList(ByteBuffer b, int start, int end, VfBuilder vf) {
    forEachAttr(
        b,
        start,
        end,
        "IFLA_VF_VLAN_LIST",
        (type, off, len) -> {
          if (type != IFLA_VF_VLAN_INFO) {
            return;
          }
          requireLen(len, VF_VLAN_INFO_MIN_LEN, off, "IFLA_VF_VLAN_INFO");
          // IFLA_VF_VLAN carries the same first tag; the list only matters if it is missing.
          if (vf.vlan == null) {
            vf.index(b.getInt(off));
            vf.vlan = b.getInt(off + 4);
            vf.qos = b.getInt(off + 8);
          }
        });
  }

  /** Walks a nest whose contents we ignore, so garbage inside it is still detected. */
  private static void validateNest(ByteBuffer b, int start, int end, String container) {
    forEachAttr(b, start, end, container, (type, off, len) -> {});
  }

  /** Receives one attribute: masked type, payload offset and payload length. */
  @FunctionalInterface
  private interface AttrVisitor {
    void visit(int type, int payloadOffset, int payloadLength);
  }

  private static void forEachAttr(
      ByteBuffer b, int start, int end, String container, AttrVisitor visitor) {
    int pos = start;
    while (pos < end) {
      int left = end - pos;
      check(
          left >= RTA_HDRLEN,
          pos,
          "%d bytes left in %s, too short for a 4-byte rtattr header",
          left,
          container);
      int len = u16(b, pos);
      int type = u16(b, pos + 2) & NLA_TYPE_MASK;
      check(
          len >= RTA_HDRLEN && len <= left,
          pos,
          "rtattr type %d in %s has length %d outside [4, %d]",
          type,
          container,
          len,
          left);
      visitor.visit(type, pos + RTA_HDRLEN, len - RTA_HDRLEN);
      // The last attribute of a container may omit its trailing padding.
      pos = Math.min(end, pos + align(len));
    }
  }

  private static Boolean setting(ByteBuffer b, int off, int len, String name, VfBuilder vf) {
    requireLen(len, VF_SETTING_LEN, off, name);
    vf.index(b.getInt(off));
    int value = b.getInt(off + 4);
    return value == NOT_REPORTED ? null : value != 0;
  }

  private static String guid(ByteBuffer b, int off, int len, String name, VfBuilder vf) {
    check(
        len == VF_GUID_LEN_PACKED || len >= VF_GUID_LEN_ALIGNED,
        off,
        "%s payload is %d bytes, expected 12 or 16",
        name,
        len);
    vf.index(b.getInt(off));
    long guid = b.getLong(off + (len == VF_GUID_LEN_PACKED ? 4 : 8));
    return guid == 0 ? null : formatGuid(guid);
  }

  /**
   * Formats like sysfs {@code node_guid}: the GUID's big-endian bytes as four groups of 4 hex
   * digits. The kernel stores the GUID as a native u64 whose value is the big-endian reading of its
   * bytes, so the most significant digit comes first.
   */
  static String formatGuid(long guid) {
    String hex = HexFormat.of().toHexDigits(guid);
    return hex.substring(0, 4)
        + ':'
        + hex.substring(4, 8)
        + ':'
        + hex.substring(8, 12)
        + ':'
        + hex.substring(12, 16);
  }

  private static String mac(ByteBuffer b, int off, int length) {
    byte[] bytes = new byte[length];
    b.get(off, bytes);
    for (byte x : bytes) {
      if (x != 0) {
        return HexFormat.ofDelimiter(":").formatHex(bytes);
      }
    }
    return null;
  }

  private static String linkState(int value) {
    return switch (value) {
      case 0 -> "auto";
      case 1 -> "enable";
      case 2 -> "disable";
      default -> null;
    };
  }

  private static String string(ByteBuffer b, int off, int len) {
    int n = 0;
    while (n < len && b.get(off + n) != 0) {
      n++;
    }
    byte[] bytes = new byte[n];
    b.get(off, bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private static Integer u32Payload(ByteBuffer b, int off, int len, String name) {
    requireLen(len, 4, off, name);
    return saturatedU32(b.getInt(off));
  }

  /** Rates and counts are u32; clamp instead of going negative for absurd values. */
  private static int saturatedU32(int value) {
    return value < 0 ? Integer.MAX_VALUE : value;
  }

  private static int u16(ByteBuffer b, int off) {
    return Short.toUnsignedInt(b.getShort(off));
  }

  private static void requireLen(int len, int need, int off, String name) {
    check(len >= need, off, "%s payload is %d bytes, need %d", name, len, need);
  }

  private static void check(boolean ok, int offset, String format, Object... args) {
    if (!ok) {
      throw new NetlinkDecodeException(offset, String.format(format, args));
    }
  }

  static int align(int len) {
    return (len + ALIGNTO - 1) & -ALIGNTO;
  }

  private static long align(long len) {
    return (len + ALIGNTO - 1) & -ALIGNTO;
  }

  private static ByteBuffer allocate(int len) {
    return ByteBuffer.allocate(len).order(ByteOrder.nativeOrder());
  }

  private static void putNlmsghdr(ByteBuffer b, int len, int type, int flags, int seq) {
    // nlmsg_pid 0: the kernel fills in the sender port itself.
    b.putInt(len).putShort((short) type).putShort((short) flags).putInt(seq).putInt(0);
  }

  private static void putIfinfomsg(ByteBuffer b, int ifindex) {
    // family AF_UNSPEC, pad, type, index, flags, change
    b.put((byte) 0).put((byte) 0).putShort((short) 0).putInt(ifindex).putInt(0).putInt(0);
  }

  private static void putAttrHeader(ByteBuffer b, int len, int type) {
    b.putShort((short) len).putShort((short) type);
  }

  private static void putU32Attr(ByteBuffer b, int type, int value) {
    putAttrHeader(b, RTA_HDRLEN + 4, type);
    b.putInt(value);
  }

  private static void requirePositive(int value, String name) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be positive: " + value);
    }
  }

  private static void requireNonNegative(int value, String name) {
    if (value < 0) {
      throw new IllegalArgumentException(name + " must not be negative: " + value);
    }
  }

  /**
   * Where a nested attribute lies in the buffer.
   *
   * @param at offset of its header
   * @param start offset of its payload
   * @param end offset just past its payload, as its length says
   */
  private record Nest(int at, int start, int end) {}

  /** Mutable scratch state while decoding one RTM_NEWLINK. */
  private static final class LinkBuilder {
    final int arpType;
    final Map<Integer, VfLinkInfo> vfs = new LinkedHashMap<>();
    String ifname;
    Integer numVf;

    /** The first IFLA_VFINFO_LIST, null until one is seen. */
    Nest vfList;

    /** IFLA_VF_INFO nests seen, duplicates of a VF index included. */
    int vfEntries;

    /** Bytes of the largest IFLA_VF_INFO nest, header and padding included. */
    int largestVfEntry;

    LinkBuilder(int arpType) {
      this.arpType = arpType;
    }
  }

  /** Mutable scratch state while decoding one IFLA_VF_INFO nest. */
  private static final class VfBuilder {
    Integer index;
    String mac;
    Integer minRate;
    Integer maxRate;
    Integer txRate;
    String nodeGuid;
    String portGuid;
    Integer vlan;
    Integer qos;
    String linkState;
    Boolean spoofCheck;
    Boolean trust;

    /** Every VF struct starts with the VF index; the first one seen wins. */
    void index(int vf) {
      if (index == null) {
        index = vf;
      }
    }

    VfLinkInfo build(int ordinal) {
      // IFLA_VF_RATE supersedes the legacy single rate; without it the legacy rate is the max.
      boolean hasRate = maxRate != null;
      return new VfLinkInfo(
          index != null ? index : ordinal,
          mac,
          hasRate ? minRate : null,
          hasRate ? maxRate : txRate,
          nodeGuid,
          portGuid,
          vlan,
          qos,
          linkState,
          spoofCheck,
          trust);
    }
  }
}
