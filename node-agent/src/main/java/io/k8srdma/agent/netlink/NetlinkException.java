package io.k8srdma.agent.netlink;

/** A netlink socket call or request failed; {@link #errno()} is the positive errno, or 0. */
public final class NetlinkException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int errno;

  NetlinkException(String message, int errno) {
    super(errno == 0 ? message : message + " (errno " + errno + ")");
    this.errno = errno;
  }

  /** Positive errno reported by libc or the kernel, or 0 when the failure was not an errno. */
  public int errno() {
    return errno;
  }
}
