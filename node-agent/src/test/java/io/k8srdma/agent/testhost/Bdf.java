package io.k8srdma.agent.testhost;

/** PCI address arithmetic on the routing id (bus << 8 | device << 3 | function). */
public final class Bdf {

  private Bdf() {}

  /** {@code bdf} advanced by {@code delta} routing ids, as VF BDF = PF RID + offset + N x 1. */
  public static String plus(String bdf, int delta) {
    String[] parts = bdf.split("[:.]");
    int domain = Integer.parseInt(parts[0], 16);
    int rid =
        (Integer.parseInt(parts[1], 16) << 8)
            | (Integer.parseInt(parts[2], 16) << 3)
            | Integer.parseInt(parts[3], 16);
    int next = rid + delta;
    return String.format(
        "%04x:%02x:%02x.%x", domain, (next >> 8) & 0xff, (next >> 3) & 0x1f, next & 0x7);
  }
}
