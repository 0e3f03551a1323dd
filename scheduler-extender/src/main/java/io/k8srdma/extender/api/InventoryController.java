package io.k8srdma.extender.api;

import io.k8srdma.extender.config.ExtenderProperties;
import io.k8srdma.extender.ledger.Ledger;
import io.k8srdma.extender.poller.InventoryCache;
import io.k8srdma.extender.poller.NodeState;
import io.k8srdma.model.inventory.NodeInventory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** An operator's view of what the extender believes. */
@RestController
public class InventoryController {

  private final InventoryCache cache;
  private final Ledger ledger;
  private final Clock clock;
  private final Duration staleness;

  public InventoryController(
      InventoryCache cache, Ledger ledger, Clock clock, ExtenderProperties props) {
    this.cache = cache;
    this.ledger = ledger;
    this.clock = clock;
    this.staleness = props.staleness();
  }

  /**
   * Every node the extender polls: its agent, the cached inventory, its age in seconds, whether
   * placement may use it (and why not), the last poll error and how many pods the ledger holds
   * there. On a large cluster that is tens of megabytes, hence the filters.
   *
   * @param nodes only these nodes ({@code ?node=a&node=b} or {@code ?node=a,b}); all when absent
   * @param usable only the nodes placement may ({@code true}) or may not ({@code false}) use
   */
  @GetMapping(path = "/inventory", produces = "application/json")
  public List<NodeView> inventory(
      @RequestParam(name = "node", required = false) List<String> node,
      @RequestParam(name = "usable", required = false) Boolean usable) {
    Set<String> nodes = node == null ? null : names(node);
    Instant now = clock.instant();
    return cache.all().stream()
        .filter(s -> nodes == null || nodes.contains(s.node()))
        .sorted(Comparator.comparing(NodeState::node))
        .map(s -> view(s, now))
        .filter(v -> usable == null || v.usable() == usable)
        .toList();
  }

  /** The names in repeated and comma-separated {@code node} parameters (Spring splits only one). */
  private static Set<String> names(List<String> values) {
    Set<String> names = new HashSet<>();
    for (String value : values) {
      for (String name : value.split(",")) {
        names.add(name.trim());
      }
    }
    return names;
  }

  private NodeView view(NodeState s, Instant now) {
    Duration age = s.age(now);
    String unusable = s.unusableReason(now, staleness);
    return new NodeView(
        s.node(),
        s.agent().toString(),
        age == null ? null : age.toMillis() / 1000.0,
        unusable == null,
        unusable,
        s.lastError(),
        s.lastAttempt(),
        ledger.sizeOn(s.node()),
        s.inventory());
  }

  /**
   * One node as the extender sees it.
   *
   * @param node the node name
   * @param agent the agent's base URL
   * @param ageSeconds seconds since the agent last confirmed the inventory, null if never
   * @param usable whether placement uses this node
   * @param unusableReason why not, null when usable
   * @param lastError the last poll error, null when the last poll succeeded
   * @param lastPoll when the agent was last polled
   * @param ledgerPods pods the ledger holds on this node (bound and in flight)
   * @param inventory the cached inventory, null if none
   */
  public record NodeView(
      String node,
      String agent,
      Double ageSeconds,
      boolean usable,
      String unusableReason,
      String lastError,
      Instant lastPoll,
      int ledgerPods,
      NodeInventory inventory) {}
}
