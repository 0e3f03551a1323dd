package io.k8srdma.model.placement;

import io.k8srdma.model.extender.HostPriority;
import io.k8srdma.model.inventory.NodeInventory;
import io.k8srdma.model.inventory.VirtualFunction;
import io.k8srdma.model.request.InterfaceRequest;
import io.k8srdma.model.request.PodRequest;
import java.util.List;
import java.util.Optional;

/**
 * Decides whether a node can take a pod's RDMA interfaces, with which VFs, and how good a choice
 * the node is. A pure function of its arguments (each thread reuses the arrays of one search, see
 * {@code Search}, but nothing of them outlives a call).
 *
 * <h2>Rules</h2>
 *
 * <ul>
 *   <li>A VF is usable when the agent reports it {@code FREE} and the ledger has not given it out.
 *   <li>A PF's committed bandwidth is the sum of the floors ({@code minTxRateMbps}, 0 when unknown)
 *       of its VFs the agent reports {@code IN_USE}, plus what the ledger commits on it; a VF both
 *       in use and in the ledger is counted once, through the ledger.
 *   <li>A PF takes a set of interfaces when it has that many usable VFs and committed plus their
 *       floors stays within {@code capacityMbps x oversubscription}. Interfaces without a floor
 *       need only a VF: they commit nothing, so they fit even on a PF whose capacity is unknown
 *       (which takes nothing else) or already over-committed.
 *   <li>Each interface's {@code linkLayer}, {@code pf} (netdev name or PCI address) and {@code
 *       numaNode} must match its PF.
 * </ul>
 *
 * <h2>Choice and score</h2>
 *
 * Among all mappings that fit, the one chosen is, with the NUMA bonus on, one with every interface
 * on a single NUMA node if any exists, and then the one whose used PFs are left with the least
 * bandwidth in all (absolute Mb/s, summed over the PFs the mapping uses) for {@link
 * ScoringPolicy#BINPACK}, the most for {@link ScoringPolicy#SPREAD}. PFs reporting NUMA node -1
 * count as one node (machines without NUMA topology report -1 everywhere). With {@code F} the pod's
 * total floor and {@code L} that leftover, {@code slack = min(1, log2(1 + L / F) / 8)} and the
 * ratio is {@code 1 - slack} for BINPACK (1 when the pod exactly fills what its PFs had left) and
 * {@code slack} for SPREAD; as {@code F} is the pod's, the same on every node, a higher ratio means
 * less (more) absolute leftover across nodes of any size too (see {@code Objective}). A pod without
 * any floor is measured in VFs instead (the free VFs left on the PFs it uses against its own). The
 * score is 0..{@value #MAX_SCORE}: aligned mappings score 5 + round(5 x ratio), others round(5 x
 * ratio); without the bonus, round(10 x ratio).
 *
 * <h2>Search and its bound</h2>
 *
 * The search (backtracking, largest floor first, over per-PF counts; see {@code Search}) is exact
 * whenever it completes within {@link PlacementOptions#searchBudget()} steps. With the default
 * budget that covers at least 2 interfaces on 32 PFs, 3 on 12 and 4 on 6 (PFs alike in state count
 * once, identical interfaces too, so real nodes allow more). Beyond it the best mapping found so
 * far is kept; the first one tried is the policy's greedy choice (each interface, largest first,
 * where the leftover grows least for BINPACK or most for SPREAD, the NUMA node in use first).
 * Bounds on what the PFs can still take (VF counts, bandwidth, sums of the remaining floors) cut
 * off branches that cannot complete, so tight packings of 16-32 interfaces and hopeless nodes are
 * usually settled in far fewer steps. Whether some fit exists is decided exactly unless 20 times
 * the budget passes without any, which is reported as a failure that says so.
 *
 * <p>Within a PF, interfaces get its lowest-numbered usable VFs, in request order.
 */
public final class Placement {

  /** The highest score: kube-scheduler's MaxExtenderPriority. */
  public static final int MAX_SCORE = HostPriority.MAX_EXTENDER_PRIORITY;

  private Placement() {}

  /**
   * Fits a pod's request on a node.
   *
   * @param inventory the node's inventory from its agent
   * @param ledger what the extender has given out on this node and the agent may not show yet
   * @param request the pod's request
   * @param options policy, oversubscription, NUMA bonus, search budget
   * @return the best mapping and its score, or the reason the node cannot take the pod
   */
  public static FitResult fit(
      NodeInventory inventory, Commitments ledger, PodRequest request, PlacementOptions options) {
    return fit(prepare(inventory, ledger, options), request);
  }

