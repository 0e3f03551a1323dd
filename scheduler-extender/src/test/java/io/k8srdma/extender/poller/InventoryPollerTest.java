package io.k8srdma.extender.poller;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.Parameters;
import com.github.tomakehurst.wiremock.extension.ServeEventListener;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import io.k8srdma.extender.Await;
import io.k8srdma.extender.MutableClock;
import io.k8srdma.extender.agents.AgentDirectory;
import io.k8srdma.extender.config.ExtenderProperties;
import io.k8srdma.extender.config.SingleLoopVertx;
import io.k8srdma.model.inventory.InventoryCheck;
import io.k8srdma.model.inventory.LinkLayer;
import io.k8srdma.model.inventory.NodeInventory;
import io.k8srdma.model.inventory.PhysicalFunction;
import io.k8srdma.model.inventory.VfState;
import io.k8srdma.model.inventory.VirtualFunction;
import io.k8srdma.model.json.Json;
import io.k8srdma.model.testing.Fuzz;
import io.k8srdma.model.testing.JsonMutator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The poller against real HTTP agents (WireMock on 127.0.0.1), one behaviour per test. */
class InventoryPollerTest {

  private static final Duration STALENESS = Duration.ofSeconds(30);
  // Generous: the first request in a cold JVM can take a while; only one test is about timeouts.
  private static final Duration TIMEOUT = Duration.ofSeconds(5);
  private static final String ETAG = "W/\"5\"";

  private final List<WireMockServer> servers = new ArrayList<>();
  private final List<AgentClient> clients = new ArrayList<>();
  // As the application builds it: one event loop of the poller's own.
  private final Vertx vertx = SingleLoopVertx.create();
  private final Map<String, URI> agents = new ConcurrentHashMap<>();
  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private InventoryCache cache = new InventoryCache();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private volatile boolean directorySynced = true;

  @AfterEach
  void stopAgents() {
    clients.forEach(AgentClient::close);
    vertx.close();
    servers.forEach(WireMockServer::stop);
  }

  @Test
  void aRoundOverADirectoryStillListingTheNodesIsNotTheFirstRound() {
    WireMockServer agent = agent("n1");
    agent.stubFor(get("/vfs").willReturn(inventoryResponse("n1")));
    directorySynced = false;
    InventoryPoller poller = poller(64, TIMEOUT);

    poller.pollRound();

    assertThat(state("n1").inventory()).as("what it knew was polled").isEqualTo(inventory("n1"));
    assertThat(poller.firstRoundDone()).isFalse();
    directorySynced = true;
    poller.pollRound();
    assertThat(poller.firstRoundDone()).isTrue();
  }

  @Test
  void healthyAgentIsFetchedThenConfirmedWithNotModified() {
    WireMockServer agent = agent("n1");
    agent.stubFor(get("/vfs").willReturn(inventoryResponse("n1")));
    InventoryPoller poller = poller(64, TIMEOUT);

    poller.pollRound();

    NodeState first = state("n1");
    assertThat(first.inventory()).isEqualTo(inventory("n1"));
    assertThat(first.etag()).isEqualTo(ETAG);
    assertThat(first.confirmedAt()).isEqualTo(clock.instant());
    assertThat(first.lastError()).isNull();
    assertThat(first.unusableReason(clock.instant(), STALENESS)).isNull();
    assertThat(poller.firstRoundDone()).isTrue();
    agent.verify(
        getRequestedFor(urlEqualTo("/vfs"))
            .withHeader("Accept", equalTo("application/json"))
            .withoutHeader("If-None-Match"));

    // The agent now answers 304 only to the conditional GET the poller should send.
    agent.stubFor(
        get("/vfs")
            .withHeader("If-None-Match", equalTo(ETAG))
            .willReturn(aResponse().withStatus(304).withHeader("ETag", ETAG)));
    clock.advance(Duration.ofSeconds(10));
    poller.pollRound();

    agent.verify(getRequestedFor(urlEqualTo("/vfs")).withHeader("If-None-Match", equalTo(ETAG)));
    NodeState second = state("n1");
    assertThat(second.inventory()).isEqualTo(first.inventory());
    assertThat(second.etag()).isEqualTo(ETAG);
    assertThat(second.confirmedAt()).isEqualTo(first.confirmedAt().plusSeconds(10));
    assertThat(second.lastError()).isNull();
  }

