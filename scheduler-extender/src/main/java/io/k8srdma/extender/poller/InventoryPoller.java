package io.k8srdma.extender.poller;

import io.k8srdma.extender.agents.AgentDirectory;
import io.k8srdma.extender.config.ExtenderProperties;
import io.k8srdma.model.inventory.InventoryCheck;
import io.k8srdma.model.inventory.NodeInventory;
import io.k8srdma.model.json.Json;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Polls every agent's {@code GET /vfs} in the background, so that filter, prioritize and bind never
 * wait on the network.
 *
 * <p>At most {@code poll.concurrency} requests are in flight at once, each with {@code
 * If-None-Match} (an unchanged node answers 304 with no body) and a timeout. Rounds start an
 * interval apart, shifted by a random jitter, and wait only for the agents that answered last time
 * ({@link #pollRound}). A failed poll keeps the node's last inventory; the node turns stale once
 * that is older than {@code staleness}.
 *
 * <p>A round is a burst on purpose: starting its requests evenly over half the interval instead, as
 * Prometheus spreads its scrapes, cost the extender 8-21% more CPU per scheduling cycle on one core
 * (docs/benchmarks.md), as every small group of requests wakes the HTTP client's threads.
 *
 * <p>The requests go through {@link AgentClient}, Vert.x's HTTP client on an event loop of the
 * poller's own: a 304 on Vert.x costs about a third of the CPU it took with the JDK's {@code
 * java.net.http} client (docs/benchmarks.md).
 */
public class InventoryPoller implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(InventoryPoller.class);

  private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

  private static final Comparator<NodeState> OLDEST_ATTEMPT_FIRST =
      Comparator.comparing(
          NodeState::lastAttempt, Comparator.nullsFirst(Comparator.<Instant>naturalOrder()));

  /**
   * The largest inventory an agent may send. A node with 8 PFs of 128 VFs each answers ~0.5 MB; far
   * more means something other than an agent is answering.
   */
  static final int MAX_INVENTORY_BYTES = 8 << 20;

  private final AgentDirectory directory;
  private final InventoryCache cache;
  private final AgentClient client;
  private final ExtenderProperties.Poll config;
  private final Clock clock;
  private final PollMetrics metrics;
  private final AtomicBoolean firstRoundDone = new AtomicBoolean();

  /**
   * Parses the inventories (a large one takes milliseconds) off the HTTP client's one event loop,
   * where each parse would hold up the bytes of every other answer in flight while their deadlines
   * run. 304s and errors, most of a round and cheap, stay on the loop. One thread, started when
   * needed and ended when idle.
   */
  private final Executor answers =
      new ThreadPoolExecutor(
          0,
          1,
          10,
          TimeUnit.SECONDS,
          new LinkedBlockingQueue<>(),
          Thread.ofPlatform().name("agent-answers").daemon().factory());

  /** Requests in flight, across rounds: an agent that failed may still be answering after one. */
  private final Semaphore permits;

  /** The most failing agents polled at once: the other half is kept for agents that answer. */
  private final int failingLimit;

  private final AtomicInteger failingInFlight = new AtomicInteger();

  /** Nodes whose poll has not ended; a round skips them. */
  private final Set<String> polling = ConcurrentHashMap.newKeySet();

  /** Makes the thread that runs the rounds, one per start; tests pass their own to look into it. */
  private final Supplier<ScheduledExecutorService> roundThreads;

  /**
   * The thread of the current start, null while stopped; guarded by this. Only rounds that run on
   * it schedule a next round ({@link #scheduleNext}).
   */
  private ScheduledExecutorService executor;

  public InventoryPoller(
      AgentDirectory directory,
      InventoryCache cache,
      AgentClient client,
      ExtenderProperties.Poll config,
      Clock clock,
      PollMetrics metrics) {
    this(directory, cache, client, config, clock, metrics, InventoryPoller::newRoundThread);
  }

  InventoryPoller(
      AgentDirectory directory,
      InventoryCache cache,
      AgentClient client,
      ExtenderProperties.Poll config,
      Clock clock,
      PollMetrics metrics,
      Supplier<ScheduledExecutorService> roundThreads) {
    this.roundThreads = roundThreads;
    this.directory = directory;
    this.cache = cache;
    this.client = client;
    this.config = config;
    this.clock = clock;
    this.metrics = metrics;
    metrics.watchAnswerMemory(client);
    this.permits = new Semaphore(config.concurrency());
    this.failingLimit = Math.max(1, config.concurrency() / 2);
  }

  /** Whether a whole poll round over every node has completed (readiness). */
  public boolean firstRoundDone() {
    return firstRoundDone.get();
  }

  /**
   * Polls the known agents once: every agent whose last poll succeeded (or that was never polled)
   * first, and returns when those answered, failed or timed out. Agents whose last poll failed come
   * last, oldest attempt first, on at most half of the concurrency, and are not waited for: a round
   * that waited for hundreds of agents that never answer (a firewall dropping port 8089) would
   * confirm the healthy nodes too seldom and turn them stale. A failing agent still waiting for its
   * answer, or beyond that half, is polled in a later round.
   */
  public void pollRound() {
    long t0 = System.nanoTime();
    // Read before the agents: a round over a directory still filling up is not a first round.
    boolean complete = directory.synced();
    Map<String, URI> agents = directory.agents();
    cache.retainOnly(agents.keySet());
    List<NodeState> answering = new ArrayList<>(agents.size());
    List<NodeState> failing = new ArrayList<>();
    for (Map.Entry<String, URI> agent : agents.entrySet()) {
      if (!polling.contains(agent.getKey())) {
        NodeState state = cache.track(agent.getKey(), agent.getValue());
        (state.lastError() == null ? answering : failing).add(state);
      }
    }
    failing.sort(OLDEST_ATTEMPT_FIRST);
    List<CompletableFuture<Void>> awaited = new ArrayList<>(answering.size());
    try {
      for (NodeState state : answering) {
        permits.acquire();
        awaited.add(pollHoldingPermit(state, false));
      }
      for (NodeState state : failing) {
        if (failingInFlight.get() >= failingLimit) {
          break;
        }
        // Waits for a permit, not for the answer: with tryAcquire, the round's last polls of
        // answering agents held every permit when this loop came, and failing agents were never
        // polled again (a node that timed out once under load went stale for good).
        permits.acquire();
        pollHoldingPermit(state, true);
      }
      CompletableFuture.allOf(awaited.toArray(CompletableFuture[]::new)).join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    Duration took = Duration.ofNanos(System.nanoTime() - t0);
    metrics.recordRound(took, cache.all(), clock.instant());
    if (complete && firstRoundDone.compareAndSet(false, true)) {
      log.info("first poll round done: {} agents in {} ms", agents.size(), took.toMillis());
    }
  }

  /**
   * Polls with a permit taken, giving it back (and the node, and its place among the failing agents
   * in flight) when the poll ends, also when the request cannot even be sent or this throws: the
   * permits outlive the round, so a lost one is lost for good, and a node left marked as being
   * polled is never polled again.
   */
  private CompletableFuture<Void> pollHoldingPermit(NodeState state, boolean failing) {
    polling.add(state.node());
    if (failing) {
      failingInFlight.incrementAndGet();
    }
    CompletableFuture<Void> polled = DONE;
    try {
      polled = poll(state);
    } catch (RuntimeException e) {
      // The client throws, instead of failing the future, for a URL it cannot parse.
      fail(state, describe(e), clock.instant());
    } finally {
      // Here, not after the try: an Error (a class that failed to load) fails the round, and must
      // not take the permit with it.
      polled = polled.whenComplete((ok, err) -> pollEnded(state, failing));
    }
    return polled;
  }

  private void pollEnded(NodeState state, boolean failing) {
    if (failing) {
      failingInFlight.decrementAndGet();
    }
    polling.remove(state.node());
    permits.release();
  }

  /** How many agents are being polled now, for tests. */
  int pollsInFlight() {
    return polling.size();
  }

  private CompletableFuture<Void> poll(NodeState state) {
    return client
        .fetch(vfsUrl(state.agent()), state.etag())
        .handle(
            (answer, error) -> {
              if (error != null) {
                fail(state, describe(error), clock.instant());
                return DONE;
              }
              if (answer.status() == 200) {
                return CompletableFuture.runAsync(() -> acceptAndFree(state, answer), answers);
              }
              acceptAndFree(state, answer);
              return DONE;
            })
        .thenCompose(read -> read)
        .exceptionally(error -> unexpected(state, error));
  }

  /**
   * A poll that failed where no failure was foreseen (a defect): logged for the node, which keeps
   * its state and turns stale if it lasts, while the round goes on; thrown, it would fail the whole
   * round, which then records nothing and cannot be the first round done.
   */
  private Void unexpected(NodeState state, Throwable error) {
    log.error(
        "polling node {} agent {} failed unexpectedly: {}",
        state.node(),
        state.agent(),
        describe(error));
    return null;
  }

  /** Records {@code answer}, then gives its bytes back to {@code poll.answer-memory}. */
  private void acceptAndFree(NodeState state, AgentAnswer answer) {
    try {
      accept(state, answer, clock.instant());
    } finally {
      client.done(answer);
    }
  }

  private void accept(NodeState state, AgentAnswer answer, Instant now) {
    int status = answer.status();
    if (status == 304 && state.inventory() != null) {
      cache.updateFrom(state.node(), state.agent(), s -> s.notModified(now));
      return;
    }
    if (status != 200) {
      fail(state, "HTTP " + status + " from " + vfsUrl(state.agent()), now);
      return;
    }
    NodeInventory inventory;
    try {
      inventory = Json.mapper().readValue(answer.body(), NodeInventory.class);
    } catch (IOException | RuntimeException e) {
      fail(state, "unreadable inventory: " + firstLine(e.getMessage()), now);
      return;
    }
    if (inventory == null) {
      // A body of JSON null reads as null; dereferencing it would fail the whole round.
      fail(state, "unreadable inventory: the body is JSON null", now);
      return;
    }
    if (!state.node().equals(inventory.node())) {
      fail(
          state,
          "agent reports node '" + inventory.node() + "', expected '" + state.node() + "'",
          now);
      return;
    }
    Optional<String> problem = InventoryCheck.firstProblem(inventory);
    if (problem.isPresent()) {
      fail(state, "invalid inventory: " + problem.get(), now);
      return;
    }
    cache.updateFrom(state.node(), state.agent(), s -> s.fetched(inventory, answer.etag(), now));
  }

  private void fail(NodeState state, String reason, Instant now) {
    if (!reason.equals(state.lastError())) {
      log.warn("polling node {} agent {} failed: {}", state.node(), state.agent(), reason);
    }
    cache.updateFrom(state.node(), state.agent(), s -> s.failed(reason, now));
  }

  private static String vfsUrl(URI agent) {
    String base = agent.toString();
    return base.endsWith("/") ? base + "vfs" : base + "/vfs";
  }

  private static String describe(Throwable error) {
    // Unwraps the futures' wrapper only: the client's error is the one that names the failure.
    Throwable cause = error;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (isTimeout(cause)) {
      return "timed out";
    }
    if (cause instanceof AgentAnswer.TooLarge || cause instanceof AgentAnswer.NoMemoryLeft) {
      return cause.getMessage();
    }
    if (cause instanceof java.net.ConnectException) {
      // Say what it means for the operator rather than the client's wording.
      return "connection refused or host unreachable (ConnectException)";
    }
    String message = cause.getMessage();
    return cause.getClass().getSimpleName() + (message == null ? "" : ": " + firstLine(message));
  }

  /**
   * The exchange's deadline is a {@link TimeoutException}; Netty reports a connect timeout as its
   * own {@code ConnectTimeoutException}, and Vert.x its timeouts as a {@code
   * NoStackTraceTimeoutException}, neither of them a subclass.
   */
  private static boolean isTimeout(Throwable cause) {
    return cause instanceof TimeoutException
        || cause instanceof java.net.SocketTimeoutException
        || cause.getClass().getSimpleName().endsWith("TimeoutException");
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }

  // --- lifecycle: one thread runs the rounds, each starting an interval +/- jitter after the last

  @Override
  public synchronized void start() {
    if (executor != null) {
      // Already running: a second thread would run a second chain of rounds beside the first.
      return;
    }
    ScheduledExecutorService own = roundThreads.get();
    executor = own;
    own.execute(() -> roundAndReschedule(own));
  }

  private static ScheduledExecutorService newRoundThread() {
    return Executors.newSingleThreadScheduledExecutor(
        Thread.ofPlatform().name("agent-poller").daemon().factory());
  }

  /** Runs a round on {@code own}, the thread of one start, and schedules the next there. */
  private void roundAndReschedule(ScheduledExecutorService own) {
    long started = System.nanoTime();
    try {
      pollRound();
    } catch (RuntimeException e) {
      log.error("poll round failed: {}", e.toString());
    } finally {
      // Even after an Error: a poller that stopped would leave every node to turn stale.
      scheduleNext(own, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }
  }

  /**
   * Schedules the next round on {@code own} if it still runs the rounds. A round can outlive the
   * stop that ended its thread, as waiting for its answers ignores the interrupt; rescheduled on
   * whatever thread runs the rounds by then, it would add a second chain to the one a start began
   * meanwhile, and every interval would have two rounds from then on. Under the lock that start and
   * stop take, so the thread cannot be shut down between the check and the scheduling.
   */
  private synchronized void scheduleNext(ScheduledExecutorService own, long tookMillis) {
    if (executor != own) {
      log.debug(
          "poll round of a stopped poller ended after {} ms; no round follows it", tookMillis);
      return;
    }
    own.schedule(() -> roundAndReschedule(own), nextDelayMillis(tookMillis), TimeUnit.MILLISECONDS);
  }

  /**
   * Milliseconds from the end of a round that took {@code tookMillis} to the start of the next, so
   * that rounds start an interval (shifted by the jitter) apart; at least 1.
   */
  long nextDelayMillis(long tookMillis) {
    double shift = (ThreadLocalRandom.current().nextDouble() * 2 - 1) * config.jitter();
    long period = Math.round(config.interval().toMillis() * (1 + shift));
    return Math.max(1, period - tookMillis);
  }

  @Override
  public synchronized void stop() {
    if (executor != null) {
      executor.shutdownNow();
      executor = null;
    }
  }

  @Override
  public synchronized boolean isRunning() {
    return executor != null;
  }
}
