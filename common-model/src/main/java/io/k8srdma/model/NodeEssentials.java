package io.k8srdma.model;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeStatus;
import io.fabric8.kubernetes.api.model.ObjectMeta;

/**
 * The parts of a Node that k8s-rdma reads, for caches that hold every node of a cluster: a GPU
 * node's object carries dozens of feature labels, the kubelet's image list and several managers'
 * managedFields, ~23 KB of JSON and ~50 KB of heap decoded, of which the extender needs only the
 * node's name and addresses (to reach its agent).
 *
 * <p>Kept: the name, UID and resourceVersion, and {@code status.addresses}. A component that starts
 * to read another field of a cached node must add it here.
 */
public final class NodeEssentials {

  private NodeEssentials() {}

  /**
   * Reduces {@code node} in place to its essentials and returns it. Idempotent, as an informer may
   * hand the same object over again.
   */
  public static Node trim(Node node) {
    ObjectMeta full = node.getMetadata();
    if (full != null) {
      ObjectMeta kept = new ObjectMeta();
      kept.setName(full.getName());
      kept.setUid(full.getUid());
      kept.setResourceVersion(full.getResourceVersion());
      node.setMetadata(kept);
    }
    node.setSpec(null);
    if (node.getStatus() != null) {
      NodeStatus kept = new NodeStatus();
      kept.setAddresses(node.getStatus().getAddresses());
      node.setStatus(kept);
    }
    return node;
  }
}
