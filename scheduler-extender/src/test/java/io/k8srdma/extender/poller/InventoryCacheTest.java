package io.k8srdma.extender.poller;

import static org.assertj.core.api.Assertions.assertThat;

import io.k8srdma.extender.TestInventories;
import java.net.URI;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The inventory generation the evaluator relies on to skip looking nodes up, and the entry per node
 * it keeps what it derived on.
 */
class InventoryCacheTest {

  private static final URI AGENT = URI.create("http://10.0.0.1:8089");
  private static final Instant T0 = Instant.parse("2026-11-27T01:00:00Z");

  private final InventoryCache cache = new InventoryCache();

  @Test
  void changesWithEveryNewInventoryAndEveryNodeThatComesGoesOrMoves() {
    long start = cache.inventoryGeneration();

    cache.track("n1", AGENT);
    long tracked = cache.inventoryGeneration();
    cache.update("n1", s -> s.fetched(TestInventories.ibNode("n1", 0x1a, 4, 400_000), "1", T0));
    long fetched = cache.inventoryGeneration();
    cache.track("n1", URI.create("http://10.0.0.2:8089"));
    long moved = cache.inventoryGeneration();
    cache.retainOnly(Set.of());
    long forgotten = cache.inventoryGeneration();

    assertThat(start).isLessThan(tracked);
    assertThat(tracked).isLessThan(fetched);
    assertThat(fetched).isLessThan(moved);
    assertThat(moved).isLessThan(forgotten);
  }

  @Test
  void staysWhilePollsChangeNoInventory() {
    cache.track("n1", AGENT);
    cache.update("n1", s -> s.fetched(TestInventories.ibNode("n1", 0x1a, 4, 400_000), "1", T0));
    long before = cache.inventoryGeneration();

    cache.track("n1", AGENT);
    cache.update("n1", s -> s.notModified(T0.plusSeconds(5)));
    cache.update("n1", s -> s.failed("connection refused", T0.plusSeconds(10)));
    cache.update("n9", s -> s.notModified(T0));
    cache.retainOnly(Set.of("n1"));

    assertThat(cache.inventoryGeneration()).isEqualTo(before);
  }

  @Test
  void aNodesEntryKeepsWhatWasDerivedAcrossPollsUntilTheNodeIsForgotten() {
    cache.track("n1", AGENT);
    InventoryCache.CachedNode entry = cache.lookup("n1");
    entry.derived("prepared");

    cache.update("n1", s -> s.fetched(TestInventories.ibNode("n1", 0x1a, 4, 400_000), "1", T0));
    cache.update("n1", s -> s.failed("connection refused", T0.plusSeconds(5)));
    cache.track("n1", URI.create("http://10.0.0.2:8089"));

    assertThat(cache.lookup("n1")).isSameAs(entry);
    assertThat(entry.derived()).isEqualTo("prepared");
    assertThat(entry.state().agent()).isEqualTo(URI.create("http://10.0.0.2:8089"));
    assertThat(entry.state().lastError()).isNull();
    assertThat(cache.get("n1")).containsSame(entry.state());

    cache.retainOnly(Set.of());
    cache.track("n1", AGENT);

    assertThat(cache.lookup("n1")).isNotSameAs(entry);
    assertThat(cache.lookup("n1").derived()).isNull();
    assertThat(cache.lookup("n2")).isNull();
  }

  @Test
  void anAnswerFromTheAgentANodeNoLongerPointsToIsNotTheNodes() {
    URI moved = URI.create("http://10.0.0.2:8089");
    cache.track("n1", AGENT);
    cache.track("n1", moved);

    cache.updateFrom(
        "n1", AGENT, s -> s.fetched(TestInventories.ibNode("n1", 0x1a, 4, 400_000), "1", T0));
    cache.updateFrom("n1", AGENT, s -> s.failed("connection refused", T0));

    NodeState state = cache.get("n1").orElseThrow();
    assertThat(state.agent()).isEqualTo(moved);
    assertThat(state.inventory()).isNull();
    assertThat(state.lastError()).isNull();

    cache.updateFrom("n1", moved, s -> s.failed("connection refused", T0));
    assertThat(cache.get("n1").orElseThrow().lastError()).isEqualTo("connection refused");
  }

  @Test
  void knowsANodeFromItsFirstTrackUntilItIsForgotten() {
    assertThat(cache.knows("n1")).isFalse();
    cache.track("n1", AGENT);
    assertThat(cache.knows("n1")).isTrue();

    cache.retainOnly(Set.of());

    assertThat(cache.knows("n1")).isFalse();
  }
}
