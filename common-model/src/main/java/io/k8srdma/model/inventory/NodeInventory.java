package io.k8srdma.model.inventory;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One node's RDMA inventory as served by the agent at {@code GET /vfs}.
 *
 * @param node the Kubernetes node name
 * @param generation rises on every change of the inventory, so pollers can skip unchanged nodes
 * @param scannedAt when the host was last scanned (also when nothing changed)
 * @param pfs the RDMA-capable physical functions, ordered by PCI address
 */
public record NodeInventory(
    String node, long generation, Instant scannedAt, List<PhysicalFunction> pfs) {

  public NodeInventory {
    Objects.requireNonNull(node, "node");
    pfs = List.copyOf(pfs);
  }

  /** The same inventory with a new generation and scan time. */
  public NodeInventory withGeneration(long newGeneration, Instant newScannedAt) {
    return new NodeInventory(node, newGeneration, newScannedAt, pfs);
  }
}