  @Test
  void agentThatIsDownLeavesNoInventoryAndANamedReason() {
    URI url = URI.create("http://127.0.0.1:" + closedPort());
    agents.put("n1", url);

    poller(64, TIMEOUT).pollRound();

    NodeState s = state("n1");
    assertThat(s.inventory()).isNull();
    assertThat(s.lastError()).isNotBlank();
    assertThat(s.lastAttempt()).isEqualTo(clock.instant());
    assertThat(s.unusableReason(clock.instant(), STALENESS))
        .startsWith("no RDMA inventory from the node agent at " + url)
        .contains(s.lastError());
  }

  /** Answers that take far longer than the poll timeout: the round must not wait for them. */
  static Stream<Arguments> slowAnswers() {
    int twentySeconds = 20_000;
    return Stream.of(
        Arguments.of(
            "all at once after 20 s",
            (UnaryOperator<ResponseDefinitionBuilder>) r -> r.withFixedDelay(twentySeconds)),
        Arguments.of(
            // Each chunk comes well within the timeout, the whole answer far beyond it.
            "trickled over 20 s",
            (UnaryOperator<ResponseDefinitionBuilder>)
                r -> r.withChunkedDribbleDelay(40, twentySeconds)));
  }

  @ParameterizedTest(name = "answer {0}")
  @MethodSource("slowAnswers")
  void slowAgentTimesOutWithoutHoldingUpTheRound(
      String description, UnaryOperator<ResponseDefinitionBuilder> slowly) {
    WireMockServer slow = agent("slow");
    slow.stubFor(get("/vfs").willReturn(slowly.apply(inventoryResponse("slow"))));
    WireMockServer healthy = agent("n1");
    healthy.stubFor(get("/vfs").willReturn(inventoryResponse("n1")));

    long t0 = System.nanoTime();
    poller(64, Duration.ofSeconds(1)).pollRound();
    Duration took = Duration.ofNanos(System.nanoTime() - t0);

    assertThat(took).isLessThan(Duration.ofSeconds(20));
    assertThat(state("slow").lastError()).isEqualTo("timed out");
    assertThat(state("slow").inventory()).isNull();
    // The other agent was polled in the same round (its answer may time out in a cold JVM).
    healthy.verify(getRequestedFor(urlEqualTo("/vfs")));
  }

  @Test
  void oversizedAnswerIsRefusedAndTheRoundGoesOn() {
    WireMockServer agent = agent("n1");
    InventoryPoller poller = afterAGoodRound(agent, "n1");
    // Valid JSON, padded past the limit: the poller must stop reading, not parse it.
    String padding = " ".repeat(InventoryPoller.MAX_INVENTORY_BYTES);
    agent.stubFor(get("/vfs").willReturn(json(inventoryJson("n1") + padding)));
    clock.advance(Duration.ofSeconds(1));

    poller.pollRound();

    NodeState s = state("n1");
    assertThat(s.lastError()).isEqualTo("the answer is larger than 8 MiB");
    assertThat(s.inventory()).isEqualTo(inventory("n1"));
  }

  @Test
  void garbageKeepsThePreviousInventory() {
    WireMockServer agent = agent("n1");
    InventoryPoller poller = afterAGoodRound(agent, "n1");
    Instant confirmed = state("n1").confirmedAt();

    for (String garbage : List.of("<html>oops</html>", "[1, 2]", "{\"generation\": 3}", "null")) {
      agent.stubFor(get("/vfs").willReturn(json(garbage)));
      clock.advance(Duration.ofSeconds(1));
      poller.pollRound();

      NodeState s = state("n1");
      assertThat(s.lastError()).as(garbage).startsWith("unreadable inventory: ");
      assertThat(s.inventory()).as(garbage).isEqualTo(inventory("n1"));
      assertThat(s.confirmedAt()).as(garbage).isEqualTo(confirmed);
    }
  }

