package io.k8srdma.agent.testhost;

import java.nio.file.Path;

/** A netdev of a {@link FakeHost}: {@code <pci>/net/<name>}. */
public final class Netdev {

  private final FakeHost host;
  private final String name;
  private final Path dir;

  Netdev(FakeHost host, String name, Path dir) {
    this.host = host;
    this.name = name;
    this.dir = dir;
  }

  public String name() {
    return name;
  }

  public Path dir() {
    return dir;
  }

  /** Running with carrier at {@code speedMbps} ({@code -1} = SPEED_UNKNOWN). */
  public Netdev up(long speedMbps) {
    host.attr(dir.resolve("operstate"), "up");
    host.attr(dir.resolve("carrier"), "1");
    host.attr(dir.resolve("speed"), Long.toString(speedMbps));
    host.attr(dir.resolve("duplex"), "full");
    return this;
  }

  /** Running without carrier: speed reads -1, operstate down. */
  public Netdev noCarrier() {
    host.attr(dir.resolve("operstate"), "down");
    host.attr(dir.resolve("carrier"), "0");
    host.attr(dir.resolve("speed"), "-1");
    host.attr(dir.resolve("duplex"), "unknown");
    return this;
  }

  /** Administratively down: speed/carrier/duplex read EINVAL, modelled as absent. */
  public Netdev adminDown() {
    host.attr(dir.resolve("operstate"), "down");
    return this;
  }

  public Netdev address(String mac) {
    host.attr(dir.resolve("address"), mac);
    return this;
  }

  /** {@code phys_port_name}, e.g. {@code p0} for an mlx5 uplink, {@code pf0vf3} for a rep. */
  public Netdev physPortName(String portName) {
    host.attr(dir.resolve("phys_port_name"), portName);
    return this;
  }

  /** {@code phys_switch_id}: readable only in switchdev mode. */
  public Netdev physSwitchId(String id) {
    host.attr(dir.resolve("phys_switch_id"), id);
    return this;
  }
}
