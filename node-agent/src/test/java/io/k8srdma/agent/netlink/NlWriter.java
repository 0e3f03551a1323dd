package io.k8srdma.agent.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Test-side writer for hand-built netlink messages, deliberately independent of the codec's encoder
 * so that decoder tests do not just mirror production code.
 */
final class NlWriter {

  /** Room for a VF list past 64 KiB, as hundreds of VFs make. */
  private final ByteBuffer b = ByteBuffer.allocate(256 * 1024).order(ByteOrder.nativeOrder());

  private final Deque<Integer> open = new ArrayDeque<>();

  /** Starts a message; {@link #endMessage()} patches nlmsg_len. */
  NlWriter beginMessage(int type, int flags, int seq) {
    open.push(b.position());
    b.putInt(0).putShort((short) type).putShort((short) flags).putInt(seq).putInt(4242);
    return this;
  }

  NlWriter endMessage() {
    int start = open.pop();
    b.putInt(start, b.position() - start);
    return this;
  }

  NlWriter ifinfomsg(int arpType, int ifindex) {
    b.put((byte) 0).put((byte) 0).putShort((short) arpType).putInt(ifindex).putInt(0x49);
    b.putInt(0);
    return this;
  }

  /** Raw message body bytes (for NLMSG_ERROR, which has no attributes). */
  NlWriter attrlessBody(byte[] body) {
    b.put(body);
    return this;
  }

  /** One attribute; the stored length excludes padding, the padding is written as zeros. */
  NlWriter attr(int type, byte[] payload) {
    b.putShort((short) (4 + payload.length)).putShort((short) type).put(payload);
    pad();
    return this;
  }

  NlWriter u32(int type, int value) {
    return attr(type, ints(value));
  }

  NlWriter string(int type, String value) {
    byte[] s = value.getBytes(StandardCharsets.UTF_8);
    byte[] withNul = new byte[s.length + 1];
    System.arraycopy(s, 0, withNul, 0, s.length);
    return attr(type, withNul);
  }

  /** Starts a nest; {@link #end()} patches its length. */
  NlWriter begin(int type) {
    open.push(b.position());
    b.putShort((short) 0).putShort((short) type);
    return this;
  }

  /** Patches the nest's length; past 65535 only its low 16 bits, as the kernel's nla_nest_end. */
  NlWriter end() {
    int start = open.pop();
    b.putShort(start, (short) (b.position() - start));
    return this;
  }

  /** Current write offset, to assert on offsets named by decode errors. */
  int position() {
    return b.position();
  }

  ByteBuffer build() {
    if (!open.isEmpty()) {
      throw new IllegalStateException("unclosed nest or message");
    }
    return ByteBuffer.wrap(bytes()).order(ByteOrder.nativeOrder());
  }

  byte[] bytes() {
    byte[] out = new byte[b.position()];
    b.get(0, out);
    return out;
  }

  private void pad() {
    while (b.position() % 4 != 0) {
      b.put((byte) 0);
    }
  }

  static ByteBuffer struct(int size) {
    return ByteBuffer.allocate(size).order(ByteOrder.nativeOrder());
  }

  static byte[] ints(int... values) {
    ByteBuffer s = struct(4 * values.length);
    for (int v : values) {
      s.putInt(v);
    }
    return s.array();
  }
}
