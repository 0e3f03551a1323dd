package io.k8srdma.model.placement;

import io.k8srdma.model.request.InterfaceRequest;
import io.k8srdma.model.request.PodRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The part of {@link Placement#fit} that depends only on the pod: its interfaces in search order
 * and which of them are alike. Filter fits one pod on hundreds of nodes; preparing the request once
 * ({@link Placement#prepare(PodRequest)}) keeps that work out of the per-node loop. Immutable and
 * shareable between threads.
 */
public final class PreparedRequest {

  final PodRequest request;

  /** The interfaces, in request order. */
  final InterfaceRequest[] interfaces;

  /**
   * Request positions by floor, largest first (ties in request order): the order the cheap checks
   * try them in and the start of the search order.
   */
  final int[] largestFirst;

  /**
   * Per request position, an id shared by exactly the interfaces with the same floor and
   * constraints (link layer, PF, NUMA node): those the search may treat as interchangeable.
   */
  final int[] likeId;

  /** Some interface names a PF, which breaks the symmetry between PFs. */
  final boolean pinned;

  /** Some interface has a link layer, PF or NUMA node constraint. */
  final boolean constrained;

  /** The sum of the floors, in Mb/s. */
  final long totalFloor;

  /**
   * The interfaces grouped by their constraints (link layer, PF, NUMA node), in order of first
   * appearance, for the groups that are constrained and smaller than the request: each must find as
   * many usable VFs on its PFs before the search (see {@code Diagnosis}). Empty when no interface
   * is constrained or there is only one. Made once per pod rather than per node.
   */
  final List<List<InterfaceRequest>> constraintGroups;

  PreparedRequest(PodRequest request) {
    this.request = Objects.requireNonNull(request, "request");
    List<InterfaceRequest> list = request.interfaces();
    this.interfaces = list.toArray(new InterfaceRequest[0]);
    this.likeId = likeIds(list);
    this.largestFirst = largestFirst(interfaces);
    boolean anyPin = false;
    boolean anyConstraint = false;
    for (InterfaceRequest r : interfaces) {
      anyPin |= r.pf() != null;
      anyConstraint |= r.constrained();
    }
    this.pinned = anyPin;
    this.constrained = anyConstraint;
    this.totalFloor = request.totalMinTxRateMbps();
    this.constraintGroups =
        interfaces.length > 1 && anyConstraint ? constraintGroups(list) : List.of();
  }

  /** The request this was prepared from. */
  public PodRequest request() {
    return request;
  }

  int size() {
    return interfaces.length;
  }

  private static int[] likeIds(List<InterfaceRequest> list) {
    Map<Like, Integer> ids = new HashMap<>();
    int[] out = new int[list.size()];
    for (int i = 0; i < out.length; i++) {
      InterfaceRequest r = list.get(i);
      Like key = new Like(r.minTxRateMbps(), r.linkLayer(), r.pf(), r.numaNode());
      out[i] = ids.computeIfAbsent(key, k -> ids.size());
    }
    return out;
  }

  private static List<List<InterfaceRequest>> constraintGroups(List<InterfaceRequest> list) {
    Map<String, List<InterfaceRequest>> groups = new LinkedHashMap<>();
    for (InterfaceRequest r : list) {
      String key = r.linkLayer() + "|" + r.pf() + "|" + r.numaNode();
      groups.computeIfAbsent(key, k -> new ArrayList<>()).add(r);
    }
    List<List<InterfaceRequest>> out = new ArrayList<>();
    for (List<InterfaceRequest> group : groups.values()) {
      if (group.get(0).constrained() && group.size() < list.size()) {
        out.add(List.copyOf(group));
      }
    }
    return List.copyOf(out);
  }

  /** Stable insertion sort by floor, descending: requests are short (at most 32 interfaces). */
  private static int[] largestFirst(InterfaceRequest[] interfaces) {
    int[] order = new int[interfaces.length];
    for (int i = 0; i < order.length; i++) {
      int j = i - 1;
      long floor = interfaces[i].minTxRateMbps();
      while (j >= 0 && interfaces[order[j]].minTxRateMbps() < floor) {
        order[j + 1] = order[j];
        j--;
      }
      order[j + 1] = i;
    }
    return order;
  }

  private record Like(long floor, Object linkLayer, String pf, Integer numaNode) {}
}
