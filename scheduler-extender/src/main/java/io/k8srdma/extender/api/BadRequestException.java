package io.k8srdma.extender.api;

/** A request the extender cannot read; answered with 400 and the reason. */
public class BadRequestException extends RuntimeException {

  public BadRequestException(String message) {
    super(message);
  }
}