  /**
   * The part of {@link #fit} that does not depend on the pod: each PF's usable VFs and remaining
   * bandwidth. A caller that evaluates several pods against an unchanged node can prepare it once.
   */
  public static PreparedNode prepare(
      NodeInventory inventory, Commitments ledger, PlacementOptions options) {
    return new PreparedNode(PfState.of(inventory, ledger, options), options);
  }

  /**
   * The part of {@link #fit} that does not depend on the node. A caller that fits one pod on many
   * nodes can prepare its request once.
   */
  public static PreparedRequest prepare(PodRequest request) {
    return new PreparedRequest(request);
  }

  /** {@link #fit(NodeInventory, Commitments, PodRequest, PlacementOptions)} on a prepared node. */
  public static FitResult fit(PreparedNode node, PodRequest request) {
    return fit(node, prepare(request));
  }

  /**
   * {@link #fit(NodeInventory, Commitments, PodRequest, PlacementOptions)} with both halves
   * prepared: what filter runs once per candidate node.
   */
  public static FitResult fit(PreparedNode node, PreparedRequest request) {
    List<PfState> pfs = node.pfs;
    Optional<String> hopeless = Diagnosis.beforeSearch(pfs, request);
    if (hopeless.isPresent()) {
      return new FitResult.NoFit(hopeless.get());
    }
    // The thread's search, set up for this node; everything kept is copied out before release.
    Search search = Search.acquire();
    try {
      search.start(node.pfArray, node.staticClass, request, node.options);
      search.run();
      int[] mapping = search.best();
      if (mapping == null) {
        return new FitResult.NoFit(
            Diagnosis.afterSearch(pfs, request.request, search.stopped(), search.steps()));
      }
      return new FitResult.Fit(search.bestScore(), pfs, request.request, mapping);
    } finally {
      search.release();
    }
  }

  /**
   * A node's PFs as placement sees them before any pod, under the given options. Immutable, so it
   * can be shared between pods and threads; it is only valid for the inventory and commitments it
   * was prepared from.
   */
  public static final class PreparedNode {

    private final List<PfState> pfs;
    private final PfState[] pfArray;
    private final PlacementOptions options;

    /** Per PF, a class shared by the PFs that are alike in everything the search cannot change. */
    private final int[] staticClass;

    private PreparedNode(List<PfState> pfs, PlacementOptions options) {
      this.pfs = List.copyOf(pfs);
      this.pfArray = this.pfs.toArray(new PfState[0]);
      this.options = options;
      this.staticClass = Search.staticClasses(this.pfs);
    }
  }

  /** {@link #fit} with {@link PlacementOptions#defaults()}. */
  public static FitResult fit(NodeInventory inventory, Commitments ledger, PodRequest request) {
    return fit(inventory, ledger, request, PlacementOptions.defaults());
  }

  /**
   * The score {@link #fit} would give this particular mapping; for tests that compare the search
   * against brute force.
   */
  static int score(
      NodeInventory inventory, Commitments ledger, List<Choice> choices, PlacementOptions options) {
    List<PfState> pfs = PfState.of(inventory, ledger, options);
    long[] left = pfs.stream().mapToLong(p -> p.available).toArray();
    int[] free = pfs.stream().mapToInt(p -> p.freeVfs.size()).toArray();
    int[] used = new int[pfs.size()];
    for (Choice c : choices) {
      PfState p = pfs.stream().filter(s -> s.pf.matches(c.pf())).findFirst().orElseThrow();
      used[p.index]++;
      free[p.index]--;
      if (p.capacityKnown) {
        left[p.index] -= c.minTxRateMbps();
      }
    }
    return Objective.of(pfs.toArray(new PfState[0]), left, free, used, options).score();
  }

  /**
   * The VFs of a mapping (a PF index per request position): each interface gets its PF's
   * lowest-numbered usable VF not taken by an earlier interface.
   */
  static List<Choice> choices(List<PfState> pfs, PodRequest request, int[] mapping) {
    int[] nextVf = new int[pfs.size()];
    Choice[] list = new Choice[request.size()];
    for (int i = 0; i < list.length; i++) {
      InterfaceRequest r = request.interfaces().get(i);
      PfState p = pfs.get(mapping[i]);
      VirtualFunction vf = p.freeVfs.get(nextVf[p.index]++);
      list[i] =
          new Choice(
              r.name(),
              p.pf.pciAddress(),
              p.name(),
              vf.pciAddress(),
              vf.index(),
              r.minTxRateMbps(),
              r.maxTxRateMbps());
    }
    return List.of(list);
  }
}
