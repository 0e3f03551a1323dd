package io.k8srdma.agent.inventory;

import java.time.Duration;
import java.time.Instant;

/**
 * The outcome of the latest scan.
 *
 * @param at when the scan started; null before the first scan
 * @param ok whether it succeeded
 * @param error why it failed, null when it succeeded
 * @param took how long a successful scan took
 * @param hasInventory whether a good inventory is being served (from this or an earlier scan)
 */
public record ScanStatus(
    Instant at, boolean ok, String error, Duration took, boolean hasInventory) {

  static ScanStatus notYetScanned() {
    return new ScanStatus(null, false, "no scan has completed yet", null, false);
  }

  static ScanStatus succeeded(Instant at, Duration took) {
    return new ScanStatus(at, true, null, took, true);
  }

  static ScanStatus failed(Instant at, String error, boolean hasInventory) {
    return new ScanStatus(at, false, error, null, hasInventory);
  }
}
