package io.k8srdma.agent.netlink;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The netlink messages found in one received datagram (or a concatenation of several), in order.
 *
 * @param links the {@code RTM_NEWLINK} messages
 * @param errors the {@code NLMSG_ERROR} messages, including acks (error 0)
 * @param done whether an {@code NLMSG_DONE} message ended a dump
 */
public record GetLinkReply(List<Link> links, List<ErrorMessage> errors, boolean done) {

  /** Defensive copies: the record is shared across threads by callers. */
  public GetLinkReply {
    links = List.copyOf(links);
    errors = List.copyOf(errors);
  }

  /** The link answering request {@code seq}, if this reply contains it. */
  public Optional<Link> link(int seq) {
    return links.stream().filter(l -> l.seq() == seq).findFirst();
  }

  /** The error or ack answering request {@code seq}, if this reply contains it. */
  public Optional<ErrorMessage> error(int seq) {
    return errors.stream().filter(e -> e.seq() == seq).findFirst();
  }

  /**
   * One {@code RTM_NEWLINK} message.
   *
   * @param seq {@code nlmsg_seq}, echoing the request
   * @param ifindex {@code ifi_index}
   * @param arpType {@code ifi_type} ({@code ARPHRD_*}: 1 Ethernet, 32 InfiniBand, 772 loopback)
   * @param ifname {@code IFLA_IFNAME}, or {@code null} if absent
   * @param numVf {@code IFLA_NUM_VF}, or {@code null} if absent (no parent device, or VF info not
   *     requested)
   * @param vfs the {@code IFLA_VFINFO_LIST} contents keyed by VF index; empty when absent
   */
  public record Link(
      int seq,
      int ifindex,
      int arpType,
      String ifname,
      Integer numVf,
      Map<Integer, VfLinkInfo> vfs) {

    /** Defensive copy that keeps the kernel's VF order. */
    public Link {
      vfs = Collections.unmodifiableMap(new LinkedHashMap<>(vfs));
    }
  }

  /**
   * One {@code NLMSG_ERROR} message.
   *
   * @param seq {@code nlmsg_seq} of the request it answers
   * @param error 0 for an ack, otherwise a negative errno
   */
  public record ErrorMessage(int seq, int error) {

    /** Whether this is an acknowledgement rather than a failure. */
    public boolean isAck() {
      return error == 0;
    }
  }
}
