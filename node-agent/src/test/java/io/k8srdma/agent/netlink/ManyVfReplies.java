package io.k8srdma.agent.netlink;

import static io.k8srdma.agent.netlink.NlWriter.ints;
import static io.k8srdma.agent.netlink.NlWriter.struct;
import static io.k8srdma.agent.netlink.RtnetlinkCodec.ARPHRD_INFINIBAND;
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
import static io.k8srdma.agent.netlink.RtnetlinkCodec.IFLA_VF_TRUST;
import static io.k8srdma.agent.netlink.RtnetlinkCodec.IFLA_VF_TX_RATE;
import static io.k8srdma.agent.netlink.RtnetlinkCodec.IFLA_VF_VLAN;
import static io.k8srdma.agent.netlink.RtnetlinkCodec.IFLA_VF_VLAN_INFO;
import static io.k8srdma.agent.netlink.RtnetlinkCodec.IFLA_VF_VLAN_LIST;
import static io.k8srdma.agent.netlink.RtnetlinkCodec.RTM_NEWLINK;

import java.nio.ByteBuffer;

/**
 * {@code RTM_NEWLINK} replies of PFs with many VFs, laid out as the kernel's {@code
 * rtnl_fill_vfinfo} does without stats. {@link NlWriter} keeps the low 16 bits of a nest's length
 * as the kernel does, so a list past 64 KiB arrives with its length wrapped.
 */
final class ManyVfReplies {

  /** An IPoIB PF's IFLA_VF_INFO: MAC to TRUST, both GUIDs and the VLAN list. */
  static final int IB_ENTRY_BYTES = 236;

  /** Attribute after the VF list, to show where decoding resumes. */
  static final int IFLA_GROUP = 27;

  private static final int IFLA_VF_FUTURE = 0x3ff0;

  private ManyVfReplies() {}

  /** An InfiniBand PF named {@code ifname} with {@code vfs} VFs; VF n's node GUID ends in n. */
  static NlWriter ib(int seq, String ifname, int vfs) {
    return ib(seq, ifname, vfs, vfs);
  }

  /**
   * An InfiniBand PF with {@code numVfs} VFs of which the list holds the first {@code listed}, as
   * the kernel leaves out those whose configuration the driver cannot read.
   */
  static NlWriter ib(int seq, String ifname, int numVfs, int listed) {
    NlWriter w = new NlWriter().beginMessage(RTM_NEWLINK, 0, seq).ifinfomsg(ARPHRD_INFINIBAND, 9);
    w.string(IFLA_IFNAME, ifname).u32(IFLA_NUM_VF, numVfs);
    w.begin(IFLA_VFINFO_LIST);
    for (int vf = 0; vf < listed; vf++) {
      w.begin(IFLA_VF_INFO);
      commonAttrs(w, vf);
      w.attr(IFLA_VF_IB_NODE_GUID, guid(vf, 0x0002c90300000000L + vf));
      w.attr(IFLA_VF_IB_PORT_GUID, guid(vf, 0));
      w.begin(IFLA_VF_VLAN_LIST).attr(IFLA_VF_VLAN_INFO, ints(vf, 0, 0, 0x81)).end();
      w.end();
    }
    w.end().u32(IFLA_GROUP, 0);
    return w.endMessage();
  }

  /**
   * An Ethernet PF whose VF entries are 256 bytes (with a 56-byte attribute of a later kernel), a
   * size that divides 64 KiB: a wrapped list length then ends exactly between two entries.
   */
  static NlWriter withEntriesDividing64KiB(int seq, int vfs) {
    NlWriter w = new NlWriter().beginMessage(RTM_NEWLINK, 0, seq).ifinfomsg(1, 9);
    w.string(IFLA_IFNAME, "ens1f0np0").u32(IFLA_NUM_VF, vfs);
    w.begin(IFLA_VFINFO_LIST);
    for (int vf = 0; vf < vfs; vf++) {
      w.begin(IFLA_VF_INFO);
      commonAttrs(w, vf);
      w.attr(IFLA_VF_FUTURE, new byte[56]);
      w.begin(IFLA_VF_VLAN_LIST).attr(IFLA_VF_VLAN_INFO, ints(vf, 0, 0, 0x81)).end();
      w.end();
    }
    w.end().u32(IFLA_GROUP, 0);
    return w.endMessage();
  }

  private static void commonAttrs(NlWriter w, int vf) {
    w.attr(IFLA_VF_MAC, struct(36).putInt(vf).put((byte) 2).array());
    w.attr(IFLA_VF_BROADCAST, new byte[32]);
    w.attr(IFLA_VF_VLAN, ints(vf, 0, 0));
    w.attr(IFLA_VF_RATE, ints(vf, 0, 0));
    w.attr(IFLA_VF_TX_RATE, ints(vf, 0));
    w.attr(IFLA_VF_SPOOFCHK, ints(vf, 0));
    w.attr(IFLA_VF_LINK_STATE, ints(vf, 0));
    w.attr(IFLA_VF_RSS_QUERY_EN, ints(vf, 0));
    w.attr(IFLA_VF_TRUST, ints(vf, 0));
  }

  private static byte[] guid(int vf, long guid) {
    ByteBuffer s = struct(16).putInt(vf);
    s.putLong(8, guid);
    return s.array();
  }
}
