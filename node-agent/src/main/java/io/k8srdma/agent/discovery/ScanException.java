package io.k8srdma.agent.discovery;

/** The host could not be scanned at all; the reason names what was wrong. */
public final class ScanException extends RuntimeException {

  public ScanException(String message) {
    super(message);
  }
}
