package io.k8srdma.model.placement;

import io.k8srdma.model.request.InterfaceRequest;
import io.k8srdma.model.request.PodRequest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * {@code Diagnosis} as it was before its failure messages were built without streams and its
 * per-constraint groups moved to {@link PreparedRequest} (commit f421ac3), kept verbatim apart from
 * its name: {@link ReusedSearchPropertyTest} compares every reason with it.
 */
final class ReferenceDiagnosis {

  private static final int MAX_PFS_LISTED = 8;

  private ReferenceDiagnosis() {}

  /** The first reason found without searching, or empty when only the search can tell. */
  static Optional<String> beforeSearch(List<PfState> pfs, PreparedRequest request) {
    if (pfs.isEmpty()) {
      return Optional.of("node reports no RDMA PF");
    }
    for (int i : request.largestFirst) {
      Optional<String> reason = singleInterface(pfs, request.interfaces[i]);
      if (reason.isPresent()) {
        return reason;
      }
    }
    Optional<String> count = vfCount(pfs, request.request.interfaces(), "");
    if (count.isPresent()) {
      return count;
    }
    if (request.size() > 1 && request.constrained) {
      Optional<String> reason = vfCountPerConstraint(pfs, request.request);
      if (reason.isPresent()) {
        return reason;
      }
    }
    return totalBandwidth(pfs, request.request, request.totalFloor);
  }

  /** Fewer usable VFs than the interfaces that share one set of constraints ask for. */
  private static Optional<String> vfCountPerConstraint(List<PfState> pfs, PodRequest request) {
    for (List<InterfaceRequest> group : byConstraints(request).values()) {
      if (group.get(0).constrained() && group.size() < request.size()) {
        Optional<String> reason = vfCount(pfs, group, " on " + plural(group.get(0)));
        if (reason.isPresent()) {
          return reason;
        }
      }
    }
    return Optional.empty();
  }

  /** The reason when the search found nothing. */
  static String afterSearch(List<PfState> pfs, PodRequest request, boolean stopped, long steps) {
    String floors =
        request.interfaces().stream()
            .map(r -> Long.toString(r.minTxRateMbps()))
            .collect(Collectors.joining(", "));
    String prefix =
        stopped
            ? "no fit found within the search limit of " + steps + " steps"
            : "no combination of free VFs fits";
    return prefix
        + ": interfaces need "
        + floors
        + " Mb/s; "
        + leftList(pfs.stream().filter(p -> matchesAny(p, request)).toList());
  }

  /**
   * Runs for every interface of every candidate node: a plain pass answers the common case (some PF
   * can take it), and the lists for the message are only built once the node has failed.
   */
  private static Optional<String> singleInterface(List<PfState> pfs, InterfaceRequest r) {
    long floor = r.minTxRateMbps();
    for (int i = 0; i < pfs.size(); i++) {
      PfState p = pfs.get(i);
      if (p.matches(r) && p.canTake(floor)) {
        return Optional.empty();
      }
    }
    return singleInterfaceFailure(pfs, r);
  }

  private static Optional<String> singleInterfaceFailure(List<PfState> pfs, InterfaceRequest r) {
    List<PfState> matching = pfs.stream().filter(p -> p.matches(r)).toList();
    if (matching.isEmpty()) {
      return Optional.of("this node has no " + singular(r));
    }
    List<PfState> withFreeVf = matching.stream().filter(p -> !p.freeVfs.isEmpty()).toList();
    if (withFreeVf.isEmpty()) {
      return Optional.of("no free VF on " + plural(r) + ": " + vfSummary(matching));
    }
    long floor = r.minTxRateMbps();
    if (withFreeVf.stream().anyMatch(p -> p.canTake(floor))) {
      return Optional.empty();
    }
    String head = "no free VF with " + floor + " Mb/s on " + plural(r) + ": ";
    Optional<PfState> best =
        withFreeVf.stream()
            .filter(p -> p.capacityKnown)
            .max(Comparator.comparingLong((PfState p) -> p.available));
    if (best.isEmpty()) {
      return Optional.of(
          head
              + "the capacity of "
              + names(withFreeVf)
              + " is unknown, so only interfaces without a floor (minTxRateMbps 0) fit");
    }
    return Optional.of(
        head + "best PF " + best.get().name() + " has " + left(best.get()) + " Mb/s left");
  }

  /** Fewer usable VFs than interfaces: each VF counted once even if several interfaces fit it. */
  private static Optional<String> vfCount(
      List<PfState> pfs, List<InterfaceRequest> interfaces, String where) {
    int usable = 0;
    for (int i = 0; i < pfs.size(); i++) {
      PfState p = pfs.get(i);
      if (canTakeAny(p, interfaces)) {
        usable += p.freeCount;
      }
    }
    if (usable >= interfaces.size()) {
      return Optional.empty();
    }
    return Optional.of(
        interfaces.size()
            + " interfaces requested"
            + where
            + ", "
            + usable
            + (usable == 1 ? " free VF matches" : " free VFs match"));
  }

