package io.k8srdma.agent.api;

import org.springframework.http.HttpStatus;

/** A request the API answers with an error status and a message for the caller. */
public class ApiException extends RuntimeException {

  private final HttpStatus status;

  public ApiException(HttpStatus status, String message) {
    super(message);
    this.status = status;
  }

  public HttpStatus status() {
    return status;
  }
}
