package io.k8srdma.extender.poller;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.k8srdma.extender.Await;
import io.k8srdma.extender.MutableClock;
import io.k8srdma.extender.TestInventories;
import io.k8srdma.extender.agents.AgentDirectory;
import io.k8srdma.extender.config.ExtenderProperties;
import io.k8srdma.extender.config.SingleLoopVertx;
import io.k8srdma.model.json.Json;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import jdk.jfr.consumer.RecordingStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The poller's connections to the agents on Vert.x's client ({@link AgentClient}, {@link
 * AgentExchange}): that an answer given up closes its connection, that answers in time reuse theirs
 * and create no exception, and the client's other duties that fabric8's client used to take on.
 */
class AgentClientTest {

  private static final Duration STALENESS = Duration.ofSeconds(30);
  private static final Duration TIMEOUT = Duration.ofSeconds(5);
  private static final String ETAG = "W/\"7\"";

  private final Vertx vertx = SingleLoopVertx.create();
  private final Map<String, URI> agents = new ConcurrentHashMap<>();
  private final InventoryCache cache = new InventoryCache();
  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final List<AutoCloseable> closing = new ArrayList<>();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
    vertx.close();
  }

  @Test
  void aHungAgentsConnectionIsClosedAtTheDeadlineNotKept() {
    // Takes the connection and the request, and never answers.
    SocketAgent hung =
        agent(
            connection -> {
              connection.readRequest();
              connection.awaitClose();
            });
    agents.put("n1", URI.create(hung.url()));
    InventoryPoller poller = poller(Duration.ofMillis(500), 4);

    poller.pollRound();

    assertThat(state("n1").lastError()).isEqualTo("timed out");
    Await.until("the hung connection closed", Duration.ofSeconds(10), () -> hung.open() == 0);
    poller.pollRound();
    Await.until(
        "the next round's connection closed too",
        Duration.ofSeconds(10),
        () -> hung.accepted() == 2 && hung.open() == 0);
    assertThat(poller.pollsInFlight()).isZero();
  }

  @Test
  void anAgentThatTricklesItsAnswerIsCutOffAtTheDeadlineAndItsConnectionClosed() {
    SocketAgent trickling =
        agent(
            connection -> {
              connection.readRequest();
              connection.write("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n{");
              // A byte every 50 ms: never silent for long, never done.
              do {
                connection.write(" ");
              } while (!connection.closedByPoller(50));
            });
    agents.put("n1", URI.create(trickling.url()));

    long t0 = System.nanoTime();
    poller(Duration.ofSeconds(1), 4).pollRound();

    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
    assertThat(state("n1").lastError()).isEqualTo("timed out");
    Await.until(
        "the trickle's connection closed", Duration.ofSeconds(10), () -> trickling.open() == 0);
  }

  @ParameterizedTest(name = "{0} MiB declared")
  @ValueSource(ints = {-1, 100}) // -1: chunked, no length declared
  void anAnswerPastTheSizeLimitIsAbandonedAndItsConnectionClosed(int declaredMib) {
    String block = " ".repeat(1 << 16);
    // Sends until the poller hangs up (a write then fails), or the whole body it declared.
    SocketAgent large =
        agent(
            connection -> {
              connection.readRequest();
              if (declaredMib < 0) {
                connection.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
                while (true) {
                  connection.write("10000\r\n" + block + "\r\n");
                }
              }
              connection.write(
                  "HTTP/1.1 200 OK\r\nContent-Length: " + (declaredMib << 20) + "\r\n\r\n");
              for (int i = 0; i < declaredMib << 4; i++) {
                connection.write(block);
              }
              connection.awaitClose(); // kept open by a client that read it all
            });
    agents.put("n1", URI.create(large.url()));

    poller(TIMEOUT, 4).pollRound();

    assertThat(state("n1").lastError()).isEqualTo("the answer is larger than 8 MiB");
    Await.until("the connection closed", Duration.ofSeconds(10), () -> large.open() == 0);
  }

  @Test
  void anAnswerPastTheAnswerMemoryFailsUntilTheNextRoundAndEveryByteIsGivenBack() {
    // One answer holds 768 KiB of a 1 MiB answer-memory while a second one of 512 KiB comes in.
    int held = 768 << 10;
    AtomicReference<AgentClient> client = new AtomicReference<>();
    CountDownLatch refused = new CountDownLatch(1);
    SocketAgent holding =
        agent(
            connection -> {
              connection.readRequest();
              String json = inventoryJson("n1");
              // All but its last byte: the buffer holds what came, not what the agent declared.
              connection.write(
                  "HTTP/1.1 200 OK\r\nContent-Length: "
                      + held
                      + "\r\n\r\n"
                      + json
                      + " ".repeat(held - json.length() - 1));
              refused.await(10, TimeUnit.SECONDS);
              connection.write(" ");
              connection.awaitClose();
            });
    AtomicInteger second = new AtomicInteger();
    SocketAgent large =
        agent(
            connection -> {
              connection.readRequest();
              if (second.getAndIncrement() == 0) {
                Await.until(
                    "the first answer holds its memory",
                    Duration.ofSeconds(10),
                    () -> client.get().answerMemoryTaken() >= held);
              }
              String json = inventoryJson("n2");
              String body = json + " ".repeat((512 << 10) - json.length());
              try {
                connection.write(
                    "HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
                // Refused once past its first 256 KiB, which may be after the write returned
                // (loopback buffers): the poller hangs up when it refuses.
                connection.awaitClose();
              } finally {
                refused.countDown();
              }
            });
    agents.put("n1", URI.create(holding.url()));
    agents.put("n2", URI.create(large.url()));
    ExtenderProperties.Poll config = config(TIMEOUT, 4);
    client.set(
        new AgentClient(
            vertx,
            vertx.createHttpClient(AgentClient.options(config), AgentClient.pool(config)),
            TIMEOUT,
            1 << 20,
            1 << 20));
    InventoryPoller poller = poller(client.get(), config);

    poller.pollRound();

    assertThat(state("n2").lastError())
        .isEqualTo(
            "the answers in flight hold all of k8s-rdma.extender.poll.answer-memory (1 MiB);"
                + " polled again next round");
    assertThat(state("n1").inventory()).isNotNull();
    assertThat(client.get().answerMemoryTaken()).isZero();

    // The refused answer's connection is closed, as for an answer past the size limit.
    Await.until("the refused connection closed", Duration.ofSeconds(10), () -> large.open() == 0);
    agents.remove("n1");
    poller.pollRound();

    // A failing agent's poll is not waited for by the round.
    Await.until(
        "n2 read in the next round",
        Duration.ofSeconds(10),
        () -> state("n2").inventory() != null && client.get().answerMemoryTaken() == 0);
    assertThat(state("n2").lastError()).isNull();
    assertThat(registry.get("k8s_rdma_extender_poll_answer_memory_bytes").gauge().value()).isZero();
  }

  @Test
  void peersThatDeclareLargeAnswersAndSendNothingHoldLittleAnswerMemory() {
    // Two peers declare 7 MiB each of an 8 MiB answer-memory and stall after a few bytes; taken by
    // the declared length, the first would hold almost all of it and the second would be refused.
    CountDownLatch stalled = new CountDownLatch(2);
    SocketAgent.Script stalling =
        connection -> {
          connection.readRequest();
          connection.write("HTTP/1.1 200 OK\r\nContent-Length: " + (7 << 20) + "\r\n\r\n{");
          stalled.countDown();
          connection.awaitClose();
        };
    agents.put("slow-1", URI.create(agent(stalling).url()));
    agents.put("slow-2", URI.create(agent(stalling).url()));
    agents.put("n1", URI.create(agent(notModifiedAfterTheFirst()).url() + "/n1"));
    ExtenderProperties.Poll config = config(Duration.ofSeconds(2), 4);
    AgentClient client =
        new AgentClient(vertx, realClient(config), config.timeout(), 8 << 20, 8 << 20);
    InventoryPoller poller = poller(client, config);
    AtomicLong mostTaken = new AtomicLong();
    Thread watcher =
        Thread.ofPlatform()
            .start(
                () -> {
                  try {
                    while (true) {
                      mostTaken.accumulateAndGet(client.answerMemoryTaken(), Math::max);
                      Thread.sleep(1);
                    }
                  } catch (InterruptedException e) {
                    // the round is over
                  }
                });
    try {
      poller.pollRound();
    } finally {
      watcher.interrupt();
    }

    assertThat(stalled.getCount()).isZero();
    assertThat(mostTaken.get()).isPositive().isLessThanOrEqualTo(3L * AgentExchange.UP_FRONT_BYTES);
    assertThat(state("slow-1").lastError()).isEqualTo("timed out");
    assertThat(state("slow-2").lastError()).isEqualTo("timed out");
    assertThat(state("n1").inventory()).isNotNull();
    assertThat(client.answerMemoryTaken()).isZero();
  }

  @Test
  void anAgentThatClosesItsConnectionMidBodyFailsTheNodeAndTheNextRoundConnectsAgain() {
    String inventory = inventoryJson("n1");
    AtomicInteger asked = new AtomicInteger();
    SocketAgent agent =
        agent(
            connection -> {
              while (connection.readRequest() != null) {
                switch (asked.incrementAndGet()) {
                  case 1 -> connection.answer("200 OK", "ETag: " + ETAG + "\r\n", inventory);
                  case 2 -> {
                    connection.write(
                        "HTTP/1.1 200 OK\r\nContent-Length: " + inventory.length() + "\r\n\r\n");
                    connection.write(inventory.substring(0, inventory.length() / 2));
                    return; // closes the connection
                  }
                  default -> connection.answer("304 Not Modified", "ETag: " + ETAG + "\r\n", "");
                }
              }
            });
    agents.put("n1", URI.create(agent.url()));
    InventoryPoller poller = poller(TIMEOUT, 4);
    poller.pollRound();
    clock.advance(Duration.ofSeconds(5));

    poller.pollRound();

    NodeState cut = state("n1");
    assertThat(cut.lastError()).isEqualTo("HttpClosedException: Connection was closed");
    assertThat(cut.inventory()).as("the last good one kept").isNotNull();
    assertThat(agent.accepted()).as("the second request on the first connection").isEqualTo(1);

    clock.advance(Duration.ofSeconds(5));
    poller.pollRound(); // a failing agent's poll, which the round does not wait for

    Await.until("polled again", Duration.ofSeconds(10), () -> state("n1").lastError() == null);
    assertThat(state("n1").confirmedAt()).isEqualTo(clock.instant());
    assertThat(agent.accepted()).isEqualTo(2);
  }

  @Test
  void oneConnectionPerAgentServesRoundAfterRoundWithConditionalGets() {
    String inventory = inventoryJson("n1");
    List<Map<String, String>> requests = new CopyOnWriteArrayList<>();
    SocketAgent agent =
        agent(
            connection -> {
              SocketAgent.Request request;
              while ((request = connection.readRequest()) != null) {
                requests.add(request.headers());
                if (ETAG.equals(request.headers().get("if-none-match"))) {
                  connection.answer("304 Not Modified", "ETag: " + ETAG + "\r\n", "");
                } else {
                  connection.answer("200 OK", "ETag: " + ETAG + "\r\n", inventory);
                }
              }
            });
    agents.put("n1", URI.create(agent.url()));
    InventoryPoller poller = poller(TIMEOUT, 4);

    for (int round = 0; round < 3; round++) {
      clock.advance(Duration.ofSeconds(5));
      poller.pollRound();
      assertThat(state("n1").confirmedAt()).isEqualTo(clock.instant());
    }

    assertThat(agent.accepted()).isEqualTo(1);
    assertThat(requests)
        .hasSize(3)
        .allSatisfy(r -> assertThat(r).containsEntry("accept", "application/json"));
    assertThat(requests.get(0)).doesNotContainKey("if-none-match");
    assertThat(requests.subList(1, 3))
        .allSatisfy(r -> assertThat(r).containsEntry("if-none-match", ETAG));
  }

  @Test
  void agentsBehindOneAddressArePolledAtTheFullConcurrency() {
    // Vert.x's default pool would allow 5 connections to one host and port.
    int concurrency = 12;
    CountDownLatch allAsked = new CountDownLatch(concurrency);
    AtomicInteger askedAlone = new AtomicInteger();
    // Each request waits for all the others to come before it is answered.
    SocketAgent shared =
        agent(
            connection -> {
              while (connection.readRequest() != null) {
                allAsked.countDown();
                if (!allAsked.await(5, TimeUnit.SECONDS)) {
                  askedAlone.incrementAndGet();
                }
                connection.answer("500 Internal Server Error", "", "");
              }
            });
    for (int i = 1; i <= concurrency; i++) {
      agents.put("n" + i, URI.create(shared.url() + "/n" + i));
    }

    poller(Duration.ofSeconds(30), concurrency).pollRound();

    assertThat(askedAlone.get()).as("requests not in flight with all the others").isZero();
    assertThat(state("n1").lastError()).isEqualTo("HTTP 500 from " + shared.url() + "/n1/vfs");
  }

  @Test
  void answersInTimeCreateNoException() throws Exception {
    // fabric8's request timeout created two per poll; a 304 round is the poller's usual work.
    String base = agent(notModifiedAfterTheFirst()).url();
    for (int i = 1; i <= 20; i++) {
      agents.put("n" + i, URI.create(base + "/n" + i));
    }
    InventoryPoller poller = poller(TIMEOUT, 4);
    for (int round = 0; round < 3; round++) { // the inventories, then 304s with every class loaded
      clock.advance(Duration.ofSeconds(5));
      poller.pollRound();
    }
    assertThat(cache.all()).allSatisfy(s -> assertThat(s.confirmedAt()).isEqualTo(clock.instant()));
    Set<Long> pollerThreads = Set.of(loopThreadId(), Thread.currentThread().threadId());
    List<String> created = new CopyOnWriteArrayList<>();
    try (RecordingStream recording = new RecordingStream()) {
      recording.enable("jdk.JavaExceptionThrow");
      recording.enable("jdk.JavaErrorThrow");
      recording.onEvent(
          event -> {
            if (event.getThread() != null
                && pollerThreads.contains(event.getThread().getJavaThreadId())) {
              created.add(event.getClass("thrownClass").getName());
            }
          });
      recording.startAsync();
      for (int round = 0; round < 5; round++) {
        clock.advance(Duration.ofSeconds(5));
        poller.pollRound();
      }
      recording.stop();
    }

    assertThat(cache.all()).allSatisfy(s -> assertThat(s.confirmedAt()).isEqualTo(clock.instant()));
    assertThat(created).isEmpty();
  }

  @Test
  @Timeout(60) // a poll that never ended held the round for good
  void anErrorThrownOnTheEventLoopEndsThePollAndGivesThePermitBack() {
    agents.put("n1", URI.create(agent(notModifiedAfterTheFirst()).url() + "/n1"));
    ExtenderProperties.Poll config = config(TIMEOUT, 1);
    AtomicBoolean thrown = new AtomicBoolean();
    // A class that failed to load, say, on the first request only.
    HttpClient failingOnce =
        around(
            realClient(config),
            (method, call) -> {
              if (method.getName().equals("request") && thrown.compareAndSet(false, true)) {
                throw new NoClassDefFoundError("io/vertx/SomeClass");
              }
              return call.get();
            });
    InventoryPoller poller = poller(new AgentClient(vertx, failingOnce, TIMEOUT, 1 << 20), config);

    poller.pollRound();

    assertThat(state("n1").lastError()).isEqualTo("NoClassDefFoundError: io/vertx/SomeClass");
    assertThat(poller.pollsInFlight()).isZero();
    poller.pollRound();
    Await.until(
        "polled again, with the one permit",
        Duration.ofSeconds(10),
        () -> state("n1").inventory() != null);
  }

  @Test
  void aConnectionThatComesAfterTheDeadlineIsGivenBackUnused() {
    SocketAgent agent = agent(notModifiedAfterTheFirst());
    agents.put("n1", URI.create(agent.url() + "/n1"));
    // For the second round's answer, which nothing retries, in a cold JVM on a loaded machine.
    Duration deadline = Duration.ofSeconds(2);
    // One connection at most: one left unusable would leave the next round waiting for another.
    ExtenderProperties.Poll config = config(deadline, 1);
    AtomicBoolean delayed = new AtomicBoolean();
    AtomicBoolean handedOver = new AtomicBoolean();
    HttpClient slowToConnect =
        around(
            realClient(config),
            (method, call) -> {
              Object result = call.get();
              if (method.getName().equals("request") && delayed.compareAndSet(false, true)) {
                @SuppressWarnings("unchecked")
                Future<HttpClientRequest> request = (Future<HttpClientRequest>) result;
                return request.compose(r -> later(r, deadline.multipliedBy(2), handedOver));
              }
              return result;
            });
    InventoryPoller poller =
        poller(new AgentClient(vertx, slowToConnect, deadline, 1 << 20), config);

    poller.pollRound();
    assertThat(state("n1").lastError()).isEqualTo("timed out");
    Await.until("the late request handed over", Duration.ofSeconds(10), handedOver::get);

    clock.advance(Duration.ofSeconds(5));
    poller.pollRound(); // a failing agent's poll, which the round does not wait for

    Await.until("polled again", Duration.ofSeconds(10), () -> state("n1").lastError() == null);
    assertThat(agent.accepted()).as("the first round's connection, given back").isEqualTo(1);
    assertThat(agent.requests()).as("nothing sent on the late request").isEqualTo(1);
  }

  @Test
  void httpsAgentsAreReadOverTlsAndTheirCertificateChecked() {
    WireMockServer tls =
        new WireMockServer(
            wireMockConfig().dynamicPort().dynamicHttpsPort().bindAddress("127.0.0.1"));
    tls.start();
    closing.add(tls::stop);
    tls.stubFor(
        get("/vfs")
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withHeader("ETag", ETAG)
                    .withBody(inventoryJson("n1"))));
    agents.put("n1", URI.create("https://127.0.0.1:" + tls.httpsPort()));

    // WireMock's certificate is its own, which the JDK's trusted ones do not vouch for.
    poller(TIMEOUT, 4).pollRound();
    assertThat(state("n1").lastError())
        .isEqualTo("SSLHandshakeException: Failed to create SSL connection");

    ExtenderProperties.Poll config = config(TIMEOUT, 4);
    HttpClient trusting =
        vertx.createHttpClient(
            AgentClient.options(config).setTrustAll(true).setVerifyHost(false),
            AgentClient.pool(config));
    clock.advance(Duration.ofSeconds(5));
    poller(new AgentClient(vertx, trusting, TIMEOUT, 1 << 20), config).pollRound();
    Await.until("read over TLS", Duration.ofSeconds(10), () -> state("n1").lastError() == null);
    assertThat(state("n1").etag()).isEqualTo(ETAG);
  }

  // --- helpers ---------------------------------------------------------------------------------

  private SocketAgent agent(SocketAgent.Script script) {
    SocketAgent agent = new SocketAgent(script);
    closing.add(agent);
    return agent;
  }

  /** Answers each node's first request with its inventory, the conditional ones that follow 304. */
  private static SocketAgent.Script notModifiedAfterTheFirst() {
    return connection -> {
      SocketAgent.Request request;
      while ((request = connection.readRequest()) != null) {
        if (ETAG.equals(request.headers().get("if-none-match"))) {
          connection.answer("304 Not Modified", "ETag: " + ETAG + "\r\n", "");
        } else {
          connection.answer("200 OK", "ETag: " + ETAG + "\r\n", inventoryJson(request.node()));
        }
      }
    };
  }

  private static ExtenderProperties.Poll config(Duration timeout, int concurrency) {
    return new ExtenderProperties.Poll(Duration.ofSeconds(5), timeout, concurrency, 0.2);
  }

  private InventoryPoller poller(Duration timeout, int concurrency) {
    ExtenderProperties.Poll config = config(timeout, concurrency);
    return poller(new AgentClient(vertx, config), config);
  }

  private InventoryPoller poller(AgentClient client, ExtenderProperties.Poll config) {
    closing.add(client);
    AgentDirectory directory =
        new AgentDirectory() {
          @Override
          public Map<String, URI> agents() {
            return Map.copyOf(agents);
          }

          @Override
          public boolean synced() {
            return true;
          }
        };
    return new InventoryPoller(
        directory, cache, client, config, clock, new PollMetrics(registry, STALENESS));
  }

  private HttpClient realClient(ExtenderProperties.Poll config) {
    return vertx.createHttpClient(AgentClient.options(config), AgentClient.pool(config));
  }

  /** A call through {@link #around}: the method called, and the call on the real client. */
  private interface Interception {
    Object apply(Method method, Call call) throws Throwable;
  }

  private interface Call {
    Object get() throws Throwable;
  }

  /** {@code real}, each call going through {@code interception}. */
  private static HttpClient around(HttpClient real, Interception interception) {
    return (HttpClient)
        Proxy.newProxyInstance(
            HttpClient.class.getClassLoader(),
            new Class<?>[] {HttpClient.class},
            (proxy, method, args) ->
                interception.apply(
                    method,
                    () -> {
                      try {
                        return method.invoke(real, args);
                      } catch (InvocationTargetException e) {
                        throw e.getCause();
                      }
                    }));
  }

  /** {@code value}, {@code delay} from now; {@code done} is set once it is handled. */
  private <T> Future<T> later(T value, Duration delay, AtomicBoolean done) {
    Promise<T> promise = Promise.promise();
    vertx.setTimer(
        delay.toMillis(),
        timer -> {
          promise.complete(value);
          done.set(true);
        });
    return promise.future();
  }

  private long loopThreadId() {
    CompletableFuture<Long> id = new CompletableFuture<>();
    vertx.runOnContext(v -> id.complete(Thread.currentThread().threadId()));
    return id.join();
  }

  private NodeState state(String node) {
    return cache.get(node).orElseThrow(() -> new AssertionError("node " + node + " not cached"));
  }

  private static String inventoryJson(String node) {
    try {
      return Json.mapper().writeValueAsString(TestInventories.ibNode(node, 0x1a, 4, 200_000));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