  private static boolean canTakeAny(PfState p, List<InterfaceRequest> interfaces) {
    // Indexed, not for-each: this runs per PF of every candidate node, and the iterator of an
    // immutable list is an allocation the JIT does not always remove.
    for (int i = 0; i < interfaces.size(); i++) {
      InterfaceRequest r = interfaces.get(i);
      if (p.matches(r) && p.canTake(r.minTxRateMbps())) {
        return true;
      }
    }
    return false;
  }

  /**
   * The floors of all interfaces together exceed what is left on the PFs with a free VF that any of
   * them may use: no mapping can fit, whatever the VF counts.
   */
  private static Optional<String> totalBandwidth(List<PfState> pfs, PodRequest request, long need) {
    long have = 0;
    for (int i = 0; i < pfs.size(); i++) {
      PfState p = pfs.get(i);
      if (takesBandwidth(p, request)) {
        have = Search.saturatedAdd(have, left(p));
      }
    }
    if (need <= have) {
      return Optional.empty();
    }
    List<PfState> usable = pfs.stream().filter(p -> takesBandwidth(p, request)).toList();
    return Optional.of(
        "the "
            + request.size()
            + " interfaces need "
            + need
            + " Mb/s in all, only "
            + have
            + " Mb/s is left on the PFs they may use; "
            + leftList(usable));
  }

  private static Map<String, List<InterfaceRequest>> byConstraints(PodRequest request) {
    Map<String, List<InterfaceRequest>> groups = new LinkedHashMap<>();
    for (InterfaceRequest r : request.interfaces()) {
      String key = r.linkLayer() + "|" + r.pf() + "|" + r.numaNode();
      groups.computeIfAbsent(key, k -> new ArrayList<>()).add(r);
    }
    return groups;
  }

  /** A PF with a free VF and a known capacity that some interface of the request may use. */
  private static boolean takesBandwidth(PfState p, PodRequest request) {
    return !p.freeVfs.isEmpty() && p.capacityKnown && matchesAny(p, request);
  }

  private static boolean matchesAny(PfState p, PodRequest request) {
    List<InterfaceRequest> interfaces = request.interfaces();
    for (int i = 0; i < interfaces.size(); i++) {
      if (p.matches(interfaces.get(i))) {
        return true;
      }
    }
    return false;
  }

  private static String leftList(List<PfState> pfs) {
    List<PfState> withVfs = pfs.stream().filter(p -> !p.freeVfs.isEmpty()).toList();
    if (withVfs.isEmpty()) {
      return "no PF they may use has a free VF";
    }
    String list =
        withVfs.stream()
            .limit(MAX_PFS_LISTED)
            .map(
                p ->
                    p.name()
                        + " "
                        + (p.capacityKnown ? left(p) + " Mb/s" : "unknown capacity")
                        + " ("
                        + p.freeVfs.size()
                        + (p.freeVfs.size() == 1 ? " free VF)" : " free VFs)"))
            .collect(Collectors.joining(", "));
    String more = withVfs.size() > MAX_PFS_LISTED ? ", ..." : "";
    return "left on PFs with a free VF: " + list + more;
  }

  private static long left(PfState p) {
    return Math.max(0, p.available);
  }

  private static String vfSummary(List<PfState> pfs) {
    int total = pfs.stream().mapToInt(p -> p.pf.vfs().size()).sum();
    if (total == 0) {
      return "no VF is enabled (sriov_numvfs is 0)";
    }
    int inUse = pfs.stream().mapToInt(p -> p.inUse).sum();
    int unavailable = pfs.stream().mapToInt(p -> p.unavailable).sum();
    return total + " VFs, " + inUse + " in use, " + unavailable + " unavailable";
  }

  private static String names(List<PfState> pfs) {
    return pfs.stream().map(PfState::name).collect(Collectors.joining(", "));
  }

  /** "InfiniBand PF ibp26s0 on NUMA node 1", "PF", ... */
  private static String singular(InterfaceRequest r) {
    return linkLayer(r) + "PF" + (r.pf() == null ? "" : " " + r.pf()) + numa(r);
  }

  /** "InfiniBand PFs", "PF ibp26s0", "PFs on NUMA node 1", ... */
  private static String plural(InterfaceRequest r) {
    return linkLayer(r) + (r.pf() == null ? "PFs" : "PF " + r.pf()) + numa(r);
  }

  private static String linkLayer(InterfaceRequest r) {
    return r.linkLayer() == null ? "" : r.linkLayer().sysfsName() + " ";
  }

  private static String numa(InterfaceRequest r) {
    return r.numaNode() == null ? "" : " on NUMA node " + r.numaNode();
  }
}
