package io.k8srdma.agent.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.k8srdma.agent.config.AgentProperties;
import io.k8srdma.agent.discovery.HostScanner;
import io.k8srdma.agent.discovery.Sysfs;
import io.k8srdma.agent.inventory.InventoryService;
import io.k8srdma.agent.inventory.ScanMetrics;
import io.k8srdma.agent.inventory.ScanOutcome;
import io.k8srdma.agent.netlink.VfLinkInfoSource;
import io.k8srdma.agent.testhost.ChangingHost;
import io.k8srdma.agent.testhost.VfKind;
import io.k8srdma.model.inventory.InventoryCheck;
import io.k8srdma.model.inventory.NodeInventory;
import io.k8srdma.model.inventory.PhysicalFunction;
import io.k8srdma.model.inventory.VfState;
import io.k8srdma.model.inventory.VirtualFunction;
import io.k8srdma.model.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The running agent under concurrent clients while its host changes: client threads ask {@code GET
 * /vfs} (plain, with the last {@code ETag} they saw, with {@code ?pf=}), {@code POST /rescan},
 * {@code GET /getpfs} and readiness, while a mutator changes the fake host between (and during)
 * scans run every few milliseconds. Every answer is checked against invariants of docs/api.md, not
 * timings: the inventory the agent holds is read in-process right before and right after each
 * request, and what the answer says must lie between the two. Client and mutator decisions come
 * from fixed seeds and fixed counts, so the host ends the same on every run.
 */
@AutoConfigureObservability
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext
class AgentStressTest {

  private static final Logger log = LoggerFactory.getLogger(AgentStressTest.class);
  private static final long SEED = 0x5EED_2026L;
  private static final int CLIENTS = 6;
  private static final int MUTATOR_STEPS = 150;
  private static final int MIN_REQUESTS = 120;
  private static final int MAX_REQUESTS = 500;
  private static final Duration WAIT = Duration.ofSeconds(20);

  private static final Path ROOT = FakeHostAgent.tempRoot("agent-stress");
  private static final ChangingHost HOST = ChangingHost.demo(ROOT);
  private static final Path DEVICES = ROOT.resolve("sys/bus/pci/devices");

  /**
   * Directories whose listing fails as for an unprivileged reader; the agent starts without any.
   */
  private static final Set<Path> UNREADABLE = ConcurrentHashMap.newKeySet();

  static {
    UNREADABLE.add(DEVICES);
  }

  private static final ObjectMapper JSON = Json.mapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @LocalServerPort int port;
  @Autowired CountingInventory inventory;

  private final Queue<String> violations = new ConcurrentLinkedQueue<>();
  private final Map<String, AtomicLong> seen = new ConcurrentHashMap<>();
  private final Map<Long, List<PhysicalFunction>> contentByGeneration = new ConcurrentHashMap<>();

  @DynamicPropertySource
  static void props(DynamicPropertyRegistry registry) {
    FakeHostAgent.register(registry, ROOT, "15ms");
  }

  /** The agent's beans with a sysfs that can fail to list a directory, and counted scans. */
  @TestConfiguration(proxyBeanMethods = false)
  static class Instrumented {

    @Bean
    @Primary
    Sysfs flakySysfs() {
      return new Sysfs(ROOT) {
        @Override
        public List<Path> listReadable(Path dir) throws IOException {
          if (UNREADABLE.contains(dir)) {
            throw new AccessDeniedException(dir.toString());
          }
          return super.listReadable(dir);
        }
      };
    }

    @Bean
    @Primary
    CountingInventory countingInventory(
        AgentProperties props, HostScanner scanner, ScanMetrics metrics) {
      return new CountingInventory(props.nodeName(), scanner, metrics);
    }
  }

  /** The agent's inventory, counting the scans it ran (under its lock, after their metrics). */
  static final class CountingInventory extends InventoryService {

    private long succeeded;
    private long failed;

    CountingInventory(String node, HostScanner scanner, ScanMetrics metrics) {
      super(node, scanner, Clock.systemUTC(), metrics);
    }

