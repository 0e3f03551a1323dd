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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Agents from the cluster's Node objects, through a fabric8 informer: {@code
 * http://<InternalIP>:<agentPort>}. The agent runs on the host network, so the node's address is
 * the agent's. The informer keeps only each node's {@link NodeEssentials}.
 */
public final class NodeAgentDirectory implements AgentDirectory, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(NodeAgentDirectory.class);

  private final SharedIndexInformer<Node> informer;
  private final int agentPort;

  /**
   * Nodes that have an InternalIP but none that makes a URL, and were logged for it; the directory
   * is read every poll round, and one line per node is enough. Emptied of nodes that have an agent
   * again or are gone.
   */
  private final Set<String> unusableAddress = ConcurrentHashMap.newKeySet();

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
    Set<String> unusable = new HashSet<>();
    for (Node node : informer.getStore().list()) {
      String name = node.getMetadata().getName();
      List<String> ips = internalIps(node);
      Optional<URI> agent = agentAt(ips);
      agent.ifPresent(url -> agents.put(name, url));
      if (agent.isEmpty() && !ips.isEmpty()) {
        unusable.add(name);
        if (unusableAddress.add(name)) {
          log.warn(
              "node {}: no InternalIP makes an agent URL ({}); the node is not polled",
              name,
              ips.stream().map(ip -> "'" + ip + "'").toList());
        }
      }
    }
    unusableAddress.retainAll(unusable);
    return agents;
  }

  /**
   * The agent at the node's first InternalIP that makes a URL with a host. The API does not check
   * the form of a Node's addresses: one that makes none (a stray space, an empty one) is passed
   * over, rather than failing the directory for every node.
   */
  private Optional<URI> agentAt(List<String> internalIps) {
    return internalIps.stream().map(this::url).flatMap(Optional::stream).findFirst();
  }

  private static List<String> internalIps(Node node) {
    if (node.getStatus() == null || node.getStatus().getAddresses() == null) {
      return List.of();
    }
    return node.getStatus().getAddresses().stream()
        .filter(a -> a != null && "InternalIP".equals(a.getType()) && a.getAddress() != null)
        .map(NodeAddress::getAddress)
        .toList();
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
