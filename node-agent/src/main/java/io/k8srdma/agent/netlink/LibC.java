package io.k8srdma.agent.netlink;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Platform;

/**
 * JNA direct mapping of the libc socket calls needed for netlink. {@code size_t}/{@code ssize_t}
 * are {@link NativeLong} because they have the width of {@code long} on every Linux ABI.
 *
 * <p>Class initialisation throws {@link UnsatisfiedLinkError} when JNA or libc cannot be loaded;
 * callers touch {@link #load()} inside a {@code catch (LinkageError)} first.
 */
final class LibC {

  static {
    Native.register(LibC.class, Platform.C_LIBRARY_NAME);
  }

  static final int AF_NETLINK = 16;
  static final int NETLINK_ROUTE = 0;
  static final int SOCK_RAW = 3;
  static final int SOCK_CLOEXEC = 0x80000;
  static final int SOL_SOCKET = 1;

  /** asm-generic value (x86_64, aarch64, riscv64); differs on ppc64, mips and sparc. */
  static final int SO_RCVTIMEO = 20;

  static final int MSG_PEEK = 0x2;
  static final int MSG_TRUNC = 0x20;
  static final int SOCKADDR_NL_LEN = 12;

  static final int EINTR = 4;
  static final int EAGAIN = 11;
  static final int ENODEV = 19;
  static final int EPROTONOSUPPORT = 93;
  static final int EAFNOSUPPORT = 97;

  private LibC() {}

  /** Forces class initialisation, i.e. loading libc. */
  static void load() {}

  static native int socket(int domain, int type, int protocol) throws LastErrorException;

  static native int bind(int fd, byte[] addr, int addrlen) throws LastErrorException;

  static native int setsockopt(int fd, int level, int optname, byte[] optval, int optlen)
      throws LastErrorException;

  static native NativeLong sendto(
      int fd, byte[] buf, NativeLong len, int flags, byte[] destAddr, int addrlen)
      throws LastErrorException;

  static native NativeLong recvfrom(
      int fd, byte[] buf, NativeLong len, int flags, byte[] srcAddr, int[] addrlen)
      throws LastErrorException;

  static native int close(int fd) throws LastErrorException;
}
