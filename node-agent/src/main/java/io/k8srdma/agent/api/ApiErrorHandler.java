package io.k8srdma.agent.api;

import io.k8srdma.agent.config.ConditionalOnServeMode;
import java.time.Instant;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.ServletWebRequest;
import org.springframework.web.context.request.WebRequest;

/** Turns {@link ApiException}s into JSON errors shaped like Spring Boot's own error body. */
@ConditionalOnServeMode
@RestControllerAdvice
public class ApiErrorHandler {

  @ExceptionHandler(ApiException.class)
  ResponseEntity<ApiError> handle(ApiException e, WebRequest request) {
    String path =
        request instanceof ServletWebRequest swr ? swr.getRequest().getRequestURI() : null;
    ApiError body =
        new ApiError(
            Instant.now(), e.status().value(), e.status().getReasonPhrase(), e.getMessage(), path);
    return ResponseEntity.status(e.status()).body(body);
  }

  /**
   * An error answer.
   *
   * @param timestamp when it happened
   * @param status the HTTP status code
   * @param error the status' reason phrase
   * @param message what was wrong, for the caller
   * @param path the request path
   */
  public record ApiError(
      Instant timestamp, int status, String error, String message, String path) {}
}
