package io.k8srdma.model.request;

import io.k8srdma.model.inventory.LinkLayer;
import java.util.Objects;

/**
 * One RDMA interface (one VF) a pod asks for.
 *
 * @param name the interface name inside the pod (e.g. {@code net1})
 * @param minTxRateMbps guaranteed rate in Mb/s, committed on the PF; 0 = no floor
 * @param maxTxRateMbps rate ceiling in Mb/s enforced on the VF; 0 = unlimited
 * @param linkLayer the link layer the PF must have, or null for any
 * @param pf pins the interface to a PF by netdev name or PCI address, or null for any
 * @param numaNode the NUMA node the PF must be on, or null for any
 */
public record InterfaceRequest(
    String name,
    long minTxRateMbps,
    long maxTxRateMbps,
    LinkLayer linkLayer,
    String pf,
    Integer numaNode) {

  /** Rates above this (10 Tb/s) are typos, not hardware; the codec rejects them. */
  public static final long MAX_RATE_MBPS = 10_000_000L;

  /** Checks the invariants the codec guarantees, so hand-built requests obey them too. */
  public InterfaceRequest {
    Objects.requireNonNull(name, "name");
    if (minTxRateMbps < 0 || maxTxRateMbps < 0) {
      throw new IllegalArgumentException("rates must be >= 0");
    }
    if (maxTxRateMbps != 0 && maxTxRateMbps < minTxRateMbps) {
      throw new IllegalArgumentException("maxTxRateMbps must be 0 (unlimited) or >= minTxRateMbps");
    }
  }

  /** An interface with no floor, no ceiling and no constraint: any free VF will do. */
  public static InterfaceRequest any(String name) {
    return new InterfaceRequest(name, 0, 0, null, null, null);
  }

  /** True when the request constrains the PF beyond bandwidth (link layer, PF or NUMA node). */
  public boolean constrained() {
    return linkLayer != null || pf != null || numaNode != null;
  }
}
