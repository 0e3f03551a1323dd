package io.k8srdma.agent.api.rit;

import io.k8srdma.agent.api.ApiException;
import io.k8srdma.agent.config.ConditionalOnServeMode;
import io.k8srdma.agent.inventory.InventoryService;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The RIT k8s-rdma compatibility API, so an existing RIT scheduler extender or CNI keeps working
 * against this agent.
 */
@ConditionalOnServeMode
@RestController
public class RitController {

  private final InventoryService inventory;

  public RitController(InventoryService inventory) {
    this.inventory = inventory;
  }

  /**
   * The inventory in RIT's {@code /getpfs} format: one object per PF with {@code used_tx_rate},
   * {@code capacity_tx_rate}, {@code used_vfs}, {@code capacity_vfs} and {@code vfs[]}. Served from
   * the cached scan, not a rescan per request as RIT did. See docs/api.md for the mapping.
   */
  @GetMapping(path = "/getpfs", produces = "application/json")
  public List<RitPf> getPfs() {
    return inventory
        .current()
        .map(inv -> inv.pfs().stream().map(RitPf::from).toList())
        .orElseThrow(
            () ->
                new ApiException(
                    HttpStatus.SERVICE_UNAVAILABLE,
                    "no inventory yet: " + inventory.status().error()));
  }
}
