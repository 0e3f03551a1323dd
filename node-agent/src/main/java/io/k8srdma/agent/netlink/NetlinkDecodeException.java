package io.k8srdma.agent.netlink;

/**
 * Thrown when bytes received from netlink are truncated or inconsistent. The message names the byte
 * offset (relative to the start of the decoded buffer) where decoding gave up.
 */
public final class NetlinkDecodeException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final int offset;

  NetlinkDecodeException(int offset, String detail) {
    super("malformed netlink data at offset " + offset + ": " + detail);
    this.offset = offset;
  }

  /** Byte offset, relative to the start of the decoded buffer, of the offending structure. */
  public int offset() {
    return offset;
  }
}
