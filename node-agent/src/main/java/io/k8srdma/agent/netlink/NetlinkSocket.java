package io.k8srdma.agent.netlink;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Optional;

/**
 * One {@code NETLINK_ROUTE} socket, used for a single request/reply exchange and then closed. Not
 * thread-safe; {@link RtnetlinkClient} opens one per call instead of sharing.
 */
final class NetlinkSocket implements AutoCloseable {

  /** Large enough for a PF with hundreds of VFs when stats are skipped; grown on demand. */
  static final int INITIAL_RECEIVE_BUFFER = 64 * 1024;

  private final int fd;
  private byte[] receiveBuffer = new byte[INITIAL_RECEIVE_BUFFER];

  private NetlinkSocket(int fd) {
    this.fd = fd;
  }

  /**
   * Opens and binds a route netlink socket whose receives time out after {@code receiveTimeout}.
   *
   * @throws NetlinkException with the errno if any step fails (the fd is closed again)
   */
  static NetlinkSocket open(Duration receiveTimeout) {
    int fd;
    try {
      fd = LibC.socket(LibC.AF_NETLINK, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, LibC.NETLINK_ROUTE);
    } catch (LastErrorException e) {
      throw new NetlinkException("socket(AF_NETLINK) failed", e.getErrorCode());
    }
    NetlinkSocket socket = new NetlinkSocket(fd);
    try {
      socket.setReceiveTimeout(receiveTimeout);
      // nl_pid 0 lets the kernel pick a unique port id, so concurrent sockets never collide.
      LibC.bind(fd, kernelAddress(), LibC.SOCKADDR_NL_LEN);
      return socket;
    } catch (LastErrorException e) {
      socket.close();
      throw new NetlinkException("binding the netlink socket failed", e.getErrorCode());
    }
  }

  /** Sends one complete request to the kernel. */
  void send(ByteBuffer request) {
    byte[] bytes = new byte[request.remaining()];
    request.duplicate().get(bytes);
    try {
      long sent =
          LibC.sendto(
                  fd, bytes, new NativeLong(bytes.length), 0, kernelAddress(), LibC.SOCKADDR_NL_LEN)
              .longValue();
      if (sent != bytes.length) {
        throw new NetlinkException("short netlink send: " + sent + " of " + bytes.length, 0);
      }
    } catch (LastErrorException e) {
      throw new NetlinkException("sendto(netlink) failed", e.getErrorCode());
    }
  }

  /**
   * Receives one datagram, sized exactly. A datagram not sent by the kernel (user processes can
   * unicast to our port id) is consumed and reported as empty, leaving the retry policy and its
   * deadline to the caller.
   *
   * @throws NetlinkException with {@link LibC#EAGAIN} when the receive timeout expires
   */
  Optional<ByteBuffer> receiveFromKernel() {
    int size = peekSize();
    if (size > receiveBuffer.length) {
      receiveBuffer = new byte[size];
    }
    byte[] source = new byte[LibC.SOCKADDR_NL_LEN];
    int[] sourceLen = {source.length};
    int received = recv(receiveBuffer, 0, source, sourceLen);
    if (senderPortId(source) != 0) {
      return Optional.empty();
    }
    byte[] copy = new byte[received];
    System.arraycopy(receiveBuffer, 0, copy, 0, received);
    return Optional.of(ByteBuffer.wrap(copy).order(ByteOrder.nativeOrder()));
  }

  /** MSG_PEEK|MSG_TRUNC returns the real datagram length without consuming it. */
  private int peekSize() {
    byte[] source = new byte[LibC.SOCKADDR_NL_LEN];
    int[] sourceLen = {source.length};
    return recv(new byte[1], LibC.MSG_PEEK | LibC.MSG_TRUNC, source, sourceLen);
  }

  private int recv(byte[] buffer, int flags, byte[] source, int[] sourceLen) {
    while (true) {
      try {
        long n =
            LibC.recvfrom(fd, buffer, new NativeLong(buffer.length), flags, source, sourceLen)
                .longValue();
        return (int) n;
      } catch (LastErrorException e) {
        if (e.getErrorCode() != LibC.EINTR) {
          throw new NetlinkException(
              e.getErrorCode() == LibC.EAGAIN
                  ? "timed out waiting for a netlink reply"
                  : "recvfrom(netlink) failed",
              e.getErrorCode());
        }
      }
    }
  }

  private void setReceiveTimeout(Duration timeout) {
    // struct timeval { long tv_sec; long tv_usec; }
    int longSize = Native.LONG_SIZE;
    ByteBuffer tv = ByteBuffer.allocate(2 * longSize).order(ByteOrder.nativeOrder());
    putLong(tv, timeout.toSeconds(), longSize);
    putLong(tv, timeout.toMillisPart() * 1000L, longSize);
    LibC.setsockopt(fd, LibC.SOL_SOCKET, LibC.SO_RCVTIMEO, tv.array(), tv.capacity());
  }

  private static void putLong(ByteBuffer b, long value, int size) {
    if (size == 8) {
      b.putLong(value);
    } else {
      b.putInt((int) value);
    }
  }

  /** sockaddr_nl {AF_NETLINK, pad, nl_pid 0, nl_groups 0}: the kernel, or "assign me" for bind. */
  private static byte[] kernelAddress() {
    ByteBuffer b = ByteBuffer.allocate(LibC.SOCKADDR_NL_LEN).order(ByteOrder.nativeOrder());
    b.putShort((short) LibC.AF_NETLINK);
    return b.array();
  }

  private static int senderPortId(byte[] sockaddrNl) {
    return ByteBuffer.wrap(sockaddrNl).order(ByteOrder.nativeOrder()).getInt(4);
  }

  @Override
  public void close() {
    try {
      LibC.close(fd);
    } catch (LastErrorException e) {
      // Nothing useful to do: the fd is released by the kernel even when close reports an error.
    }
  }
}
