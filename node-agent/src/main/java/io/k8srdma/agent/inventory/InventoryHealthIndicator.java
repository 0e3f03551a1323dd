package io.k8srdma.agent.inventory;

import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;

/**
 * Health of the inventory, part of the readiness group: UP once a scan succeeded and while the
 * latest scan succeeds; DOWN with the reason before the first scan and after a failed one (the last
 * good inventory is still served, so pollers keep a usable view).
 */
public class InventoryHealthIndicator implements HealthIndicator {

  private final InventoryService inventory;

  public InventoryHealthIndicator(InventoryService inventory) {
    this.inventory = inventory;
  }

  @Override
  public Health health() {
    ScanStatus status = inventory.status();
    Health.Builder health = status.ok() ? Health.up() : Health.down();
    if (status.at() != null) {
      health.withDetail("lastScan", status.at().toString());
    }
    if (status.error() != null) {
      health.withDetail("reason", status.error());
    }
    inventory
        .current()
        .ifPresent(
            inv ->
                health
                    .withDetail("generation", inv.generation())
                    .withDetail("pfs", inv.pfs().size()));
    return health.build();
  }
}
