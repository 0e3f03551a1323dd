package io.k8srdma.agent.init;

import io.k8srdma.agent.discovery.HostScanner;
import io.k8srdma.agent.discovery.ScanException;
import io.k8srdma.model.inventory.PhysicalFunction;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the VF policies to the host: finds the PFs with the same scanner as {@code serve} mode,
 * gives each PF to the first policy that matches it, and configures each in PCI address order.
 */
public final class VfPolicyApplier {

  private static final Logger log = LoggerFactory.getLogger(VfPolicyApplier.class);

  private final HostScanner scanner;
  private final PfSriovConfigurer configurer;

  public VfPolicyApplier(HostScanner scanner, PfSriovConfigurer configurer) {
    this.scanner = scanner;
    this.configurer = configurer;
  }

  /** Applies {@code policies}; problems end up in the report, never as exceptions. */
  public InitReport apply(List<VfPolicy> policies) {
    List<PhysicalFunction> pfs;
    try {
      pfs = scanner.scan();
    } catch (ScanException e) {
      return new InitReport(List.of(), List.of(e.getMessage()));
    }
    List<String> actions = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    Map<PhysicalFunction, Integer> governing = assign(policies, pfs, failures);
    governing.forEach(
        (pf, index) -> {
          PfSriovConfigurer.Result result = configurer.configure(pf, policies.get(index).vfCount());
          (result.ok() ? actions : failures).add(result.line());
        });
    return new InitReport(actions, failures);
  }

  /**
   * Maps each selected PF, in scan (PCI address) order, to the index of the first policy matching
   * it. A policy that matches no PF at all is a failure, since it usually means a typo or a missing
   * card.
   */
  private static Map<PhysicalFunction, Integer> assign(
      List<VfPolicy> policies, List<PhysicalFunction> pfs, List<String> failures) {
    Map<PhysicalFunction, Integer> governing = new LinkedHashMap<>();
    for (PhysicalFunction pf : pfs) {
      for (int i = 0; i < policies.size(); i++) {
        if (!policies.get(i).matches(pf)) {
          continue;
        }
        Integer first = governing.putIfAbsent(pf, i);
        if (first != null) {
          log.warn(
              "policy #{} also matches PF {} ({}), which policy #{} governs; ignored for it",
              i,
              pf.name(),
              pf.pciAddress(),
              first);
        }
      }
    }
    for (int i = 0; i < policies.size(); i++) {
      VfPolicy policy = policies.get(i);
      if (pfs.stream().noneMatch(policy::matches)) {
        failures.add("policy #" + i + " (" + policy.describeSelector() + ") matched no PF");
      }
    }
    return governing;
  }
}