    @Override
    public synchronized ScanOutcome rescan() {
      ScanOutcome outcome = super.rescan();
      if (outcome.ok()) {
        succeeded++;
      } else {
        failed++;
      }
      notifyAll();
      return outcome;
    }

    synchronized long[] counts() {
      return new long[] {succeeded, failed};
    }

    /** Waits until {@code more} scans have ended after this call; false when none came in time. */
    synchronized boolean awaitScans(int more, Duration timeout) throws InterruptedException {
      long target = succeeded + failed + more;
      long deadline = System.nanoTime() + timeout.toNanos();
      while (succeeded + failed < target) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
      return true;
    }
  }

  @Test
  void invariantsHoldWhileTheHostChangesUnderConcurrentClients() throws Exception {
    CountDownLatch clientsAsked = new CountDownLatch(CLIENTS);
    AtomicBoolean mutatorDone = new AtomicBoolean();
    ExecutorService pool = Executors.newFixedThreadPool(CLIENTS + 1);
    List<Future<?>> running = new ArrayList<>();
    try {
      for (int i = 0; i < CLIENTS; i++) {
        Client client = new Client(i, new Random(SEED + 1 + i), clientsAsked, mutatorDone);
        running.add(pool.submit(guarded("client " + i, client::run)));
      }
      Mutator mutator = new Mutator(new Random(SEED), clientsAsked);
      running.add(
          pool.submit(
              guarded(
                  "mutator",
                  () -> {
                    try {
                      mutator.run();
                    } finally {
                      mutatorDone.set(true);
                    }
                  })));
      for (Future<?> f : running) {
        f.get(2, TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdownNow();
    }

    log.info(
        "stress: {} generations, scans (ok, failed) {}, answers {}",
        contentByGeneration.size(),
        Arrays.toString(inventory.counts()),
        new TreeMap<>(seen));
    finalInventoryIsAFreshScanOfTheFinalHost();
    assertThat(violations).as("invariant violations (%s in all)", violations.size()).isEmpty();
    assertThat(seen)
        .as("what the clients saw")
        .containsKeys(
            "vfs 503",
            "vfs 200",
            "vfs 304",
            "vfs?pf 200",
            "vfs?pf 304",
            "vfs?pf 404",
            "rescan 200",
            "rescan 503",
            "getpfs 503",
            "getpfs 200");
  }

  // --- clients -------------------------------------------------------------------------------

  private final class Client {

    private final int id;
    private final Random random;
    private final CountDownLatch asked;
    private final AtomicBoolean mutatorDone;
    private final Map<String, String> lastEtag = new HashMap<>();
    private long highest = Long.MIN_VALUE;

    Client(int id, Random random, CountDownLatch asked, AtomicBoolean mutatorDone) {
      this.id = id;
      this.random = random;
      this.asked = asked;
      this.mutatorDone = mutatorDone;
    }

    void run() throws Exception {
      for (int n = 0; n < MAX_REQUESTS && !(n >= MIN_REQUESTS && mutatorDone.get()); n++) {
        int pick = random.nextInt(100);
        if (pick < 25) {
          vfs(null, false);
        } else if (pick < 50) {
          vfs(null, true);
        } else if (pick < 70) {
          vfs(pfQuery(), random.nextBoolean());
        } else if (pick < 80) {
          rescan();
        } else if (pick < 93) {
          getPfs();
        } else {
          readiness();
        }
        if (n == 4) {
          asked.countDown();
        }
      }
    }

    private String pfQuery() {
      int pick = random.nextInt(HOST.pfCount() * 2 + 1);
      if (pick == HOST.pfCount() * 2) {
        return "ib9";
      }
      int pf = pick / 2;
      return pick % 2 == 0 ? HOST.pfName(pf) : HOST.pfAddress(pf);
    }

    private void vfs(String pf, boolean conditional) throws Exception {
      String path = pf == null ? "/vfs" : "/vfs?pf=" + pf;
      String sent = conditional ? lastEtag.get(path) : null;
      if (conditional && sent == null && random.nextInt(4) == 0) {
        sent = "W/\"1\"";
      }
      NodeInventory before = inventory.current().orElse(null);
      HttpResponse<String> r = sent == null ? get(path) : get(path, "If-None-Match", sent);
      NodeInventory after = inventory.current().orElse(null);
      String what =
          "client " + id + " GET " + path + (sent == null ? "" : " If-None-Match " + sent);
      String kind = pf == null ? "vfs" : "vfs?pf";
      count(kind + " " + r.statusCode());
      switch (r.statusCode()) {
        case 200 -> {
          NodeInventory body = decode(what, r.body());
          if (body == null) {
            return;
          }
          String etag = r.headers().firstValue("ETag").orElse(null);
          String expected =
              pf == null || body.pfs().size() != 1
                  ? "W/\"" + body.generation() + "\""
                  : "W/\"" + body.generation() + "-" + body.pfs().get(0).pciAddress() + "\"";
          check(Objects.equals(etag, expected), what, "ETag " + etag + ", body says " + expected);
          check(
              sent == null || !sent.equals(etag),
              what,
              "200 although If-None-Match equals the ETag answered");
          seenGeneration(what, body.generation(), before, after);
          if (pf == null) {
            sameContent(what, body.generation(), body.pfs());
            if (sameGeneration(before, after)) {
              check(
                  body.pfs().equals(before.pfs()),
                  what,
                  "body differs from the inventory held throughout the request");
            }
          } else {
            check(body.pfs().size() == 1, what, body.pfs().size() + " PFs for ?pf=");
            if (body.pfs().size() == 1) {
              PhysicalFunction one = body.pfs().get(0);
              check(one.matches(pf), what, "answered PF " + one.pciAddress());
              List<PhysicalFunction> all = contentByGeneration.get(body.generation());
              if (all != null) {
                check(all.contains(one), what, "PF differs from the full inventory of its gen");
              }
              if (sameGeneration(before, after)) {
                check(before.pfs().contains(one), what, "PF differs from the inventory held");
              }
            }
          }
          lastEtag.put(path, etag);
        }
        case 304 -> {
          check(sent != null, what, "304 without If-None-Match");
          check(r.body().isEmpty(), what, "304 with a body");
          String etag = r.headers().firstValue("ETag").orElse(null);
          check(Objects.equals(etag, sent), what, "304 with ETag " + etag);
          if (sent != null) {
            long generation = generationOf(sent);
            seenGeneration(what, generation, before, after);
            if (pf != null && after != null && sameGeneration(before, after)) {
              String pci =
                  after.pfs().stream()
                      .filter(p -> p.matches(pf))
                      .map(PhysicalFunction::pciAddress)
                      .findFirst()
                      .orElse(null);
              check(
                  sent.equals("W/\"" + generation + "-" + pci + "\""),
                  what,
                  "304 but the PF is " + pci);
            }
          }
        }
        case 404 -> {
          JsonNode error = errorBody(what, r.body(), 404);
          check(pf != null, what, "404 without ?pf=");
          check(
              error != null && error.path("message").asText().startsWith("no PF '" + pf + "'"),
              what,
              "404 message " + r.body());
          if (pf != null && sameGeneration(before, after)) {
            check(
                before.pfs().stream().noneMatch(p -> p.matches(pf)),
                what,
                "404 for a PF the inventory held throughout the request has");
          }
        }
        case 503 -> {
          notReady(what, r, before);
        }
        default -> violation(what, "status " + r.statusCode() + ": " + r.body());
      }
    }

    private void rescan() throws Exception {
      NodeInventory before = inventory.current().orElse(null);
      long highestBefore = highest;
      HttpResponse<String> r = post("/rescan");
      NodeInventory after = inventory.current().orElse(null);
      String what = "client " + id + " POST /rescan";
      count("rescan " + r.statusCode());
      if (r.statusCode() != 200 && r.statusCode() != 503) {
        violation(what, "status " + r.statusCode() + ": " + r.body());
        return;
      }
      RescanAnswer answer = rescanAnswer(what, r, before, after);
      if (answer != null && answer.generation() != null) {
        check(
            answer.generation() >= highestBefore,
            what,
            "generation " + answer.generation() + " below " + highestBefore + " seen before");
        highest = Math.max(highest, answer.generation());
      }
    }

    private void getPfs() throws Exception {
      NodeInventory before = inventory.current().orElse(null);
      HttpResponse<String> r = get("/getpfs");
      NodeInventory after = inventory.current().orElse(null);
      String what = "client " + id + " GET /getpfs";
      count("getpfs " + r.statusCode());
      switch (r.statusCode()) {
        case 200 -> {
          JsonNode pfs = readTree(what, r.body());
          if (pfs == null) {
            return;
          }
          check(after != null, what, "200 without an inventory");
          check(pfs.isArray(), what, "not an array: " + r.body());
          for (JsonNode pf : pfs) {
            JsonNode vfs = pf.path("vfs");
            long allocated = 0;
            long minRates = 0;
            for (JsonNode vf : vfs) {
              allocated += vf.path("allocated").asBoolean() ? 1 : 0;
              minRates += vf.path("min_tx_rate").asLong();
            }
            check(pf.path("capacity_vfs").asInt() == vfs.size(), what, "capacity_vfs " + pf);
            check(pf.path("used_vfs").asLong() == allocated, what, "used_vfs " + pf);
            check(pf.path("used_tx_rate").asLong() == minRates, what, "used_tx_rate " + pf);
          }
          if (sameGeneration(before, after)) {
            check(
                ritOf(before).equals(ritSummary(pfs)),
                what,
                "differs from the inventory held throughout the request: " + r.body());
          }
        }
        case 503 -> notReady(what, r, before);
        default -> violation(what, "status " + r.statusCode() + ": " + r.body());
      }
    }

    private void readiness() throws Exception {
      HttpResponse<String> r = get("/actuator/health/readiness");
      String what = "client " + id + " GET readiness";
      count("readiness " + r.statusCode());
      JsonNode body = readTree(what, r.body());
      String status = body == null ? null : body.path("status").asText();
      check(
          r.statusCode() == 200 && "UP".equals(status)
              || r.statusCode() == 503 && "DOWN".equals(status),
          what,
          r.statusCode() + " " + r.body());
    }

    private void notReady(String what, HttpResponse<String> r, NodeInventory before) {
      check(before == null, what, "503 although an inventory was held before the request");
      JsonNode error = errorBody(what, r.body(), 503);
      check(
          error != null && error.path("message").asText().startsWith("no inventory yet: "),
          what,
          "503 message " + r.body());
    }

    /** A generation a body or a 304 showed: within the request's, never below an earlier one. */
    private void seenGeneration(
        String what, long generation, NodeInventory before, NodeInventory after) {
      check(
          generation >= highest, what, "generation " + generation + " after " + highest + " seen");
      highest = Math.max(highest, generation);
      check(after != null, what, "an inventory answered although none was held after");
      check(
          (before == null || before.generation() <= generation)
              && (after == null || generation <= after.generation()),
          what,
          "generation "
              + generation
              + " outside "
              + (before == null ? "none" : before.generation())
              + ".."
              + (after == null ? "none" : after.generation()));
    }
  }

  // --- the mutator ---------------------------------------------------------------------------

  private final class Mutator {

    private final Random random;
    private final CountDownLatch clientsAsked;

    Mutator(Random random, CountDownLatch clientsAsked) {
      this.random = random;
      this.clientsAsked = clientsAsked;
    }

    void run() throws Exception {
      // Scans fail until the clients asked the agent without an inventory a few times.
      awaitScans("startup", 2);
      check(clientsAsked.await(WAIT.toSeconds(), TimeUnit.SECONDS), "mutator", "clients idle");
      check(inventory.current().isEmpty(), "mutator", "an inventory while no scan could succeed");
      UNREADABLE.remove(DEVICES);
      awaitScans("first scan", 2);

      for (int step = 0; step < MUTATOR_STEPS; step++) {
        change(step);
        int pace = random.nextInt(10);
        if (pace < 6) {
          awaitScans("step " + step, 2); // the second one started after the change
        } else if (pace < 8) {
          rescan("mutator step " + step, true);
        } // else: the next change lands while a scan may be running
      }
      UNREADABLE.clear();
      HOST.restoreAttributes();
    }

    private void change(int step) throws Exception {
      int pf = random.nextInt(HOST.pfCount());
      int pick = random.nextInt(100);
      if (!HOST.present(pf)) {
        if (pick < 40) {
          HOST.addPf(pf, random.nextInt(ChangingHost.MAX_VFS + 1), this::someKind);
        }
        return;
      }
      int vfs = HOST.numVfs(pf);
      int vf = vfs == 0 ? -1 : random.nextInt(vfs);
      if (pick < 35 && vf >= 0) {
        HOST.setVf(pf, vf, someKind(vf));
      } else if (pick < 45 && vf >= 0) {
        if (!HOST.netnsGone(pf, vf)) {
          HOST.setVf(pf, vf, VfKind.CNI_ALLOCATED);
        }
      } else if (pick < 57) {
        HOST.setNumVfs(pf, random.nextInt(ChangingHost.MAX_VFS + 1), this::someKind);
      } else if (pick < 63) {
        HOST.removePf(pf);
      } else if (pick < 72) {
        HOST.toggleAttribute(pf, random.nextInt(3));
      } else if (pick < 80 && vf >= 0) {
        Path net = HOST.vfDir(pf, vf).resolve("net");
        if (!UNREADABLE.remove(net)) {
          UNREADABLE.add(net);
        }
      } else if (pick < 88) {
        HOST.portActive(pf, random.nextInt(3) != 0);
      } else if (pick < 96) {
        failedScan(step);
      } else {
        Path net = HOST.pfDir(pf).resolve("net");
        if (!UNREADABLE.remove(net)) {
          UNREADABLE.add(net); // the PF is named by its PCI address for a while
        }
      }
    }

    private VfKind someKind(int n) {
      VfKind[] kinds = VfKind.values();
      return random.nextInt(3) == 0 ? kinds[random.nextInt(kinds.length)] : VfKind.FREE;
    }

    /** The PCI device list cannot be listed: the scan fails, the last inventory is served. */
    private void failedScan(int step) throws Exception {
      UNREADABLE.add(DEVICES);
      try {
        RescanAnswer failed = rescan("mutator step " + step + " (device list unreadable)", false);
        check(failed == null || !failed.ok(), "mutator step " + step, "scan did not fail");
        HttpResponse<String> r = get("/vfs");
        check(r.statusCode() == 200, "mutator step " + step, "GET /vfs " + r.statusCode());
      } finally {
        UNREADABLE.remove(DEVICES);
      }
    }

    private RescanAnswer rescan(String what, boolean expectOk) throws Exception {
      NodeInventory before = inventory.current().orElse(null);
      HttpResponse<String> r = post("/rescan");
      NodeInventory after = inventory.current().orElse(null);
      count("rescan " + r.statusCode());
      check(r.statusCode() == (expectOk ? 200 : 503), what, r.statusCode() + " " + r.body());
      return rescanAnswer(what, r, before, after);
    }

    private void awaitScans(String what, int scans) throws InterruptedException {
      check(inventory.awaitScans(scans, WAIT), "mutator " + what, "no scan in " + WAIT);
    }
  }

  // --- checks shared by clients and mutator --------------------------------------------------

  private record RescanAnswer(boolean ok, boolean changed, Long generation, String error) {}

  /** A rescan's answer: consistent in itself and with the inventory held around the request. */
  private RescanAnswer rescanAnswer(
      String what, HttpResponse<String> r, NodeInventory before, NodeInventory after) {
    JsonNode body = readTree(what, r.body());
    if (body == null) {
      return null;
    }
    List<String> fields = new ArrayList<>();
    body.fieldNames().forEachRemaining(fields::add);
    check(fields.equals(List.of("ok", "changed", "generation", "error")), what, "fields " + fields);
    RescanAnswer a =
        new RescanAnswer(
            body.path("ok").asBoolean(),
            body.path("changed").asBoolean(),
            body.path("generation").isNull() ? null : body.path("generation").asLong(),
            body.path("error").isNull() ? null : body.path("error").asText());
    if (a.ok()) {
      check(r.statusCode() == 200, what, "ok with status " + r.statusCode());
      check(a.error() == null, what, "ok with error " + a.error());
      check(a.generation() != null, what, "ok without a generation");
    } else {
      check(r.statusCode() == 503, what, "not ok with status " + r.statusCode());
      check(!a.changed(), what, "a failed scan changed the inventory");
      check(
          a.error() != null && a.error().startsWith("cannot list " + DEVICES),
          what,
          "a scan failed that should not have: " + a.error());
      check(
          (a.generation() == null) == (after == null),
          what,
          "generation " + a.generation() + " with inventory " + after);
    }
    if (a.generation() != null) {
      check(
          (before == null || before.generation() <= a.generation())
              && (after != null && a.generation() <= after.generation()),
          what,
          "generation " + a.generation() + " outside the inventory's during the request");
      if (a.changed() && before != null) {
        check(a.generation() > before.generation(), what, "changed without a new generation");
      }
    }
    return a;
  }

  /** Same generation, same content (whoever saw it, whatever the scan time). */
  private void sameContent(String what, long generation, List<PhysicalFunction> pfs) {
    List<PhysicalFunction> first = contentByGeneration.putIfAbsent(generation, pfs);
    check(
        first == null || first.equals(pfs),
        what,
        "generation " + generation + " served with two contents");
  }

  private NodeInventory decode(String what, String body) {
    try {
      NodeInventory inv = JSON.readValue(body, NodeInventory.class);
      check(inv.node().equals("worker-7"), what, "node " + inv.node());
      Optional<String> problem = InventoryCheck.firstProblem(inv);
      check(problem.isEmpty(), what, "InventoryCheck: " + problem.orElse(null));
      check(
          inv.pfs().stream()
              .map(PhysicalFunction::pciAddress)
              .sorted()
              .toList()
              .equals(inv.pfs().stream().map(PhysicalFunction::pciAddress).toList()),
          what,
          "PFs not ordered by PCI address");
      return inv;
    } catch (IOException | RuntimeException e) {
      violation(what, "not a NodeInventory: " + e + ": " + body);
      return null;
    }
  }

  private JsonNode readTree(String what, String body) {
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      violation(what, "not JSON: " + body);
      return null;
    }
  }

  private JsonNode errorBody(String what, String body, int status) {
    JsonNode error = readTree(what, body);
    check(
        error != null
            && error.path("status").asInt() == status
            && error.has("timestamp")
            && error.has("error")
            && error.has("path"),
        what,
        "error body " + body);
    return error;
  }

  private static boolean sameGeneration(NodeInventory before, NodeInventory after) {
    return before != null && after != null && before.generation() == after.generation();
  }

  private static long generationOf(String etag) {
    String inner = etag.substring(3, etag.length() - 1);
    int dash = inner.indexOf('-');
    return Long.parseLong(dash < 0 ? inner : inner.substring(0, dash));
  }

  /** The RIT fields this agent derives, per PF: name, capacities, and each VF's index and use. */
  private static List<List<Object>> ritOf(NodeInventory inv) {
    List<List<Object>> out = new ArrayList<>();
    for (PhysicalFunction pf : inv.pfs()) {
      List<Object> row = new ArrayList<>();
      row.add(pf.name());
      row.add(pf.capacityMbps() == null ? 0L : pf.capacityMbps());
      for (VirtualFunction vf : pf.vfs()) {
        row.add(vf.index() + (vf.state() == VfState.FREE ? "" : "*"));
      }
      out.add(row);
    }
    return out;
  }

  private static List<List<Object>> ritSummary(JsonNode pfs) {
    List<List<Object>> out = new ArrayList<>();
    for (JsonNode pf : pfs) {
      List<Object> row = new ArrayList<>();
      row.add(pf.path("name").asText());
      row.add(pf.path("capacity_tx_rate").asLong());
      for (JsonNode vf : pf.path("vfs")) {
        row.add(vf.path("vf").asInt() + (vf.path("allocated").asBoolean() ? "*" : ""));
      }
      out.add(row);
    }
    return out;
  }

  // --- the end state -------------------------------------------------------------------------

  private void finalInventoryIsAFreshScanOfTheFinalHost() throws Exception {
    long[] countsBefore = inventory.counts();
    HttpResponse<String> rescan = post("/rescan");
    assertThat(rescan.statusCode()).as(rescan.body()).isEqualTo(200);
    long generation = JSON.readTree(rescan.body()).path("generation").asLong();

    HttpResponse<String> served = get("/vfs");
    assertThat(served.statusCode()).isEqualTo(200);
    NodeInventory inv = JSON.readValue(served.body(), NodeInventory.class);
    List<PhysicalFunction> fresh = new HostScanner(new Sysfs(ROOT), VfLinkInfoSource.none()).scan();
    assertThat(inv.pfs()).as("served after the host stopped changing").isEqualTo(fresh);
    assertThat(inv.generation()).as("no change after the final rescan").isEqualTo(generation);
    assertThat(InventoryCheck.firstProblem(inv)).isEmpty();
    assertThat(get("/actuator/health/readiness").statusCode()).isEqualTo(200);

    String metrics = get("/actuator/prometheus").body();
    long[] countsAfter;
    synchronized (inventory) {
      countsAfter = inventory.counts();
    }
    long scans = (long) metric(metrics, "k8s_rdma_agent_scan_seconds_count");
    long failures = (long) metric(metrics, "k8s_rdma_agent_scan_failures_total");
    assertThat(scans).as("successful scans counted").isBetween(countsBefore[0] + 1, countsAfter[0]);
    assertThat(failures).as("failed scans counted").isBetween(countsBefore[1], countsAfter[1]);
    assertThat(failures).as("scans failed before the first and on purpose").isGreaterThan(2);
    assertThat(metric(metrics, "k8s_rdma_agent_pfs")).isEqualTo(fresh.size());
    for (VfState state : VfState.values()) {
      long n =
          fresh.stream().flatMap(p -> p.vfs().stream()).filter(v -> v.state() == state).count();
      assertThat(metric(metrics, "k8s_rdma_agent_vfs{state=\"" + state + "\"}"))
          .as(state.name())
          .isEqualTo(n);
    }
  }

  private static double metric(String exposition, String name) {
    for (String line : exposition.split("\n")) {
      if (line.startsWith(name + " ")) {
        return Double.parseDouble(line.substring(name.length() + 1).strip());
      }
    }
    throw new AssertionError("no metric " + name + " in\n" + exposition);
  }

  // --- plumbing ------------------------------------------------------------------------------

  private void check(boolean ok, String what, String problem) {
    if (!ok) {
      violation(what, problem);
    }
  }

  private void violation(String what, String problem) {
    if (violations.size() < 50) {
      violations.add(what + ": " + problem);
    }
  }

  private void count(String key) {
    seen.computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet();
  }

  private Callable<Void> guarded(String who, ThrowingRunnable body) {
    return () -> {
      try {
        body.run();
      } catch (Exception | AssertionError e) {
        violation(who, "stopped by " + e);
        throw e;
      }
      return null;
    };
  }

  @FunctionalInterface
  private interface ThrowingRunnable {
    void run() throws Exception;
  }

  private HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(WAIT);
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(uri(path))
            .timeout(WAIT)
            .POST(HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }
}
