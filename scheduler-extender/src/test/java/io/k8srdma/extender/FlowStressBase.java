package io.k8srdma.extender;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.k8srdma.extender.ledger.Ledger;
import io.k8srdma.extender.ledger.PodLedgerSync;
import io.k8srdma.model.Annotations;
import io.k8srdma.model.assignment.AssignedInterface;
import io.k8srdma.model.assignment.Assignment;
import io.k8srdma.model.assignment.AssignmentCodec;
import io.k8srdma.model.inventory.LinkLayer;
import io.k8srdma.model.inventory.NodeInventory;
import io.k8srdma.model.inventory.PhysicalFunction;
import io.k8srdma.model.inventory.VfState;
import io.k8srdma.model.inventory.VirtualFunction;
import io.k8srdma.model.json.Json;
import io.k8srdma.model.placement.Commitments;
import io.k8srdma.model.placement.FitResult;
import io.k8srdma.model.placement.Placement;
import io.k8srdma.model.placement.PlacementOptions;
import io.k8srdma.model.request.PodRequest;
import io.k8srdma.model.request.PodRequestCodec;
import io.micrometer.core.instrument.MeterRegistry;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * A randomized, bounded and reproducible concurrency stress of the whole flow against the real
 * service, the mock API server and WireMock agents ({@link StressCluster}): several threads do what
 * kube-scheduler does (create the pod, filter, prioritize, bind to the best node) for pods with
 * RDMA requests of varied size and constraints, interleaved with what else happens to pods: bound
 * pods deleted, finished, re-created under their name or bound again (kube-scheduler's retry after
 * its {@code httpTimeout}); pending pods never bound or deleted; two binds of one pod at once; a
 * bind racing with the pod's deletion; Binding calls refused (with the pod readable afterwards, or
 * not: then bind keeps its decision in flight and, unless the pod shows it, it lapses after the
 * small in-flight timeout); Binding answers lost; stale informer copies; scheduling retries; and
 * agents that report the VFs of running pods as in use.
 *
 * <p>Each thread's operations come from a {@link Random} seeded from the seed, the phase and the
 * thread, so a run is reproducible up to the interleaving. Between phases, with every thread
 * stopped, it checks invariants rather than timings, from the pods in the API (the annotations
 * actually written), {@code GET /inventory}, the ledger, the metrics and fresh filter/prioritize
 * answers:
 *
 * <ul>
 *   <li>no VF is in the assignments of two live pods, every assigned VF is a free VF of its PF;
 *   <li>no PF's committed bandwidth (the pods' floors plus the agent's in-use VFs) exceeds its
 *       capacity times the oversubscription;
 *   <li>every bound pod carries an assignment for its node that matches its request (names, rates,
 *       link layer, PF pin, NUMA node);
 *   <li>a failed bind changed nothing on the pod (no node, the assignment it had before), except
 *       where the API could not say whether the Binding landed (then the assignment stays with
 *       {@code before-binding}, and nothing is written with {@code with-binding});
 *   <li>the ledger holds exactly the live pods' assignments once the informer caught up (so
 *       deletions, completions and lapsed in-flight decisions freed their VFs), and {@code
 *       /inventory} and the {@code ledger_pods} gauge agree with it;
 *   <li>filter and prioritize agree, node by node, with placement computed from scratch from the
 *       inventories and the pods' assignments (no reused verdict outlived what it depended on);
 *   <li>after every pod is deleted, the ledger becomes empty.
 * </ul>
 */
abstract class FlowStressBase {

  private static final Logger log = LoggerFactory.getLogger(FlowStressBase.class);
  private static final ObjectMapper JSON = Json.mapper();

  static final int THREADS = 6;
  static final int OPS_PER_THREAD_AND_PHASE = 10;
  static final Duration SETTLE = Duration.ofSeconds(20);
  static final String LABEL = "stress-pod";

  /** The API server's 403, for the requests the run makes it refuse. */
  private static final String FORBIDDEN =
      "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":"
          + "\"Forbidden\",\"message\":\"injected by the stress test\",\"code\":403}";

  @LocalServerPort int port;
  @Autowired Ledger ledger;
  @Autowired PodLedgerSync sync;
  @Autowired MeterRegistry registry;

  abstract StressCluster cluster();

