package io.k8srdma.agent.testhost;

import java.nio.file.Path;

/** An RDMA device of a {@link FakeHost}: {@code <pci>/infiniband/<name>}. */
public final class IbDevice {

  private final FakeHost host;
  private final String name;
  private final Path dir;

  IbDevice(FakeHost host, String name, Path dir) {
    this.host = host;
    this.name = name;
    this.dir = dir;
  }

  public String name() {
    return name;
  }

  /** Port {@code n}: state {@code "4: ACTIVE"}, phys_state, rate and link layer as sysfs prints. */
  public IbDevice port(int n, String state, String physState, String rate, String linkLayer) {
    Path port = dir.resolve("ports").resolve(Integer.toString(n));
    host.attr(port.resolve("state"), state);
    host.attr(port.resolve("phys_state"), physState);
    host.attr(port.resolve("rate"), rate);
    host.attr(port.resolve("link_layer"), linkLayer);
    boolean ib = linkLayer.equals("InfiniBand");
    boolean active = state.endsWith("ACTIVE");
    host.attr(port.resolve("lid"), ib ? (active ? "0x32" : "0xffff") : "0x0");
    host.attr(port.resolve("sm_lid"), ib ? "0x1" : "0x0");
    host.attr(port.resolve("cap_mask"), ib ? "0xa751e848" : "0x00010000");
    host.attr(port.resolve("pkeys/0"), "0xffff");
    host.attr(port.resolve("gids/0"), "fe80:0000:0000:0000:a088:c203:0074:cfda");
    return this;
  }

  /** An active InfiniBand port 1 at {@code rate}, e.g. {@code 400 Gb/sec (4X NDR)}. */
  public IbDevice activeIb(String rate) {
    return port(1, "4: ACTIVE", "5: LinkUp", rate, "InfiniBand");
  }

  /** An active RoCE port 1 at {@code rate}, e.g. {@code 100 Gb/sec (4X EDR)}. */
  public IbDevice activeRoce(String rate) {
    return port(1, "4: ACTIVE", "5: LinkUp", rate, "Ethernet");
  }

  /** A RoCE port without link: mlx5 leaves the 4X QDR default in {@code rate}. */
  public IbDevice downRoce() {
    return port(1, "1: DOWN", "3: Disabled", "40 Gb/sec (4X QDR)", "Ethernet");
  }

  /** An IB port without link: reports {@code 10 Gb/sec (4X SDR)}. */
  public IbDevice downIb() {
    return port(1, "1: DOWN", "2: Polling", "10 Gb/sec (4X SDR)", "InfiniBand");
  }
}
