package io.k8srdma.extender;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.k8srdma.model.assignment.AssignedInterface;
import io.k8srdma.model.inventory.LinkLayer;
import io.k8srdma.model.inventory.NodeInventory;
import io.k8srdma.model.inventory.PhysicalFunction;
import io.k8srdma.model.inventory.VfState;
import io.k8srdma.model.inventory.VirtualFunction;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * A small RDMA cluster for the flow stress tests: three nodes of different shapes served by
 * WireMock agents, and the mock API server with the binding subresource ({@link BindingApiServer}).
 *
 * <ul>
 *   <li>node-1: two InfiniBand PFs of 100 Gb/s with 4 free VFs each, on NUMA nodes 0 and 1;
 *   <li>node-2: an InfiniBand PF of 200 Gb/s with 5 free VFs and one in use by something the ledger
 *       does not know (a 50 Gb/s floor the agent reports), and an Ethernet PF of 100 Gb/s on NUMA
 *       node 1 with 3 free VFs and an unavailable one;
 *   <li>node-3: one InfiniBand PF of 400 Gb/s with 3 free VFs.
 * </ul>
 */
final class StressCluster implements AutoCloseable {

  /** The placement oversubscription the extender is started with. */
  static final double OVERSUBSCRIPTION = 1.2;

  final BindingApiServer.Started api = BindingApiServer.start();
  final KubernetesMockServer server = api.server();
  final KubernetesClient client = server.createClient();

  /** Node name to the inventory of its agent before any pod, by name. */
  final Map<String, NodeInventory> inventories = new LinkedHashMap<>();

  /** Node name to the inventory its agent serves now. */
  private final Map<String, NodeInventory> served = new ConcurrentHashMap<>();

  private final Map<String, StubMapping> stubs = new ConcurrentHashMap<>();
  private final Map<String, WireMockServer> agents = new LinkedHashMap<>();
  private final AtomicLong generation = new AtomicLong(1_000);

  StressCluster() {
    Instant at = Instant.parse("2026-11-24T10:00:00Z");
    inventories.put(
        "node-1",
        new NodeInventory(
            "node-1",
            11,
            at,
            List.of(
                pf("ibp17s0", 0x11, LinkLayer.INFINIBAND, 0, 100_000, free(4)),
                pf("ibp18s0", 0x12, LinkLayer.INFINIBAND, 1, 100_000, free(4)))));
    List<VfState> ib2 = new ArrayList<>(free(5));
    ib2.add(VfState.IN_USE);
    List<VfState> eth2 = new ArrayList<>(free(3));
    eth2.add(1, VfState.UNAVAILABLE);
    inventories.put(
        "node-2",
        new NodeInventory(
            "node-2",
            12,
            at,
            List.of(
                pf("ibp33s0", 0x21, LinkLayer.INFINIBAND, 0, 200_000, ib2),
                pf("enp34s0f0", 0x22, LinkLayer.ETHERNET, 1, 100_000, eth2))));
    inventories.put(
        "node-3",
        new NodeInventory(
            "node-3",
            13,
            at,
            List.of(pf("ibp49s0", 0x31, LinkLayer.INFINIBAND, 0, 400_000, free(3)))));
    inventories.forEach((node, inventory) -> agents.put(node, TestAgents.start()));
    inventories.forEach(this::serve);
  }

  /**
   * Makes each agent report the VFs of {@code assigned} (VF PCI address to its interface, on any
   * node) as in use with the interface's rates, as the agent sees them once the pods run, and the
   * rest as before any pod; a new generation where that changes the inventory.
   */
  synchronized void agentsSee(Map<String, AssignedInterface> assigned) {
    inventories.forEach(
        (node, base) -> {
          List<PhysicalFunction> pfs = new ArrayList<>();
          for (PhysicalFunction pf : base.pfs()) {
            List<VirtualFunction> vfs = new ArrayList<>();
            for (VirtualFunction vf : pf.vfs()) {
              AssignedInterface i = assigned.get(vf.pciAddress());
              vfs.add(vf.state() != VfState.FREE || i == null ? vf : inUse(vf, i));
            }
            pfs.add(pf.withVfs(vfs));
          }
          NodeInventory now = served.get(node);
          if (!now.pfs().equals(pfs)) {
            serve(
                node, new NodeInventory(node, generation.incrementAndGet(), base.scannedAt(), pfs));
          }
        });
  }

