package io.k8srdma.bench.extender;

import io.k8srdma.model.inventory.NodeInventory;
import io.k8srdma.model.placement.Commitments;
import io.k8srdma.model.placement.FitResult;
import io.k8srdma.model.placement.Placement;
import io.k8srdma.model.placement.PlacementOptions;
import io.k8srdma.model.placement.PreparedRequest;
import io.k8srdma.model.request.InterfaceRequest;
import io.k8srdma.model.request.PodRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The placement algorithm alone, without HTTP or the extender's caches: what one filter pass costs
 * for one pod over the candidate nodes kube-scheduler sends at 5,000 nodes (500), with the same
 * generated inventories and pod requests as {@link ExtenderBenchmark}.
 *
 * <ul>
 *   <li>{@code prepare}: the pod-independent half ({@link Placement#prepare}) for every candidate,
 *       which the extender redoes only for nodes whose inventory or ledger entries changed;
 *   <li>{@code fitPrepared}: {@link Placement#fit} of one prepared pod on every prepared candidate,
 *       the per-pod work of filter (prioritize reuses its verdicts);
 *   <li>{@code fitFromScratch}: both, as bind does for its one node.
 * </ul>
 *
 * Run: {@code java -cp "bench/target/classes:$(cat bench/target/classpath.txt)"
 * org.openjdk.jmh.Main PlacementBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PlacementBenchmark {

  /** Requests cycled through, so the branch predictor cannot learn one. */
  private static final int REQUESTS = 256;

  @Param("500")
  int candidates;

  private final PlacementOptions options = PlacementOptions.defaults();
  private List<NodeInventory> inventories;
  private List<Placement.PreparedNode> prepared;
  private PodRequest[] requests;
  private int next;

  @Setup(Level.Trial)
  public void setUp() {
    SimulatedCluster cluster = new SimulatedCluster(5_000);
    inventories = new ArrayList<>();
    prepared = new ArrayList<>();
    // A window of the node list, as the scheduler's round-robin start index gives.
    for (int i = 0; i < candidates; i++) {
      NodeInventory inventory = cluster.inventory(1_000 + i);
      inventories.add(inventory);
      prepared.add(Placement.prepare(inventory, Commitments.none(), options));
    }
    SplittableRandom rnd = new SplittableRandom(42);
    requests = new PodRequest[REQUESTS];
    for (int r = 0; r < REQUESTS; r++) {
      requests[r] = request(rnd);
    }
  }

  /** 1–4 interfaces with floors 0–50 Gb/s in 5 Gb/s steps, as {@code PodFactory}. */
  private static PodRequest request(SplittableRandom rnd) {
    int count = 1 + rnd.nextInt(4);
    List<InterfaceRequest> list = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      list.add(new InterfaceRequest("net" + i, 5_000L * rnd.nextInt(11), 0, null, null, null));
    }
    return new PodRequest(list);
  }

  private PodRequest nextRequest() {
    PodRequest r = requests[next];
    next = (next + 1) % REQUESTS;
    return r;
  }

  @Benchmark
  public void prepare(Blackhole bh) {
    for (NodeInventory inventory : inventories) {
      bh.consume(Placement.prepare(inventory, Commitments.none(), options));
    }
  }

  @Benchmark
  public int fitPrepared() {
    PreparedRequest request = Placement.prepare(nextRequest());
    int fits = 0;
    for (Placement.PreparedNode node : prepared) {
      FitResult fit = Placement.fit(node, request);
      fits += fit.fits() ? 1 : 0;
    }
    return fits;
  }

  @Benchmark
  public int fitFromScratch() {
    PodRequest request = nextRequest();
    int fits = 0;
    for (NodeInventory inventory : inventories) {
      fits += Placement.fit(inventory, Commitments.none(), request, options).fits() ? 1 : 0;
    }
    return fits;
  }
}
