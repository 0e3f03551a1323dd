package io.k8srdma.model.placement;

import io.k8srdma.model.assignment.AssignedInterface;
import io.k8srdma.model.assignment.Assignment;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What the extender's ledger holds on one node: the VFs it has given out and the bandwidth they
 * commit, from bound pods' assignments and from decisions still in flight. The agent may not have
 * noticed these yet, which is why placement needs them on top of the inventory.
 *
 * <p>PCI addresses are compared case-insensitively (stored lower case).
 *
 * @param takenVfs PCI addresses of the VFs given out
 * @param committedMbpsByPf PF PCI address to the sum of the floors of its VFs given out, in Mb/s
 */
public record Commitments(Set<String> takenVfs, Map<String, Long> committedMbpsByPf) {

  private static final Commitments NONE = new Commitments(Set.of(), Map.of());

  /** Normalises the addresses and freezes the collections. */
  public Commitments {
    Set<String> vfs = new HashSet<>();
    takenVfs.forEach(v -> vfs.add(lower(v)));
    Map<String, Long> pfs = new HashMap<>();
    committedMbpsByPf.forEach(
        (pf, mbps) -> {
          if (mbps < 0) {
            throw new IllegalArgumentException("negative commitment " + mbps + " on PF " + pf);
          }
          pfs.merge(lower(pf), mbps, Long::sum);
        });
    takenVfs = Set.copyOf(vfs);
    committedMbpsByPf = Map.copyOf(pfs);
  }

  /** Nothing committed. */
  public static Commitments none() {
    return NONE;
  }

  /** The commitments of these decisions (the caller picks those of one node). */
  public static Commitments of(Collection<Assignment> assignments) {
    if (assignments.isEmpty()) {
      return NONE;
    }
    // One pass into one set and map: folding with plus() copied both once per assignment.
    Set<String> vfs = new HashSet<>();
    Map<String, Long> pfs = new HashMap<>();
    for (Assignment a : assignments) {
      add(a, vfs, pfs);
    }
    return new Commitments(vfs, pfs);
  }

  /** These commitments plus those of {@code assignment}. */
  public Commitments plus(Assignment assignment) {
    Set<String> vfs = new HashSet<>(takenVfs);
    Map<String, Long> pfs = new HashMap<>(committedMbpsByPf);
    add(assignment, vfs, pfs);
    return new Commitments(vfs, pfs);
  }

  private static void add(Assignment assignment, Set<String> vfs, Map<String, Long> pfs) {
    for (AssignedInterface i : assignment.interfaces()) {
      vfs.add(lower(i.vf()));
      pfs.merge(lower(i.pf()), i.minTxRateMbps(), Long::sum);
    }
  }

  /** True when the ledger has given out VF {@code vfPci}. */
  public boolean isTaken(String vfPci) {
    // Placement asks once per VF of every candidate node, and most nodes have no commitment:
    // answer those without lower-casing the address (which was a fifth of filter's CPU time).
    return vfPci != null && !takenVfs.isEmpty() && takenVfs.contains(lower(vfPci));
  }

  /** The bandwidth the ledger commits on PF {@code pfPci}, in Mb/s. */
  public long committedMbps(String pfPci) {
    return pfPci == null || committedMbpsByPf.isEmpty()
        ? 0
        : committedMbpsByPf.getOrDefault(lower(pfPci), 0L);
  }

  private static String lower(String s) {
    return s.toLowerCase(Locale.ROOT);
  }
}
