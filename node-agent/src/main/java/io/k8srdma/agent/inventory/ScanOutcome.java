package io.k8srdma.agent.inventory;

/**
 * What one scan did, read while it held the inventory: another scan finishing right after it (the
 * periodic scanner's) cannot mix into it, as it could into separate reads of the status and the
 * inventory.
 *
 * @param ok whether the scan succeeded
 * @param changed whether it changed the inventory; false when it failed
 * @param generation the generation served after it (the last good one when it failed), null while
 *     no scan has succeeded
 * @param error why it failed, null when it succeeded
 */
public record ScanOutcome(boolean ok, boolean changed, Long generation, String error) {

  static ScanOutcome succeeded(boolean changed, long generation) {
    return new ScanOutcome(true, changed, generation, null);
  }

  static ScanOutcome failed(String error, Long generation) {
    return new ScanOutcome(false, false, generation, error);
  }
}