  /**
   * Seeded mutations of a real answer ({@link JsonMutator}), one per round, under odd content
   * types: an answer the poller's decoding accepts replaces the inventory; any other fails the node
   * with a reason and keeps the last good inventory; the other agent is not affected.
   */
  @Test
  void mutatedAnswersReplaceTheInventoryOrFailTheNodeWithAReason() {
    WireMockServer agent = agent("n1");
    agent("n2").stubFor(get("/vfs").willReturn(inventoryResponse("n2")));
    InventoryPoller poller = afterAGoodRound(agent, "n1");
    List<String> types =
        List.of(
            "application/json", "text/html", "application/octet-stream", "text/plain;charset=x");

    Fuzz.run(
        "a poll of a mutated answer",
        Fuzz.seed(26),
        Fuzz.iterations(120),
        random -> new JsonMutator(random).mutate(inventoryJson("n1")),
        mutant -> {
          NodeState before = state("n1");
          String type = types.get(Math.floorMod(mutant.description().hashCode(), types.size()));
          agent.stubFor(
              get("/vfs")
                  .willReturn(
                      aResponse()
                          .withStatus(200)
                          .withHeader("Content-Type", type)
                          .withBody(mutant.bytes())));

          NodeState after = pollAgain(poller, "n1");

          String refusal = refusal(mutant.bytes(), "n1");
          if (refusal == null) {
            assertThat(after.lastError()).isNull();
            assertThat(after.inventory())
                .isEqualTo(Json.mapper().readValue(mutant.bytes(), NodeInventory.class));
          } else {
            assertThat(after.lastError()).startsWith(refusal);
            assertThat(after.inventory()).isEqualTo(before.inventory());
            assertThat(after.confirmedAt()).isEqualTo(before.confirmedAt());
          }
          assertThat(state("n2").lastError()).isNull();
          assertThat(state("n2").inventory()).isEqualTo(inventory("n2"));
        });
  }

  /** Answers that are not an inventory at all, or not even HTTP. */
  @Test
  void oddStatusesAndBrokenConnectionsFailTheNodeWithAReason() {
    WireMockServer agent = agent("n1");
    agent("n2").stubFor(get("/vfs").willReturn(inventoryResponse("n2")));
    InventoryPoller poller = afterAGoodRound(agent, "n1");
    NodeInventory good = state("n1").inventory();
    Map<String, ResponseDefinitionBuilder> answers = new LinkedHashMap<>();
    answers.put("204 without a body", aResponse().withStatus(204));
    answers.put("200 without a body", aResponse().withStatus(200));
    answers.put(
        "a redirect elsewhere",
        aResponse().withStatus(302).withHeader("Location", "http://127.0.0.1:" + closedPort()));
    answers.put("404 with HTML", aResponse().withStatus(404).withBody("<html>no</html>"));
    answers.put("429", aResponse().withStatus(429).withHeader("Retry-After", "x"));
    answers.put(
        "gzip the client did not ask for",
        json("").withHeader("Content-Encoding", "gzip").withBody(gzip(inventoryJson("n1") + "x")));
    answers.put("an empty response", aResponse().withFault(Fault.EMPTY_RESPONSE));
    answers.put("a malformed chunk", aResponse().withFault(Fault.MALFORMED_RESPONSE_CHUNK));
    answers.put("random bytes", aResponse().withFault(Fault.RANDOM_DATA_THEN_CLOSE));
    answers.put("a reset connection", aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER));