  /** {@code bind.write-assignment=with-binding}, else {@code before-binding}. */
  abstract boolean withBinding();

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {7, 42, 1009})
  void concurrentSchedulingKeepsPodsLedgerAndInventoryConsistent(long seed, CapturedOutput output)
      throws Exception {
    new ExtenderHttp(port).awaitReady();
    assertThat(ledger.size()).as("the ledger is empty before seed %d", seed).isZero();
    Run run = new Run(seed, output);
    boolean done = false;
    try {
      run.phase(0, "fill", false);
      run.check("after fill");
      run.phase(1, "churn", true);
      run.check("after churn");
      run.phase(2, "churn again", true);
      run.check("after second churn");
      run.deleteAllAndAwaitEmptyLedger();
      done = true;
    } finally {
      if (!done) {
        run.cleanUp();
      }
      run.close();
    }
    log.info("stress seed {} ({}): {}", seed, withBinding() ? "with-binding" : "before", run.stats);
    assertThat(run.stats.getOrDefault("bound", 0)).as("binds that placed a pod").isPositive();
    assertThat(run.stats.getOrDefault("deleted", 0)).as("bound pods deleted").isPositive();
  }

  // --- the run ------------------------------------------------------------------------------

  private enum State {
    /** Created, being scheduled by one thread. */
    BUSY,
    /** Filtered and prioritized, never bound. */
    ABANDONED,
    /** No node passed filter. */
    UNSCHEDULABLE,
    /** Bind answered an error that left nothing behind. */
    FAILED,
    /** Bind answered an error and the API could not say whether the Binding landed. */
    UNSURE,
    BOUND,
    DELETED,
    /** Phase Succeeded. */
    FINISHED
  }

  /** What a thread does next, with its weights in the fill phase and the churn phases. */
  private enum Op {
    SCHEDULE(6, 5),
    /** Schedule, with the pod changed right before its bind: the informer's copy is stale. */
    SCHEDULE_STALE_COPY(2, 1),
    /** Schedule, with the pod changed while bind runs: its write may conflict. */
    SCHEDULE_CHANGED_DURING_BIND(1, 1),
    /** Filter and prioritize, never bind. */
    ABANDON(1, 1),
    BINDING_REFUSED(1, 1),
    BINDING_UNSURE(1, 1),
    ANSWER_LOST(1, 1),
    DELETE(0, 5),
    /** A bound pod's phase turns Succeeded. */
    FINISH(0, 1),
    BIND_DELETE_RACE(0, 2),
    /** Schedule again a pod that did not bind. */
    RETRY(0, 2),
    /** Delete a bound pod and create another under its name (a StatefulSet's). */
    RECREATE(0, 2),
    /** Bind a bound pod again, as kube-scheduler does when the first answer came too late. */
    REBIND(0, 1),
    /** Two binds of one pod at once, to the same node or two nodes. */
    DOUBLE_BIND(0, 2),
    /** Delete a pod that is not bound (never tried, unschedulable, failed, unsure). */
    DELETE_PENDING(0, 1),
    /** The agents report the VFs of the pods in the API now as in use, with their rates. */
    AGENT_SCAN(0, 2);

    final int fill;
    final int churn;

    Op(int fill, int churn) {
      this.fill = fill;
      this.churn = churn;
    }

    static Op pick(Random rng, boolean churn) {
      int total = 0;
      for (Op op : values()) {
        total += churn ? op.churn : op.fill;
      }
      int r = rng.nextInt(total);
      for (Op op : values()) {
        r -= churn ? op.churn : op.fill;
        if (r < 0) {
          return op;
        }
      }
      throw new IllegalStateException();
    }
  }

  /** Someone else changes the pod (a label) around its bind. */
  private enum Change {
    NONE,
    /** After the informer's copy, before the bind: bind's write with the copy conflicts. */
    BEFORE,
    /** While bind runs: its write may conflict, with the copy or with the pod it read. */
    DURING
  }

  /** What a bind is set up to meet in the API. */
  private enum Injection {
    NONE,
    /** The Binding is refused (403) and the pod can be read afterwards. */
    REFUSED,
    /** The Binding is refused and so is the next read of the pod: bind cannot tell. */
    UNSURE,
    /** The Binding is applied, its answer lost (500); the client's retry meets a 409. */
    LOST
  }

  /** One interface of a request as the test wrote it. */
  private record Iface(
      String name, long min, long max, String linkLayer, String pf, Integer numaNode) {}

  /**
   * A pod's RDMA request.
   *
   * @param ifaces the interfaces, empty for none
   * @param annotated written as {@code k8s-rdma.io/interfaces} (else only the resource count)
   * @param vfResource the {@code k8s-rdma.io/vf} count of its container, 0 for none
   */
  private record Req(List<Iface> ifaces, boolean annotated, int vfResource) {
    boolean rdma() {
      return !ifaces.isEmpty();
    }

    String nameOf(int i) {
      String n = ifaces.get(i).name();
      return n == null ? "net" + (i + 1) : n;
    }
  }

  /** A pod the run created, and what the run knows of it. */
  private static final class Tracked {
    final String name;
    final String uid;
    final Req req;
    final AtomicReference<State> state = new AtomicReference<>(State.BUSY);

    /** May be scheduled again (no injected API answer can be left over for it). */
    volatile boolean retryable = true;

    /** With-binding: bind kept an in-flight decision it could not settle, which must lapse. */
    volatile boolean lapsePending;

    Tracked(String name, String uid, Req req) {
      this.name = name;
      this.uid = uid;
      this.req = req;
    }

    @Override
    public String toString() {
      return name + " (" + uid + ", " + state.get() + ")";
    }
  }

  /** A live pod in the API with the assignment it carries, if any. */
  private record Live(Tracked tracked, Pod pod, Assignment assignment) {}

  /** What the two sides of a {@link Run#race race} returned. */
  private record Raced<A, B>(A first, B second) {}

  private final class Run implements AutoCloseable {
    final long seed;
    final String ns;
    final CapturedOutput output;
    final ExtenderHttp http = new ExtenderHttp(port);
    final KubernetesClient client = cluster().client;
    final List<String> nodes = cluster().nodes();

    /** Every pod the run created, by UID. */
    final Map<String, Tracked> pods = new ConcurrentHashMap<>();

    final Map<String, Integer> stats = new ConcurrentHashMap<>();

    /** Pods made by the current thread in the current phase. */
    final ThreadLocal<AtomicInteger> podsMade = ThreadLocal.withInitial(AtomicInteger::new);

    final AtomicInteger relabels = new AtomicInteger();
    final AtomicInteger boundAnswers = new AtomicInteger();
    final AtomicInteger errorAnswers = new AtomicInteger();
    final double boundBefore;
    final double failedBefore;
    final ExecutorService racers = Executors.newCachedThreadPool();
    final PlacementOptions options =
        PlacementOptions.defaults().withOversubscription(StressCluster.OVERSUBSCRIPTION);

    Run(long seed, CapturedOutput output) {
      this.seed = seed;
      this.ns = "stress-" + seed + (withBinding() ? "-wb" : "");
      this.output = output;
      this.boundBefore = binds("bound");
      this.failedBefore = binds("failed");
    }

    // --- phases ---------------------------------------------------------------------------

    void phase(int index, String name, boolean churn) throws Exception {
      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      CountDownLatch start = new CountDownLatch(1);
      try {
        List<Future<?>> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
          int thread = t;
          threads.add(
              pool.submit(
                  () -> {
                    start.await();
                    Random rng = new Random(seed * 1_000_003L + index * 101L + thread);
                    podsMade.get().set(0);
                    String prefix = "p" + index + "-" + thread + "-";
                    for (int i = 0; i < OPS_PER_THREAD_AND_PHASE; i++) {
                      Op op = Op.pick(rng, churn);
                      try {
                        run(op, rng, prefix);
                      } catch (Throwable e) {
                        throw new AssertionError(
                            String.format(
                                "seed %d, %s, phase %s, thread %d, operation %d (%s): %s",
                                seed,
                                withBinding() ? "with-binding" : "before-binding",
                                name,
                                thread,
                                i,
                                op,
                                e.getMessage()),
                            e);
                      }
                    }
                    return null;
                  }));
        }
        start.countDown();
        for (Future<?> f : threads) {
          try {
            f.get(120, TimeUnit.SECONDS);
          } catch (ExecutionException e) {
            if (e.getCause() instanceof AssertionError a) {
              throw a;
            }
            throw e;
          }
        }
      } finally {
        pool.shutdownNow();
      }
    }

    private void run(Op op, Random rng, String namePrefix) throws Exception {
      count("op " + op);
      switch (op) {
        case SCHEDULE ->
            schedule(create(rng, namePrefix, randomRequest(rng)), rng, Injection.NONE, Change.NONE);
        case SCHEDULE_STALE_COPY ->
            schedule(
                create(rng, namePrefix, randomRequest(rng)), rng, Injection.NONE, Change.BEFORE);
        case SCHEDULE_CHANGED_DURING_BIND ->
            schedule(
                create(rng, namePrefix, randomRequest(rng)), rng, Injection.NONE, Change.DURING);
        case ABANDON -> {
          Tracked p = create(rng, namePrefix, randomRequest(rng));
          choose(p, read(p.name), rng);
          p.state.set(State.ABANDONED);
        }
        case BINDING_REFUSED ->
            schedule(
                create(rng, namePrefix, smallRequest(rng)), rng, Injection.REFUSED, Change.NONE);
        case BINDING_UNSURE ->
            schedule(
                create(rng, namePrefix, smallRequest(rng)), rng, Injection.UNSURE, Change.NONE);
        case ANSWER_LOST ->
            schedule(create(rng, namePrefix, smallRequest(rng)), rng, Injection.LOST, Change.NONE);
        case DELETE -> {
          Tracked p = claim(rng, Set.of(State.BOUND), false);
          if (p != null) {
            delete(p, "deleted");
          }
        }
        case FINISH -> {
          Tracked p = claim(rng, Set.of(State.BOUND), false);
          if (p != null) {
            client
                .pods()
                .inNamespace(ns)
                .withName(p.name)
                .editStatus(
                    pod ->
                        new PodBuilder(pod)
                            .editStatus()
                            .withPhase("Succeeded")
                            .endStatus()
                            .build());
            p.state.set(State.FINISHED);
            count("finished");
          }
        }
        case BIND_DELETE_RACE -> bindDeleteRace(create(rng, namePrefix, randomRequest(rng)), rng);
        case RECREATE -> {
          Tracked old = claim(rng, Set.of(State.BOUND), false);
          if (old != null) {
            delete(old, "recreated");
            schedule(
                createNamed(old.name, rng, randomRequest(rng)), rng, Injection.NONE, Change.NONE);
          }
        }
        case REBIND -> {
          Tracked p = claim(rng, Set.of(State.BOUND), false);
          if (p != null) {
            rebind(p, rng);
          }
        }
        case DOUBLE_BIND -> doubleBind(create(rng, namePrefix, randomRequest(rng)), rng);
        case DELETE_PENDING -> {
          Tracked p =
              claim(
                  rng,
                  Set.of(State.ABANDONED, State.UNSCHEDULABLE, State.FAILED, State.UNSURE),
                  false);
          if (p != null) {
            delete(p, "deleted pending");
          }
        }
        case AGENT_SCAN ->
            cluster()
                .agentsSee(assignedInterfaces(client.pods().inNamespace(ns).list().getItems()));
        case RETRY -> {
          Tracked p = claim(rng, Set.of(State.FAILED, State.UNSCHEDULABLE, State.UNSURE), true);
          if (p != null) {
            count("retried");
            // Its earlier decision may now be replaced rather than lapse.
            p.lapsePending = false;
            schedule(p, rng, Injection.NONE, rng.nextBoolean() ? Change.NONE : Change.DURING);
          }
        }
      }
    }

    /** Takes a pod in one of {@code states} for this thread alone, or null when there is none. */
    private Tracked claim(Random rng, Set<State> states, boolean retry) {
      List<Tracked> candidates =
          pods.values().stream()
              .filter(p -> (p.retryable || !retry) && states.contains(p.state.get()))
              .sorted((a, b) -> a.name.compareTo(b.name))
              .toList();
      if (candidates.isEmpty()) {
        return null;
      }
      List<Tracked> order = new ArrayList<>(candidates);
      Collections.shuffle(order, rng);
      for (Tracked p : order) {
        State s = p.state.get();
        if (states.contains(s) && p.state.compareAndSet(s, State.BUSY)) {
          return p;
        }
      }
      return null;
    }

    /** Deletes a pod this thread claimed, counted in the stats as {@code what}. */
    private void delete(Tracked p, String what) {
      client.pods().inNamespace(ns).withName(p.name).delete();
      p.state.set(State.DELETED);
      count(what);
    }

    /**
     * Runs {@code first} and {@code second} on two {@link #racers} released together, so that they
     * overlap, and waits up to 60 seconds for each, first then second; a side that throws makes
     * {@code race} throw, as {@link Future#get} does (an {@link ExecutionException} around it).
     */
    private <A, B> Raced<A, B> race(Callable<A> first, Callable<B> second) throws Exception {
      CountDownLatch go = new CountDownLatch(1);
      Future<A> a =
          racers.submit(
              () -> {
                go.await();
                return first.call();
              });
      Future<B> b =
          racers.submit(
              () -> {
                go.await();
                return second.call();
              });
      go.countDown();
      return new Raced<>(a.get(60, TimeUnit.SECONDS), b.get(60, TimeUnit.SECONDS));
    }

    // --- kube-scheduler's part -------------------------------------------------------------

    /**
     * Filter, prioritize, bind to the best node (ties broken by the seed), and verify.
     *
     * @param change when someone else changes the pod
     */
    private void schedule(Tracked p, Random rng, Injection injection, Change change)
        throws Exception {
      Pod pod = read(p.name);
      String annotationBefore = annotationOf(pod);
      String node = choose(p, pod, rng);
      if (node == null) {
        p.state.set(annotationBefore == null ? State.UNSCHEDULABLE : State.UNSURE);
        return;
      }
      inject(p, injection);
      if (change == Change.BEFORE) {
        relabel(p);
      }
      JsonNode answer =
          change == Change.DURING
              ? race(() -> http.bind(pod, node), () -> relabel(p)).first()
              : http.bind(pod, node);
      verifyBind(p, node, injection, change, annotationBefore, answer);
    }

    /**
     * Someone else changes the pod (a merge patch of a label): a new resourceVersion.
     *
     * @return the pod as patched
     */
    private Pod relabel(Tracked p) {
      String patch =
          "{\"metadata\":{\"labels\":{\"changed\":\"" + relabels.incrementAndGet() + "\"}}}";
      return client
          .pods()
          .inNamespace(ns)
          .withName(p.name)
          .patch(PatchContext.of(PatchType.JSON_MERGE), patch);
    }

    /** Filter and prioritize over every node; the node to bind to, null when none passed. */
    private String choose(Tracked p, Pod pod, Random rng) {
      JsonNode filter = http.filter(pod, nodes);
      List<String> passing = ExtenderHttp.names(filter.get("nodenames"));
      JsonNode failed = filter.get("failedNodes");
      JsonNode unresolvable = filter.get("failedAndUnresolvableNodes");
      assertThat(unresolvable == null || unresolvable.isNull() || unresolvable.isEmpty())
          .as("filter of %s: no node is unusable: %s", p, filter)
          .isTrue();
      Set<String> answered = new HashSet<>(passing);
      if (failed != null && !failed.isNull()) {
        failed.fieldNames().forEachRemaining(n -> assertThat(answered.add(n)).isTrue());
        failed.forEach(reason -> assertThat(reason.asText()).isNotBlank());
      }
      assertThat(answered)
          .as("filter of %s answers every node once", p)
          .isEqualTo(Set.copyOf(nodes));
      if (!p.req.rdma()) {
        assertThat(passing).as("a pod without RDMA request passes everywhere").isEqualTo(nodes);
      }
      if (passing.isEmpty()) {
        count("unschedulable");
        return null;
      }
      JsonNode scores = http.prioritize(pod, passing);
      assertThat(scores).hasSize(passing.size());
      int best = -1;
      List<String> bestNodes = new ArrayList<>();
      for (int i = 0; i < passing.size(); i++) {
        JsonNode s = scores.get(i);
        assertThat(s.get("host").asText()).isEqualTo(passing.get(i));
        int score = s.get("score").asInt();
        assertThat(score).isBetween(0, Placement.MAX_SCORE);
        if (score > best) {
          best = score;
          bestNodes.clear();
        }
        if (score == best) {
          bestNodes.add(passing.get(i));
        }
      }
      return bestNodes.get(rng.nextInt(bestNodes.size()));
    }

    private void inject(Tracked p, Injection injection) {
      String path = "/api/v1/namespaces/" + ns + "/pods/" + p.name;
      switch (injection) {
        case NONE -> {}
        case REFUSED -> {
          p.retryable = false;
          refuseNextBinding(path);
        }
        case UNSURE -> {
          p.retryable = false;
          // Bind must start from the informer's copy, or its own first read would meet the 403.
          Await.until(
              "the informer has pod " + p.name, SETTLE, () -> sync.cached(ns, p.name).isPresent());
          refuseNextBinding(path);
          cluster().server.expect().get().withPath(path).andReturn(403, FORBIDDEN).once();
        }
        case LOST -> {
          p.retryable = false;
          cluster().api.api().loseNextAnswer(ns, p.name);
        }
      }
    }

    /** The mock API refuses the next Binding of the pod at {@code podPath} (403). */
    private void refuseNextBinding(String podPath) {
      cluster()
          .server
          .expect()
          .post()
          .withPath(podPath + "/binding")
          .andReturn(403, FORBIDDEN)
          .once();
    }

    private void verifyBind(
        Tracked p,
        String node,
        Injection injection,
        Change change,
        String annotationBefore,
        JsonNode answer) {
      Pod now = read(p.name);
      String annotation = annotationOf(now);
      String nodeName = now.getSpec().getNodeName();
      if (!answer.has("error")) {
        boundAnswers.incrementAndGet();
        assertThat(injection).as("%s: bind succeeded", p).isIn(Injection.NONE, Injection.LOST);
        assertThat(nodeName).as("%s: bound by the Binding", p).isEqualTo(node);
        if (p.req.rdma()) {
          assertThat(annotation).as("%s: bound with its assignment", p).isNotNull();
          assertConsistent(p, decode(annotation), node);
        } else {
          assertThat(annotation).as("%s: no RDMA, no assignment", p).isNull();
        }
        count(injection == Injection.LOST ? "bound after a lost answer" : "bound");
        p.state.set(State.BOUND);
        return;
      }
      errorAnswers.incrementAndGet();
      String error = answer.get("error").asText();
      assertThat(error)
          .as("%s: the error names the pod and node", p)
          .startsWith("k8s-rdma: cannot bind pod " + ns + "/" + p.name + " to node " + node + ": ");
      assertThat(nodeName).as("%s: a failed bind (%s) placed no pod", p, error).isNull();
      boolean apiError = error.contains("Kubernetes API");
      boolean conflict = error.endsWith("the pod changed meanwhile (conflict); retry");
      if (injection == Injection.NONE || !apiError) {
        // A placement race lost to another bind, or a change of the pod during the bind: nothing
        // written, nothing changed.
        assertThat(apiError && !(conflict && change == Change.DURING))
            .as("%s: only placement fails without injected API errors: %s", p, error)
            .isFalse();
        assertThat(annotation)
            .as("%s: a failed bind (%s) changed no assignment", p, error)
            .isEqualTo(annotationBefore);
        count(conflict ? "failed: conflict" : "failed: placement");
        p.state.set(annotationBefore == null ? State.FAILED : State.UNSURE);
        return;
      }
      switch (injection) {
        case REFUSED -> {
          assertThat(annotation).as("%s: a refused Binding leaves no assignment", p).isNull();
          count("failed: binding refused");
          p.retryable = true;
          p.state.set(State.FAILED);
        }
        case UNSURE -> {
          if (withBinding()) {
            assertThat(annotation).as("%s: with-binding wrote nothing", p).isNull();
          } else {
            assertThat(annotation)
                .as("%s: the assignment stays while bind cannot tell", p)
                .isNotNull();
            assertConsistent(p, decode(annotation), node);
          }
          p.lapsePending = withBinding();
          count("failed: unsure");
          p.state.set(State.UNSURE);
          // Its leftovers are consumed, so the scheduler may try it again.
          p.retryable = true;
        }
        default ->
            throw new AssertionError(p + ": unexpected error with " + injection + ": " + error);
      }
    }

    /** Binds while another thread deletes the pod: either may come first. */
    private void bindDeleteRace(Tracked p, Random rng) throws Exception {
      Pod pod = read(p.name);
      String node = choose(p, pod, rng);
      if (node != null) {
        JsonNode answer =
            race(
                    () -> http.bind(pod, node),
                    () -> client.pods().inNamespace(ns).withName(p.name).delete())
                .first();
        (answer.has("error") ? errorAnswers : boundAnswers).incrementAndGet();
        count(answer.has("error") ? "race: bind failed" : "race: bind won");
      } else {
        client.pods().inNamespace(ns).withName(p.name).delete();
      }
      p.state.set(State.DELETED);
    }

    /**
     * Binds a bound pod again: to its node it is a success that changes nothing, to another node an
     * error that writes nothing.
     */
    private void rebind(Tracked p, Random rng) {
      Pod pod = read(p.name);
      String node = pod.getSpec().getNodeName();
      String annotation = annotationOf(pod);
      String target = rng.nextBoolean() ? node : nodes.get(rng.nextInt(nodes.size()));
      JsonNode answer = http.bind(pod, target);
      Pod now = read(p.name);
      assertThat(now.getSpec().getNodeName()).as("%s: still on its node", p).isEqualTo(node);
      assertThat(annotationOf(now))
          .as("%s: same assignment after a rebind", p)
          .isEqualTo(annotation);
      if (target.equals(node)) {
        assertThat(answer.has("error")).as("%s: bound again to its node: %s", p, answer).isFalse();
        boundAnswers.incrementAndGet();
        count("rebound to its node");
      } else {
        assertThat(answer.get("error").asText())
            .as("%s: rebound elsewhere", p)
            .endsWith("the pod is already bound to node " + node);
        errorAnswers.incrementAndGet();
        count("rebind elsewhere refused");
      }
      p.state.set(State.BOUND);
    }

    /** Two binds of one pod at once: one may win, the other writes nothing. */
    private void doubleBind(Tracked p, Random rng) throws Exception {
      Pod pod = read(p.name);
      String first = choose(p, pod, rng);
      if (first == null) {
        p.state.set(State.UNSCHEDULABLE);
        return;
      }
      String second = rng.nextBoolean() ? first : nodes.get(rng.nextInt(nodes.size()));
      Raced<JsonNode, JsonNode> answers =
          race(() -> http.bind(pod, first), () -> http.bind(pod, second));
      JsonNode ra = answers.first();
      JsonNode rb = answers.second();
      List<String> won = new ArrayList<>();
      for (JsonNode r : List.of(ra, rb)) {
        (r.has("error") ? errorAnswers : boundAnswers).incrementAndGet();
      }
      if (!ra.has("error")) {
        won.add(first);
      }
      if (!rb.has("error")) {
        won.add(second);
      }
      Pod now = read(p.name);
      String annotation = annotationOf(now);
      if (won.isEmpty()) {
        assertThat(now.getSpec().getNodeName())
            .as("%s: neither bind placed it: %s %s", p, ra, rb)
            .isNull();
        assertThat(annotation).as("%s: neither bind left an assignment: %s %s", p, ra, rb).isNull();
        count("double bind: both failed");
        p.state.set(State.FAILED);
        return;
      }
      assertThat(Set.copyOf(won))
          .as("%s: binds to two nodes cannot both succeed: %s %s", p, ra, rb)
          .hasSize(1);
      assertThat(now.getSpec().getNodeName())
          .as("%s: on the node of the bind that won", p)
          .isEqualTo(won.get(0));
      if (p.req.rdma()) {
        assertConsistent(p, decode(annotation), won.get(0));
      } else {
        assertThat(annotation).isNull();
      }
      count(won.size() == 2 ? "double bind: both succeeded" : "double bind: one won");
      p.state.set(State.BOUND);
    }

    // --- pods and requests -----------------------------------------------------------------

    /** Creates a pod named after the phase, the thread and its count there. */
    private Tracked create(Random rng, String namePrefix, Req req) {
      return createNamed(namePrefix + podsMade.get().incrementAndGet(), rng, req);
    }

    private Tracked createNamed(String name, Random rng, Req req) {
      Pod created =
          client
              .pods()
              .inNamespace(ns)
              .resource(buildPod(name, new UUID(rng.nextLong(), rng.nextLong()).toString(), req))
              .create();
      // The API server gives the pod its UID.
      Tracked t = new Tracked(name, created.getMetadata().getUid(), req);
      assertThat(pods.put(t.uid, t)).isNull();
      return t;
    }

    private Pod buildPod(String name, String uid, Req req) {
      PodBuilder b =
          TestPods.pod(ns, name, uid, "Pending")
              .editMetadata()
              .addToLabels(LABEL, name)
              .endMetadata()
              .editSpec()
              .withSchedulerName("k8s-rdma-scheduler")
              .endSpec();
      if (req.annotated()) {
        b.editMetadata().addToAnnotations(Annotations.INTERFACES, json(req)).endMetadata();
      }
      if (req.vfResource() > 0) {
        Quantity n = new Quantity(String.valueOf(req.vfResource()));
        b.editSpec()
            .editFirstContainer()
            .withNewResources()
            .addToRequests(PodRequestCodec.VF_RESOURCE, n)
            .addToLimits(PodRequestCodec.VF_RESOURCE, n)
            .endResources()
            .endContainer()
            .endSpec();
      }
      return b.build();
    }

    /** Requests of 1 to 3 interfaces with floors up to 60 Gb/s, some constrained. */
    private Req randomRequest(Random rng) {
      int kind = rng.nextInt(100);
      if (kind < 4) {
        return new Req(List.of(), false, 0);
      }
      if (kind < 10) {
        int n = 1 + rng.nextInt(2);
        List<Iface> any = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          any.add(new Iface(null, 0, 0, null, null, null));
        }
        return new Req(any, false, n);
      }
      int n = rng.nextInt(10) < 6 ? 1 : rng.nextInt(4) < 3 ? 2 : 3;
      boolean named = rng.nextInt(5) == 0;
      List<Iface> ifaces = new ArrayList<>();
      long[] floors = {0, 10_000, 20_000, 25_000, 40_000, 60_000};
      for (int i = 0; i < n; i++) {
        long min = floors[rng.nextInt(floors.length)];
        long max = rng.nextBoolean() ? 0 : Math.max(min, 5_000) * (1 + rng.nextInt(2));
        String linkLayer = null;
        String pf = null;
        Integer numa = null;
        int c = rng.nextInt(20);
        if (c < 2) {
          linkLayer = "InfiniBand";
        } else if (c == 2) {
          linkLayer = rng.nextBoolean() ? "Ethernet" : "RoCE";
        } else if (c == 3) {
          List<PhysicalFunction> all = cluster().pfs();
          PhysicalFunction target = all.get(rng.nextInt(all.size()));
          pf = rng.nextBoolean() ? target.name() : target.pciAddress().toUpperCase();
        } else if (c == 4) {
          numa = rng.nextInt(2);
        }
        ifaces.add(new Iface(named ? "rdma" + i : null, min, max, linkLayer, pf, numa));
      }
      return new Req(ifaces, true, rng.nextInt(10) == 0 ? n : 0);
    }

    /** One interface without floor: it fits wherever a VF is free, so injections get used. */
    private Req smallRequest(Random rng) {
      return new Req(
          List.of(new Iface(null, 0, rng.nextBoolean() ? 0 : 25_000, null, null, null)), true, 0);
    }

    private String json(Req req) {
      List<Map<String, Object>> entries = new ArrayList<>();
      for (Iface i : req.ifaces()) {
        Map<String, Object> e = new LinkedHashMap<>();
        if (i.name() != null) {
          e.put("name", i.name());
        }
        e.put("minTxRateMbps", i.min());
        if (i.max() != 0) {
          e.put("maxTxRateMbps", i.max());
        }
        if (i.linkLayer() != null) {
          e.put("linkLayer", i.linkLayer());
        }
        if (i.pf() != null) {
          e.put("pf", i.pf());
        }
        if (i.numaNode() != null) {
          e.put("numaNode", i.numaNode());
        }
        entries.add(e);
      }
      try {
        return JSON.writeValueAsString(entries);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }

    /** The pod as the API has it now (by label: a read by name may be an injected answer). */
    private Pod read(String name) {
      List<Pod> found = client.pods().inNamespace(ns).withLabel(LABEL, name).list().getItems();
      assertThat(found).as("pod %s in the API", name).hasSize(1);
      return found.get(0);
    }

    // --- invariants ------------------------------------------------------------------------

    /** An assignment the API shows for {@code p} on {@code node} matches its request and node. */
    private void assertConsistent(Tracked p, Assignment a, String node) {
      assertThat(a.node()).as("%s: assignment's node", p).isEqualTo(node);
      NodeInventory inventory = cluster().inventories.get(node);
      assertThat(a.interfaces()).as("%s: one VF per interface", p).hasSize(p.req.ifaces().size());
      Map<String, AssignedInterface> byName = new HashMap<>();
      a.interfaces().forEach(i -> byName.put(i.name(), i));
      Set<String> vfs = new HashSet<>();
      for (int i = 0; i < p.req.ifaces().size(); i++) {
        Iface want = p.req.ifaces().get(i);
        AssignedInterface got = byName.get(p.req.nameOf(i));
        assertThat(got).as("%s: interface %s assigned in %s", p, p.req.nameOf(i), a).isNotNull();
        assertThat(got.minTxRateMbps()).as("%s: floor", p).isEqualTo(want.min());
        assertThat(got.maxTxRateMbps()).as("%s: ceiling", p).isEqualTo(want.max());
        PhysicalFunction pf =
            inventory.pfs().stream()
                .filter(x -> x.pciAddress().equalsIgnoreCase(got.pf()))
                .findFirst()
                .orElseThrow(() -> new AssertionError(p + ": PF " + got.pf() + " not on " + node));
        VirtualFunction vf =
            pf.vfs().stream()
                .filter(x -> x.pciAddress().equalsIgnoreCase(got.vf()))
                .findFirst()
                .orElseThrow(
                    () -> new AssertionError(p + ": VF " + got.vf() + " not on " + got.pf()));
        assertThat(vf.state())
            .as("%s: VF %s is free on its agent before any pod", p, got.vf())
            .isEqualTo(VfState.FREE);
        assertThat(vfs.add(got.vf())).as("%s: distinct VFs in %s", p, a).isTrue();
        if (want.linkLayer() != null) {
          LinkLayer ll =
              want.linkLayer().equals("RoCE")
                  ? LinkLayer.ETHERNET
                  : LinkLayer.parse(want.linkLayer()).orElseThrow();
          assertThat(pf.linkLayer()).as("%s: link layer", p).isEqualTo(ll);
        }
        if (want.pf() != null) {
          assertThat(pf.matches(want.pf()))
              .as("%s: pinned to %s, got %s", p, want.pf(), pf.name())
              .isTrue();
        }
        if (want.numaNode() != null) {
          assertThat(pf.numaNode()).as("%s: NUMA node", p).isEqualTo(want.numaNode());
        }
      }
    }

    /** The live pods of the run in the API, each checked against what the run knows of it. */
    private List<Live> live(String when) {
      List<Pod> all = client.pods().inNamespace(ns).list().getItems();
      Set<String> seen = new HashSet<>();
      List<Live> live = new ArrayList<>();
      for (Pod pod : all) {
        Tracked t = pods.get(pod.getMetadata().getUid());
        assertThat(t)
            .as("%s: pod %s was created by the run", when, pod.getMetadata().getName())
            .isNotNull();
        seen.add(t.uid);
        State s = t.state.get();
        assertThat(s).as("%s: %s is in the API", when, t).isNotIn(State.DELETED, State.BUSY);
        String annotation = annotationOf(pod);
        String node = pod.getSpec().getNodeName();
        boolean finished = "Succeeded".equals(pod.getStatus().getPhase());
        assertThat(finished).as("%s: %s finished", when, t).isEqualTo(s == State.FINISHED);
        if (s == State.BOUND || s == State.FINISHED) {
          assertThat(node).as("%s: %s has its node", when, t).isNotNull();
          if (t.req.rdma()) {
            assertThat(annotation).as("%s: bound %s has its assignment", when, t).isNotNull();
            assertConsistent(t, decode(annotation), node);
          } else {
            assertThat(annotation).isNull();
          }
        } else {
          assertThat(node).as("%s: %s has no node", when, t).isNull();
          if (s == State.UNSURE && !withBinding() && annotation != null) {
            assertConsistent(t, decode(annotation), decode(annotation).node());
          } else {
            assertThat(annotation).as("%s: %s, never bound, has no assignment", when, t).isNull();
          }
        }
        if (!finished) {
          live.add(new Live(t, pod, annotation == null ? null : decode(annotation)));
        }
      }
      pods.values().stream()
          .filter(t -> !seen.contains(t.uid))
          .forEach(
              t ->
                  assertThat(t.state.get())
                      .as("%s: %s is gone from the API", when, t)
                      .isEqualTo(State.DELETED));
      return live;
    }

    /** The interfaces of the pods that run (bound, not finished), by VF. */
    private Map<String, AssignedInterface> assignedInterfaces(List<Pod> pods) {
      Map<String, AssignedInterface> byVf = new HashMap<>();
      for (Pod pod : pods) {
        String annotation = annotationOf(pod);
        if (annotation != null
            && pod.getSpec().getNodeName() != null
            && !"Succeeded".equals(pod.getStatus().getPhase())) {
          decode(annotation).interfaces().forEach(i -> byVf.put(i.vf(), i));
        }
      }
      return byVf;
    }

    /** {@code GET /inventory}. */
    private JsonNode inventoryView() {
      try {
        return JSON.readTree(http.getRaw("/inventory").body());
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }

    /** What the live pods' assignments commit on {@code node}, leaving out {@code exceptUid}. */
    private Commitments committed(List<Live> live, String node, String exceptUid) {
      return Commitments.of(
          live.stream()
              .filter(l -> l.assignment() != null && l.assignment().node().equals(node))
              .filter(l -> !l.tracked().uid.equals(exceptUid))
              .map(Live::assignment)
              .toList());
    }

    /** Whether the ledger holds exactly the live pods' assignments; else what differs. */
    private String ledgerDiff(List<Live> live) {
      List<String> diffs = new ArrayList<>();
      Map<String, Assignment> expected = new HashMap<>();
      live.stream()
          .filter(l -> l.assignment() != null)
          .forEach(l -> expected.put(l.tracked().uid, l.assignment()));
      for (Tracked t : pods.values()) {
        Assignment want = expected.get(t.uid);
        Assignment got = ledger.assignmentOf(t.uid).orElse(null);
        if (!Objects.equals(want, got)) {
          diffs.add(t + ": ledger " + got + ", pods " + want);
        }
      }
      for (String node : nodes) {
        Commitments want = committed(live, node, null);
        Commitments got = ledger.commitmentsOn(node, null);
        if (!want.equals(got)) {
          diffs.add(node + ": ledger " + got + ", pods " + want);
        }
      }
      if (ledger.size() != expected.size()) {
        diffs.add(
            "ledger size " + ledger.size() + ", live pods with an assignment " + expected.size());
      }
      return diffs.isEmpty() ? null : String.join("\n", diffs);
    }

    void check(String when) throws Exception {
      // The informer and the in-flight timeout settle the ledger; the pods do not change now.
      List<Live> live = live(when);
      AtomicReference<String> diff = new AtomicReference<>(ledgerDiff(live));
      try {
        Await.until(
            when + ": the ledger holds the live pods' assignments",
            SETTLE,
            () -> {
              diff.set(ledgerDiff(live));
              return diff.get() == null;
            });
      } catch (AssertionError e) {
        throw new AssertionError(e.getMessage() + " (seed " + seed + "):\n" + diff.get(), e);
      }
      assertThat(live(when))
          .as("%s: the pods did not change while the ledger settled", when)
          .hasSameSizeAs(live);

      // No VF twice, no PF over its capacity times the oversubscription.
      Map<String, String> holderOfVf = new HashMap<>();
      Map<String, Long> floorsByPf = new TreeMap<>();
      for (Live l : live) {
        if (l.assignment() == null) {
          continue;
        }
        for (AssignedInterface i : l.assignment().interfaces()) {
          String other = holderOfVf.put(i.vf(), l.tracked().name);
          assertThat(other)
              .as("%s: VF %s is held by %s and %s", when, i.vf(), other, l.tracked().name)
              .isNull();
          floorsByPf.merge(i.pf(), i.minTxRateMbps(), Long::sum);
        }
      }
      for (PhysicalFunction pf : cluster().pfs()) {
        long agentFloors =
            pf.vfs().stream()
                .filter(v -> v.state() == VfState.IN_USE)
                .mapToLong(v -> v.minTxRateMbps() == null ? 0 : v.minTxRateMbps())
                .sum();
        long limit =
            new BigDecimal(pf.capacityMbps())
                .multiply(BigDecimal.valueOf(StressCluster.OVERSUBSCRIPTION))
                .setScale(0, RoundingMode.FLOOR)
                .longValueExact();
        long committed = agentFloors + floorsByPf.getOrDefault(pf.pciAddress(), 0L);
        assertThat(committed)
            .as("%s: committed on PF %s (limit %d)", when, pf.name(), limit)
            .isLessThanOrEqualTo(limit);
      }

      // What operators see.
      JsonNode inventory = inventoryView();
      Map<String, Integer> shown = new TreeMap<>();
      inventory.forEach(n -> shown.put(n.get("node").asText(), n.get("ledgerPods").asInt()));
      Map<String, Integer> expected = new TreeMap<>();
      nodes.forEach(n -> expected.put(n, 0));
      live.stream()
          .filter(l -> l.assignment() != null)
          .forEach(l -> expected.merge(l.assignment().node(), 1, Integer::sum));
      assertThat(shown).as("%s: /inventory ledgerPods", when).isEqualTo(expected);
      inventory.forEach(
          n ->
              assertThat(n.get("usable").asBoolean())
                  .as("%s: %s usable", when, n.get("node"))
                  .isTrue());
      assertThat(registry.get("k8s_rdma_extender_ledger_pods").gauge().value())
          .as("%s: ledger_pods gauge", when)
          .isEqualTo(expected.values().stream().mapToInt(Integer::intValue).sum());
      assertThat(binds("bound") - boundBefore)
          .as("%s: binds_total{bound}", when)
          .isEqualTo(boundAnswers.get());
      assertThat(binds("failed") - failedBefore)
          .as("%s: binds_total{failed}", when)
          .isEqualTo(errorAnswers.get());

      // Decisions that bind could not settle: with-binding's lapsed; before-binding's are held
      // through the assignment it left (checked above with the ledger).
      if (withBinding()) {
        for (Tracked t : pods.values()) {
          if (t.lapsePending && t.state.get() == State.UNSURE) {
            // Expired already (the ledger no longer counts it); the upkeep forgets it next.
            Await.until(
                when + ": the in-flight decision of " + t + " lapsed (seed " + seed + ")",
                SETTLE,
                () -> output.getOut().contains("in-flight decision for pod " + t.uid + " expired"));
          }
        }
      }

      // The agents now see exactly the running pods' VFs in use; placement counts each once.
      cluster().agentsSee(assignedInterfaces(live.stream().map(Live::pod).toList()));
      Await.until(
          when + ": the extender polled the agents' inventories",
          SETTLE,
          () -> {
            for (JsonNode n : inventoryView()) {
              long served = cluster().served(n.get("node").asText()).generation();
              if (n.get("inventory").get("generation").asLong() != served) {
                return false;
              }
            }
            return true;
          });
      probe(when, live);
    }

    /**
     * Filter and prioritize now agree with placement from scratch: for new pods, and for live pods
     * whose own entry must be left out.
     */
    private void probe(String when, List<Live> live) throws Exception {
      Random rng = new Random(seed * 7919 + when.hashCode());
      List<Pod> probes = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        Req req = randomRequest(rng);
        if (req.rdma()) {
          probes.add(
              buildPod("probe-" + i, new UUID(rng.nextLong(), rng.nextLong()).toString(), req));
        }
      }
      live.stream().filter(l -> l.assignment() != null).limit(3).forEach(l -> probes.add(l.pod()));
      for (Pod probe : probes) {
        PodRequest request = PodRequestCodec.read(probe).orElseThrow();
        String uid = probe.getMetadata().getUid();
        JsonNode filter = http.filter(probe, nodes);
        List<String> passing = ExtenderHttp.names(filter.get("nodenames"));
        JsonNode scores = http.prioritize(probe, nodes);
        for (int n = 0; n < nodes.size(); n++) {
          String node = nodes.get(n);
          FitResult expected =
              Placement.fit(cluster().served(node), committed(live, node, uid), request, options);
          String what =
              String.format(
                  "%s: %s of %s on %s", when, request, probe.getMetadata().getName(), node);
          assertThat(passing.contains(node))
              .as("filter " + what + ": " + filter)
              .isEqualTo(expected.fits());
          assertThat(scores.get(n).get("score").asInt())
              .as("prioritize " + what)
              .isEqualTo(expected instanceof FitResult.Fit f ? f.score() : 0);
        }
      }
    }

    void deleteAllAndAwaitEmptyLedger() {
      client.pods().inNamespace(ns).delete();
      pods.values().forEach(t -> t.state.set(State.DELETED));
      Await.until(
          "the pods are gone from the API",
          SETTLE,
          () -> client.pods().inNamespace(ns).list().getItems().isEmpty());
      Await.until("the ledger is empty (seed " + seed + ")", SETTLE, () -> ledger.size() == 0);
      for (String node : nodes) {
        assertThat(ledger.commitmentsOn(node, null))
            .as("nothing committed on %s", node)
            .isEqualTo(Commitments.none());
      }
      JsonNode inventory = inventoryView();
      inventory.forEach(
          n ->
              assertThat(n.get("ledgerPods").asInt())
                  .as("ledgerPods of %s", n.get("node"))
                  .isZero());
      assertThat(registry.get("k8s_rdma_extender_ledger_pods").gauge().value()).isZero();
    }

    /** After a failure: removes the run's pods so that the next seed starts from nothing. */
    void cleanUp() {
      try {
        client.pods().inNamespace(ns).delete();
        Await.until("cleanup", SETTLE, () -> ledger.size() == 0);
      } catch (RuntimeException | AssertionError e) {
        log.warn("cleanup after seed {} failed: {}", seed, e.toString());
      }
    }

    private void count(String what) {
      stats.merge(what, 1, Integer::sum);
    }

    @Override
    public void close() {
      racers.shutdownNow();
    }
  }

  // --- helpers ------------------------------------------------------------------------------

  private double binds(String result) {
    return registry.get("k8s_rdma_extender_binds").tag("result", result).counter().count();
  }

  private static String annotationOf(Pod pod) {
    Map<String, String> a = pod.getMetadata().getAnnotations();
    return a == null ? null : a.get(Annotations.ASSIGNMENT);
  }

  private static Assignment decode(String annotation) {
    try {
      return AssignmentCodec.decode(annotation);
    } catch (Exception e) {
      throw new AssertionError("unreadable assignment " + annotation, e);
    }
  }
}