  /** The inventory each agent serves now. */
  NodeInventory served(String node) {
    return served.get(node);
  }

  private void serve(String node, NodeInventory inventory) {
    WireMockServer agent = agents.get(node);
    StubMapping previous = stubs.get(node);
    // The newest stub answers; the previous one goes only after it is in place.
    stubs.put(node, TestAgents.serve(agent, inventory));
    served.put(node, inventory);
    if (previous != null) {
      agent.removeStub(previous);
    }
  }

  private static VirtualFunction inUse(VirtualFunction vf, AssignedInterface i) {
    return new VirtualFunction(
        vf.index(),
        vf.pciAddress(),
        null,
        vf.rdmaDevice(),
        vf.uverbsDevice(),
        vf.driver(),
        vf.mac(),
        vf.nodeGuid(),
        (int) i.minTxRateMbps(),
        (int) i.maxTxRateMbps(),
        VfState.IN_USE,
        "netdev moved to another network namespace");
  }

  /** The floor of the VF that is in use outside the ledger (node-2's InfiniBand PF). */
  static final int IN_USE_FLOOR_MBPS = 50_000;

  /** The extender's settings for this cluster; the in-flight timeout is the smallest allowed. */
  void register(DynamicPropertyRegistry r) {
    r.add("k8s-rdma.extender.kubernetes.master-url", () -> server.url("/"));
    agents.forEach(
        (node, agent) -> r.add("k8s-rdma.extender.static-agents." + node, agent::baseUrl));
    r.add("k8s-rdma.extender.poll.interval", () -> "200ms");
    r.add("k8s-rdma.extender.poll.timeout", () -> "1s");
    r.add("k8s-rdma.extender.in-flight-timeout", () -> "1s");
    r.add("k8s-rdma.extender.placement.oversubscription", () -> String.valueOf(OVERSUBSCRIPTION));
  }

  List<String> nodes() {
    return List.copyOf(inventories.keySet());
  }

  /** Every PF of the cluster. */
  List<PhysicalFunction> pfs() {
    return inventories.values().stream().flatMap(i -> i.pfs().stream()).toList();
  }

  @Override
  public void close() {
    agents.values().forEach(WireMockServer::stop);
    client.close();
    server.destroy();
  }

  private static List<VfState> free(int n) {
    List<VfState> states = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      states.add(VfState.FREE);
    }
    return states;
  }

  private static PhysicalFunction pf(
      String name, int bus, LinkLayer linkLayer, int numa, long capacityMbps, List<VfState> vfs) {
    List<VirtualFunction> list = new ArrayList<>();
    for (int i = 0; i < vfs.size(); i++) {
      VfState state = vfs.get(i);
      boolean inUse = state == VfState.IN_USE;
      list.add(
          new VirtualFunction(
              i,
              String.format("0000:%02x:00.%d", bus, i + 1),
              inUse ? null : name + "v" + i,
              "mlx5_" + (bus + i),
              "uverbs" + (bus + i),
              state == VfState.UNAVAILABLE ? "vfio-pci" : "mlx5_core",
              null,
              null,
              inUse ? IN_USE_FLOOR_MBPS : 0,
              0,
              state,
              switch (state) {
                case FREE -> null;
                case IN_USE -> "netdev moved to another network namespace";
                case UNAVAILABLE -> "bound to vfio-pci (userspace/DPDK)";
              }));
    }
    return new PhysicalFunction(
        name,
        String.format("0000:%02x:00.0", bus),
        "mlx5_" + bus,
        "uverbs" + bus,
        "15b3",
        "1021",
        "mlx5_core",
        linkLayer,
        "ACTIVE",
        numa,
        capacityMbps,
        16,
        vfs.size(),
        linkLayer == LinkLayer.ETHERNET ? "min+max" : "none",
        "legacy",
        list);
  }
}
