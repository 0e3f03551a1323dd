package io.k8srdma.extender.api;

import jakarta.servlet.http.HttpServletRequest;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;

/**
 * Errors of the Spring MVC endpoints ({@code /inventory}): a malformed query parameter gets 400
 * with a JSON body whose {@code error} field names it, never 500. The verbs answer their own errors
 * in the same shape ({@link VerbServlet}).
 */
@RestControllerAdvice
public class ExtenderErrorHandler {

  private static final Logger log = LoggerFactory.getLogger(ExtenderErrorHandler.class);

  @ExceptionHandler(MethodArgumentTypeMismatchException.class)
  ResponseEntity<Map<String, Object>> badParameter(
      MethodArgumentTypeMismatchException e, HttpServletRequest r) {
    String message =
        "query parameter "
            + e.getName()
            + ": '"
            + e.getValue()
            + "' is not "
            + (e.getRequiredType() == Boolean.class ? "true or false" : "valid");
    log.warn(
        "answered 400 to {} {}: {}",
        r.getMethod(),
        r.getRequestURI(),
        ErrorAnswers.forLog(message));
    return answer(HttpStatus.BAD_REQUEST, message);
  }

  @ExceptionHandler(RuntimeException.class)
  ResponseEntity<Map<String, Object>> unexpected(RuntimeException e, HttpServletRequest r) {
    log.error("unexpected error answering {} {}", r.getMethod(), r.getRequestURI(), e);
    return answer(HttpStatus.INTERNAL_SERVER_ERROR, "internal error: " + e);
  }

  private static ResponseEntity<Map<String, Object>> answer(HttpStatus status, String message) {
    return ResponseEntity.status(status).body(ErrorAnswers.body(status.value(), message));
  }
}
