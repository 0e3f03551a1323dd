package io.k8srdma.extender.agents;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.k8srdma.extender.informer.BackgroundStart;
import io.k8srdma.extender.informer.TrimmingStore;
import io.k8srdma.model.NodeEssentials;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Agents from the cluster's Node objects, through a fabric8 informer: {@code
 * http://<InternalIP>:<agentPort>}. The agent runs on the host network, so the node's address is
 * the agent's. The informer keeps only each node's {@link NodeEssentials}.
 */
public final class NodeAgentDirectory implements AgentDirectory, AutoCloseable {

  private final SharedIndexInformer<Node> informer;
  private final int agentPort;

  /** The agents of every Node. */
  public NodeAgentDirectory(KubernetesClient client, int agentPort) {
    this(client, agentPort, "");
  }

  /**
   * The agents of the Nodes that {@code labelSelector} selects (Kubernetes syntax; blank: every
   * Node): nodes without an agent would only be polled in vain, each costing a timeout per round
   * where a firewall drops the requests.
   */
  public NodeAgentDirectory(KubernetesClient client, int agentPort, String labelSelector) {
    this.agentPort = agentPort;
    this.informer = start(client, labelSelector);
  }

  /** Starts the informer in the background; see {@link #synced()}. */
  private static SharedIndexInformer<Node> start(KubernetesClient client, String labelSelector) {
    var nodes =
        labelSelector.isBlank() ? client.nodes() : client.nodes().withLabelSelector(labelSelector);
    return BackgroundStart.start(TrimmingStore.informer(nodes, NodeEssentials::trim), "node");
  }

  @Override
  public boolean synced() {
    return informer.hasSynced();
  }

  /** Whether the node informer is watching now (new and changed nodes reach the directory). */
  public boolean watching() {
    return informer.isWatching();
  }

  @Override
  public Map<String, URI> agents() {
    Map<String, URI> agents = new HashMap<>();
    for (Node node : informer.getStore().list()) {
      agentOf(node).ifPresent(url -> agents.put(node.getMetadata().getName(), url));
    }
    return agents;
  }

  /**
   * The agent at the node's first InternalIP that makes a URL with a host. The API does not check
   * the form of a Node's addresses: one that makes none (a stray space, an empty one) is passed
   * over, rather than failing the directory for every node.
   */
  private Optional<URI> agentOf(Node node) {
    if (node.getStatus() == null || node.getStatus().getAddresses() == null) {
      return Optional.empty();
    }
    return node.getStatus().getAddresses().stream()
        .filter(a -> a != null && "InternalIP".equals(a.getType()) && a.getAddress() != null)
        .map(NodeAddress::getAddress)
        .map(this::url)
        .flatMap(Optional::stream)
        .findFirst();
  }

  private Optional<URI> url(String ip) {
    String host = ip.contains(":") ? "[" + ip + "]" : ip;
    try {
      URI url = new URI("http://" + host + ":" + agentPort);
      return url.getHost() == null ? Optional.empty() : Optional.of(url);
    } catch (URISyntaxException e) {
      return Optional.empty();
    }
  }

  @Override
  public void close() {
    informer.close();
  }
}