    answers.forEach(
        (what, answer) -> {
          agent.stubFor(get("/vfs").willReturn(answer));

          NodeState after = pollAgain(poller, "n1");

          assertThat(after.lastError()).as(what).isNotBlank();
          assertThat(after.inventory()).as(what).isEqualTo(good);
          assertThat(after.unusableReason(clock.instant().plus(STALENESS), STALENESS))
              .as(what)
              .contains(after.lastError());
          assertThat(state("n2").lastError()).as(what).isNull();
        });
  }

  /**
   * Advances the clock and polls again, until {@code node}'s poll has ended: an agent whose last
   * poll failed is not waited for by the round.
   */
  private NodeState pollAgain(InventoryPoller poller, String node) {
    clock.advance(Duration.ofSeconds(1));
    Instant now = clock.instant();
    poller.pollRound();
    Await.until(
        "the poll of " + node + " ended",
        Duration.ofSeconds(10),
        () -> now.equals(state(node).lastAttempt()) && poller.pollsInFlight() == 0);
    return state(node);
  }

  /**
   * How the poller words its refusal of {@code body} from the agent of {@code node} (the start of
   * its error), or null when it takes the body: the test's oracle, the poller's decoding spelled
   * out.
   */
  private static String refusal(byte[] body, String node) {
    NodeInventory inventory;
    try {
      inventory = Json.mapper().readValue(body, NodeInventory.class);
    } catch (IOException | RuntimeException e) {
      return "unreadable inventory: ";
    }
    if (inventory == null) {
      return "unreadable inventory: ";
    }
    if (!node.equals(inventory.node())) {
      return "agent reports node ";
    }
    return InventoryCheck.firstProblem(inventory).isPresent() ? "invalid inventory: " : null;
  }

  private static byte[] gzip(String text) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(out)) {
      gz.write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  @Test
  void serverErrorNamesStatusAndUrl() {
    WireMockServer agent = agent("n1");
    agent.stubFor(get("/vfs").willReturn(aResponse().withStatus(500).withBody("boom")));

    poller(64, TIMEOUT).pollRound();

    assertThat(state("n1").lastError())
        .isEqualTo("HTTP 500 from http://127.0.0.1:" + agent.port() + "/vfs");
    assertThat(state("n1").inventory()).isNull();
    // Not retried within the round: the next round is the retry.
    agent.verify(1, getRequestedFor(urlEqualTo("/vfs")));
  }

  @Test
  void inventoryOfAnotherNodeIsRejected() {
    WireMockServer agent = agent("n1");
    agent.stubFor(get("/vfs").willReturn(inventoryResponse("n2")));

    poller(64, TIMEOUT).pollRound();

    assertThat(state("n1").inventory()).isNull();
    assertThat(state("n1").lastError()).isEqualTo("agent reports node 'n2', expected 'n1'");
  }

  @Test
  void anInventoryThatBreaksItsRulesKeepsThePreviousOne() {
    WireMockServer agent = agent("n1");
    InventoryPoller poller = afterAGoodRound(agent, "n1");
    // The taken VF's address on the free one too: placement could hand one VF out twice.
    String twice = inventoryJson("n1").replace("0000:1a:00.2", "0000:1a:00.3");
    agent.stubFor(get("/vfs").willReturn(json(twice)));
    clock.advance(Duration.ofSeconds(1));

    poller.pollRound();

    NodeState s = state("n1");
    assertThat(s.lastError())
        .isEqualTo(
            "invalid inventory: pfs[0].vfs[1].pciAddress 0000:1a:00.3 appears twice on the node");
    assertThat(s.inventory()).isEqualTo(inventory("n1"));
  }

  @Test
  void inventoriesAreParsedOffTheHttpClientsEventLoop() {
    // Parsed on the event loop, each large inventory would hold up every other answer in flight.
    List<String> readOn = Collections.synchronizedList(new ArrayList<>());
    cache =
        new InventoryCache() {
          @Override
          void updateFrom(String node, URI agent, UnaryOperator<NodeState> change) {
            readOn.add(Thread.currentThread().getName());
            super.updateFrom(node, agent, change);
          }
        };
    for (String node : List.of("n1", "n2", "n3")) {
      agent(node).stubFor(get("/vfs").willReturn(inventoryResponse(node)));
    }

    poller(64, TIMEOUT).pollRound();

    assertThat(readOn).hasSize(3).containsOnly("agent-answers");
    assertThat(state("n3").inventory()).isEqualTo(inventory("n3"));
  }

  @Test
  void aPollThatFailsUnforeseenCostsOnlyItsNodeNotTheRound() {
    cache =
        new InventoryCache() {
          @Override
          void updateFrom(String node, URI agent, UnaryOperator<NodeState> change) {
            if (node.equals("n2")) {
              throw new IllegalStateException("a defect while keeping n2's answer");
            }
            super.updateFrom(node, agent, change);
          }
        };
    for (String node : List.of("n1", "n2", "n3")) {
      agent(node).stubFor(get("/vfs").willReturn(inventoryResponse(node)));
    }
    InventoryPoller poller = poller(64, TIMEOUT);

    poller.pollRound();

    assertThat(poller.firstRoundDone()).isTrue();
    assertThat(state("n1").inventory()).isEqualTo(inventory("n1"));
    assertThat(state("n3").inventory()).isEqualTo(inventory("n3"));
    assertThat(state("n2").inventory()).isNull();
    assertThat(poller.pollsInFlight()).isZero();
  }

  @Test
  void nodeRemovedFromTheDirectoryIsForgotten() {
    agent("n1").stubFor(get("/vfs").willReturn(inventoryResponse("n1")));
    agent("n2").stubFor(get("/vfs").willReturn(inventoryResponse("n2")));
    InventoryPoller poller = poller(64, TIMEOUT);
    poller.pollRound();
    assertThat(cache.get("n2")).isPresent();

    agents.remove("n2");
    poller.pollRound();

    assertThat(cache.get("n2")).isEmpty();
    assertThat(cache.all()).extracting(NodeState::node).containsExactly("n1");
  }

  @Test
  void failedPollsTurnTheKeptInventoryStale() {
    WireMockServer agent = agent("n1");
    InventoryPoller poller = afterAGoodRound(agent, "n1");

    agent.stubFor(get("/vfs").willReturn(aResponse().withStatus(503)));
    clock.advance(STALENESS.minusSeconds(1));
    poller.pollRound();
    // A failure within the staleness window still leaves the node usable.
    assertThat(state("n1").unusableReason(clock.instant(), STALENESS)).isNull();

    clock.advance(Duration.ofSeconds(2));
    poller.pollRound();

    assertThat(state("n1").unusableReason(clock.instant(), STALENESS))
        .startsWith("RDMA inventory is stale: last confirmed 31s ago (limit 30s)")
        .contains("HTTP 503 from http://127.0.0.1:" + agent.port() + "/vfs");
  }

  @Test
  void atMostConcurrencyRequestsAreInFlight() {
    Duration delay = Duration.ofMillis(400);
    InFlightCounter counter = new InFlightCounter();
    // One server plays six agents under distinct base paths, so one listener sees them all.
    WireMockServer server = start(wireMockConfig().extensions(counter));
    for (int i = 1; i <= 6; i++) {
      String node = "n" + i;
      server.stubFor(
          get("/" + node + "/vfs")
              .willReturn(inventoryResponse(node).withFixedDelay((int) delay.toMillis())));
      agents.put(node, URI.create(baseUrl(server) + "/" + node));
    }

    long t0 = System.nanoTime();
    poller(2, Duration.ofSeconds(10)).pollRound();
    Duration took = Duration.ofNanos(System.nanoTime() - t0);

    assertThat(counter.max()).isBetween(1, 2);
    // Six requests two at a time take at least three delays.
    assertThat(took).isGreaterThanOrEqualTo(delay.multipliedBy(3));
    assertThat(cache.all()).hasSize(6).allSatisfy(s -> assertThat(s.inventory()).isNotNull());
  }

  @Test
  void agentsThatFailedLastTimeAreNotWaitedForAndTakeAtMostHalfTheConcurrency() throws IOException {
    WireMockServer healthy = agent("n1");
    healthy.stubFor(get("/vfs").willReturn(inventoryResponse("n1")));
    // Ports that take connections and never answer, as behind a firewall that drops the replies.
    List<ServerSocket> silent = new ArrayList<>();
    try {
      for (int i = 1; i <= 4; i++) {
        ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        silent.add(socket);
        agents.put("silent-" + i, URI.create("http://127.0.0.1:" + socket.getLocalPort()));
      }
      InventoryPoller poller = poller(4, Duration.ofSeconds(3));
      poller.pollRound();
      assertThat(state("silent-1").lastError())
          .as("the first round waits for all")
          .isEqualTo("timed out");

      clock.advance(Duration.ofSeconds(5));
      poller.pollRound();

      // Back as soon as n1 answered, two of the four silent agents (half of 4) still being polled.
      assertThat(state("n1").confirmedAt()).isEqualTo(clock.instant());
      assertThat(poller.pollsInFlight()).isEqualTo(2);
      poller.pollRound();
      assertThat(poller.pollsInFlight()).as("no more failing agents at once").isEqualTo(2);
      healthy.verify(3, getRequestedFor(urlEqualTo("/vfs")));
    } finally {
      for (ServerSocket socket : silent) {
        socket.close();
      }
    }
  }

  @Test
  void anAgentThatFailedOnceIsPolledAgainWhileTheOthersKeepThePermitsBusy() {
    // Four answering agents on two permits: when the round reached the failing one, both permits
    // were held, and it was skipped round after round.
    for (int i = 1; i <= 4; i++) {
      agent("n" + i)
          .stubFor(get("/vfs").willReturn(inventoryResponse("n" + i).withFixedDelay(200)));
    }
    WireMockServer flaky = agent("flaky");
    flaky.stubFor(get("/vfs").willReturn(aResponse().withStatus(503)));
    InventoryPoller poller = poller(2, TIMEOUT);
    poller.pollRound();
    assertThat(state("flaky").lastError()).isEqualTo("HTTP 503 from " + baseUrl(flaky) + "/vfs");
    flaky.stubFor(get("/vfs").willReturn(inventoryResponse("flaky")));

    clock.advance(Duration.ofSeconds(5));
    poller.pollRound();

    Await.until(
        "the failing agent polled again",
        Duration.ofSeconds(20),
        () -> state("flaky").lastError() == null);
    assertThat(state("flaky").inventory()).isNotNull();
  }

  @Test
  @Timeout(60) // a lost permit blocked the poller for good
  void anAgentUrlTheClientRefusesFailsItsNodeAndGivesThePermitBack() {
    // Vert.x throws at once for a port out of range, instead of failing the request's future.
    agents.put("bad-1", URI.create("http://127.0.0.1:99999"));
    agents.put("bad-2", URI.create("http://127.0.0.1:70000"));
    agent("n1").stubFor(get("/vfs").willReturn(inventoryResponse("n1")));
    InventoryPoller poller = poller(2, TIMEOUT);

    for (int round = 0; round < 3; round++) {
      poller.pollRound();
    }

    assertThat(state("bad-1").lastError()).contains("port");
    assertThat(state("bad-2").lastError()).contains("port");
    assertThat(state("n1").inventory()).isNotNull();
    // The round does not wait for agents whose last poll failed; their polls end on the event loop.
    Await.until(
        "no poll left in flight", Duration.ofSeconds(10), () -> poller.pollsInFlight() == 0);
  }

  @Test
  @Timeout(60) // a lost permit blocked the poller for good
  void anErrorThrownSendingAPollFailsTheRoundButGivesThePermitAndTheNodeBack() {
    agent("n1").stubFor(get("/vfs").willReturn(inventoryResponse("n1")));
    ExtenderProperties.Poll config =
        new ExtenderProperties.Poll(Duration.ofSeconds(5), TIMEOUT, 1, 0.2);
    // A class that failed to load, say, on the first request only.
    AgentClient failingOnce = failingOnce(config, new NoClassDefFoundError("io/vertx/SomeClass"));
    clients.add(failingOnce);
    InventoryPoller poller =
        new InventoryPoller(
            directory(), cache, failingOnce, config, clock, new PollMetrics(registry, STALENESS));

    assertThatThrownBy(poller::pollRound).isInstanceOf(NoClassDefFoundError.class);
    assertThat(poller.pollsInFlight()).as("the node is not left as being polled").isZero();
    poller.pollRound();

    assertThat(state("n1").inventory()).as("polled again, with the one permit").isNotNull();
  }

  @Test
  void metricsCountAgentsReachableAndStale() {
    agent("ok").stubFor(get("/vfs").willReturn(inventoryResponse("ok")));
    agent("broken").stubFor(get("/vfs").willReturn(aResponse().withStatus(500)));
    agents.put("down", URI.create("http://127.0.0.1:" + closedPort()));

    poller(64, TIMEOUT).pollRound();

    assertThat(gauge("k8s_rdma_extender_agents")).isEqualTo(3);
    assertThat(gauge("k8s_rdma_extender_agents_reachable")).isEqualTo(1);
    // Nodes without any inventory count as stale: filter cannot use them either.
    assertThat(gauge("k8s_rdma_extender_agents_stale")).isEqualTo(2);
    assertThat(registry.get("k8s_rdma_extender_poll_round").timer().count()).isEqualTo(1);
  }

  @Test
  void roundsStartAnIntervalApart() {
    InventoryPoller poller =
        poller(new ExtenderProperties.Poll(Duration.ofSeconds(5), TIMEOUT, 64, 0.0));

    assertThat(poller.nextDelayMillis(1_200)).as("start to start").isEqualTo(3_800);
    assertThat(poller.nextDelayMillis(7_000)).as("a round longer than the interval").isEqualTo(1);
  }

  @Test
  @Timeout(120) // only against a hang: each wait below is bounded on its own
  void aStopAndAStartWhileARoundWaitsForItsAnswersLeaveOneChainOfRounds() throws Exception {
    HeldAnswers held = new HeldAnswers();
    WireMockServer agent = start(wireMockConfig().extensions(held));
    agent.stubFor(get("/vfs").willReturn(inventoryResponse("n1")));
    agents.put("n1", URI.create(baseUrl(agent)));
    List<ScheduledThreadPoolExecutor> roundThreads = new CopyOnWriteArrayList<>();
    // An hour apart and a minute to answer: a chain's next round waits in its executor's queue,
    // where the test counts it, and the held answer does not time out.
    InventoryPoller poller =
        poller(
            new ExtenderProperties.Poll(Duration.ofHours(1), Duration.ofMinutes(1), 64, 0.0),
            roundThreadsKeptIn(roundThreads));
    try {
      poller.start();
      held.awaitRequest();
      poller.stop(); // interrupts the first round, whose wait for its answers goes on
      poller.start();
      ScheduledThreadPoolExecutor second = roundThreads.get(1);
      // The second chain's first round skips n1, still being polled, and schedules its next.
      Await.until(
          "the second chain's next round scheduled",
          Duration.ofSeconds(30),
          () -> second.getQueue().size() == 1);

      held.release();
      ScheduledThreadPoolExecutor first = roundThreads.get(0);
      assertThat(first.awaitTermination(30, TimeUnit.SECONDS)).as("the first round ended").isTrue();

      assertThat(state("n1").inventory()).as("the first round got its answer").isNotNull();
      assertThat(second.getQueue()).as("rounds scheduled").hasSize(1);
      assertThat(roundThreads).hasSize(2);
    } finally {
      held.release();
      poller.stop();
    }
  }

  @Test
  void aSecondStartRunsNoSecondChainOfRounds() {
    List<ScheduledThreadPoolExecutor> roundThreads = new CopyOnWriteArrayList<>();
    InventoryPoller poller =
        poller(
            new ExtenderProperties.Poll(Duration.ofHours(1), TIMEOUT, 64, 0.0),
            roundThreadsKeptIn(roundThreads));
    try {
      poller.start();
      poller.start();

      assertThat(roundThreads).hasSize(1);
      assertThat(poller.isRunning()).isTrue();
    } finally {
      poller.stop();
    }
    assertThat(roundThreads.get(0).isShutdown()).isTrue();
  }

  // --- helpers ---------------------------------------------------------------------------------

  private InventoryPoller poller(int concurrency, Duration timeout) {
    return poller(new ExtenderProperties.Poll(Duration.ofSeconds(5), timeout, concurrency, 0.2));
  }

  private InventoryPoller poller(ExtenderProperties.Poll config) {
    return poller(config, () -> new ScheduledThreadPoolExecutor(1));
  }

  /**
   * Round threads as {@link #poller(ExtenderProperties.Poll)} makes them, each kept in {@code
   * made}.
   */
  private static Supplier<ScheduledExecutorService> roundThreadsKeptIn(
      List<ScheduledThreadPoolExecutor> made) {
    return () -> {
      ScheduledThreadPoolExecutor e = new ScheduledThreadPoolExecutor(1);
      made.add(e);
      return e;
    };
  }

  private InventoryPoller poller(
      ExtenderProperties.Poll config, Supplier<ScheduledExecutorService> roundThreads) {
    AgentClient client = new AgentClient(vertx, config);
    clients.add(client);
    return new InventoryPoller(
        directory(),
        cache,
        client,
        config,
        clock,
        new PollMetrics(registry, STALENESS),
        roundThreads);
  }

  /** The test's {@link #agents}, synced as {@link #directorySynced} says. */
  private AgentDirectory directory() {
    return new AgentDirectory() {
      @Override
      public Map<String, URI> agents() {
        return Map.copyOf(agents);
      }

      @Override
      public boolean synced() {
        return directorySynced;
      }
    };
  }

  /** A client as {@code config} says, except that its first fetch throws {@code error}. */
  private AgentClient failingOnce(ExtenderProperties.Poll config, Error error) {
    AtomicBoolean thrown = new AtomicBoolean();
    return new AgentClient(vertx, config) {
      @Override
      CompletableFuture<AgentAnswer> fetch(String url, String etag) {
        if (thrown.compareAndSet(false, true)) {
          throw error;
        }
        return super.fetch(url, etag);
      }
    };
  }

  /** A poller that has fetched {@code node}'s inventory from {@code agent} once. */
  private InventoryPoller afterAGoodRound(WireMockServer agent, String node) {
    agent.stubFor(get("/vfs").willReturn(inventoryResponse(node)));
    InventoryPoller poller = poller(64, TIMEOUT);
    poller.pollRound();
    return poller;
  }

  /** Starts an agent for {@code node} and puts it in the directory. */
  private WireMockServer agent(String node) {
    WireMockServer server = start(wireMockConfig());
    agents.put(node, URI.create(baseUrl(server)));
    return server;
  }

  private WireMockServer start(com.github.tomakehurst.wiremock.core.WireMockConfiguration config) {
    WireMockServer server = new WireMockServer(config.dynamicPort().bindAddress("127.0.0.1"));
    server.start();
    servers.add(server);
    return server;
  }

  /** The numeric address the server is bound to; {@code baseUrl()} would say localhost. */
  private static String baseUrl(WireMockServer server) {
    return "http://127.0.0.1:" + server.port();
  }

  private NodeState state(String node) {
    return cache.get(node).orElseThrow(() -> new AssertionError("node " + node + " not cached"));
  }

  private double gauge(String name) {
    return registry.get(name).gauge().value();
  }

  /** A port nothing listens on: bound once, then closed, so connecting is refused. */
  private static int closedPort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static ResponseDefinitionBuilder json(String body) {
    return aResponse()
        .withStatus(200)
        .withHeader("Content-Type", "application/json")
        .withBody(body);
  }

  private static ResponseDefinitionBuilder inventoryResponse(String node) {
    return json(inventoryJson(node)).withHeader("ETag", ETAG);
  }

  private static String inventoryJson(String node) {
    try {
      return Json.mapper().writeValueAsString(inventory(node));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** What an agent on a ConnectX-6 host with two VFs, one of them taken, serves. */
  private static NodeInventory inventory(String node) {
    VirtualFunction free =
        new VirtualFunction(
            0,
            "0000:1a:00.2",
            "ibp26s0v0",
            "mlx5_2",
            "uverbs2",
            "mlx5_core",
            "02:00:00:00:00:01",
            "0000:0000:0000:0001",
            0,
            0,
            VfState.FREE,
            null);
    VirtualFunction taken =
        new VirtualFunction(
            1,
            "0000:1a:00.3",
            null,
            null,
            null,
            "mlx5_core",
            "02:00:00:00:00:02",
            "0000:0000:0000:0002",
            25000,
            50000,
            VfState.IN_USE,
            "netdev moved to a pod namespace");
    PhysicalFunction pf =
        new PhysicalFunction(
            "ibp26s0",
            "0000:1a:00.0",
            "mlx5_0",
            "uverbs0",
            "15b3",
            "101b",
            "mlx5_core",
            LinkLayer.INFINIBAND,
            "ACTIVE",
            0,
            200000L,
            8,
            2,
            "min+max",
            "legacy",
            List.of(free, taken));
    return new NodeInventory(node, 5, Instant.parse("2025-12-31T23:59:58Z"), List.of(pf));
  }

  /** Holds every answer until released, and tells when a request has come. */
  private static final class HeldAnswers implements ServeEventListener {
    private final CountDownLatch requested = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);

    @Override
    public void beforeResponseSent(ServeEvent serveEvent, Parameters parameters) {
      requested.countDown();
      try {
        released.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    void awaitRequest() throws InterruptedException {
      assertThat(requested.await(30, TimeUnit.SECONDS)).as("the agent was asked").isTrue();
    }

    void release() {
      released.countDown();
    }

    @Override
    public String getName() {
      return "held-answers";
    }
  }

  /** Counts requests between match and completion, i.e. while WireMock holds them. */
  private static final class InFlightCounter implements ServeEventListener {
    private final AtomicInteger now = new AtomicInteger();
    private final AtomicInteger max = new AtomicInteger();

    @Override
    public void beforeMatch(ServeEvent serveEvent, Parameters parameters) {
      max.accumulateAndGet(now.incrementAndGet(), Math::max);
    }

    @Override
    public void afterComplete(ServeEvent serveEvent, Parameters parameters) {
      now.decrementAndGet();
    }

    int max() {
      return max.get();
    }

    @Override
    public String getName() {
      return "in-flight-counter";
    }
  }
}
