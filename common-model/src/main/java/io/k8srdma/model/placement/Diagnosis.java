package io.k8srdma.model.placement;

import io.k8srdma.model.request.InterfaceRequest;
import io.k8srdma.model.request.PodRequest;
import java.util.List;
import java.util.Optional;

/**
 * Reasons a node cannot take a pod, phrased so the user knows what to change. The cheap checks run
 * before the search and also spare it the hopeless cases.
 */
final class Diagnosis {

  private static final int MAX_PFS_LISTED = 8;

  private Diagnosis() {}

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
    Optional<String> count = vfCount(pfs, request.request.interfaces(), null);
    if (count.isPresent()) {
      return count;
    }
    // Fewer usable VFs than the interfaces that share one set of constraints ask for; the
    // groups are the request's (see PreparedRequest#constraintGroups), made once per pod.
    for (List<InterfaceRequest> group : request.constraintGroups) {
      Optional<String> reason = vfCount(pfs, group, group.get(0));
      if (reason.isPresent()) {
        return reason;
      }
    }
    return totalBandwidth(pfs, request.request, request.totalFloor);
  }

  /** The reason when the search found nothing. */
  static String afterSearch(List<PfState> pfs, PodRequest request, boolean stopped, long steps) {
    StringBuilder floors = new StringBuilder();
    for (InterfaceRequest r : request.interfaces()) {
      floors.append(floors.isEmpty() ? "" : ", ").append(r.minTxRateMbps());
    }
    String prefix =
        stopped
            ? "no fit found within the search limit of " + steps + " steps"
            : "no combination of free VFs fits";
    return prefix + ": interfaces need " + floors + " Mb/s; " + leftList(pfs, request, false);
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

  /**
   * Why no PF can take {@code r}. Nodes that cannot take a pod are a share of every filter's
   * candidates, each with its own message: the PFs are walked in plain loops, so what is made is
   * the message and not the streams and lists that select its parts.
   */
  private static Optional<String> singleInterfaceFailure(List<PfState> pfs, InterfaceRequest r) {
    long floor = r.minTxRateMbps();
    int matching = 0;
    int withFreeVf = 0;
    PfState best = null; // the first of the PFs with a free VF and a known capacity with most left
    for (int i = 0; i < pfs.size(); i++) {
      PfState p = pfs.get(i);
      if (!p.matches(r)) {
        continue;
      }
      matching++;
      if (p.freeVfs.isEmpty()) {
        continue;
      }
      withFreeVf++;
      if (p.canTake(floor)) {
        return Optional.empty();
      }
      if (p.capacityKnown && (best == null || p.available > best.available)) {
        best = p;
      }
    }
    if (matching == 0) {
      return Optional.of("this node has no " + singular(r));
    }
    if (withFreeVf == 0) {
      return Optional.of("no free VF on " + plural(r) + ": " + vfSummary(pfs, r));
    }
    String head = "no free VF with " + floor + " Mb/s on " + plural(r) + ": ";
    if (best == null) {
      return Optional.of(
          head
              + "the capacity of "
              + namesWithFreeVf(pfs, r)
              + " is unknown, so only interfaces without a floor (minTxRateMbps 0) fit");
    }
    return Optional.of(head + "best PF " + best.name() + " has " + left(best) + " Mb/s left");
  }

  /**
   * Fewer usable VFs than interfaces: each VF counted once even if several interfaces fit it. For a
   * group of interfaces that share constraints, {@code constrainedLike} is one of them (it names
   * the group in the message); null for the whole request.
   */
  private static Optional<String> vfCount(
      List<PfState> pfs, List<InterfaceRequest> interfaces, InterfaceRequest constrainedLike) {
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
    String where = constrainedLike == null ? "" : " on " + plural(constrainedLike);
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
    return Optional.of(
        "the "
            + request.size()
            + " interfaces need "
            + need
            + " Mb/s in all, only "
            + have
            + " Mb/s is left on the PFs they may use; "
            + leftList(pfs, request, true));
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

  /**
   * What is left on the PFs with a free VF that some interface of {@code request} may use (with a
   * known capacity only when {@code capacityKnownOnly}), the first {@value #MAX_PFS_LISTED} of
   * them.
   */
  private static String leftList(List<PfState> pfs, PodRequest request, boolean capacityKnownOnly) {
    StringBuilder list = new StringBuilder();
    int listed = 0;
    for (int i = 0; i < pfs.size(); i++) {
      PfState p = pfs.get(i);
      if (p.freeVfs.isEmpty()
          || (capacityKnownOnly && !p.capacityKnown)
          || !matchesAny(p, request)) {
        continue;
      }
      if (listed == MAX_PFS_LISTED) {
        list.append(", ...");
        break;
      }
      int free = p.freeVfs.size();
      list.append(listed == 0 ? "" : ", ")
          .append(p.name())
          .append(' ')
          .append(p.capacityKnown ? left(p) + " Mb/s" : "unknown capacity")
          .append(" (")
          .append(free)
          .append(free == 1 ? " free VF)" : " free VFs)");
      listed++;
    }
    if (listed == 0) {
      return "no PF they may use has a free VF";
    }
    return "left on PFs with a free VF: " + list;
  }

  private static long left(PfState p) {
    return Math.max(0, p.available);
  }

  /** The VFs of the PFs that match {@code r}, by state. */
  private static String vfSummary(List<PfState> pfs, InterfaceRequest r) {
    int total = 0;
    int inUse = 0;
    int unavailable = 0;
    for (int i = 0; i < pfs.size(); i++) {
      PfState p = pfs.get(i);
      if (p.matches(r)) {
        total += p.pf.vfs().size();
        inUse += p.inUse;
        unavailable += p.unavailable;
      }
    }
    if (total == 0) {
      return "no VF is enabled (sriov_numvfs is 0)";
    }
    return total + " VFs, " + inUse + " in use, " + unavailable + " unavailable";
  }

  /** The names of the PFs with a free VF that match {@code r}. */
  private static String namesWithFreeVf(List<PfState> pfs, InterfaceRequest r) {
    StringBuilder names = new StringBuilder();
    for (int i = 0; i < pfs.size(); i++) {
      PfState p = pfs.get(i);
      if (p.matches(r) && !p.freeVfs.isEmpty()) {
        names.append(names.isEmpty() ? "" : ", ").append(p.name());
      }
    }
    return names.toString();
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
