package io.k8srdma.extender.api;

import com.fasterxml.jackson.databind.JsonMappingException;
import jakarta.servlet.http.HttpServletRequest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;

/**
 * Malformed requests get 400 with a JSON body whose {@code error} field names what was wrong, never
 * 500. kube-scheduler fails the call on any status other than 200 without reading the body, so the
 * body is for whoever sends requests by hand, and the error is logged.
 */
@RestControllerAdvice
public class ExtenderErrorHandler {

  private static final Logger log = LoggerFactory.getLogger(ExtenderErrorHandler.class);

  /** A Java package before a class name, as in {@code io.k8srdma.model.extender.ExtenderArgs}. */
  private static final Pattern PACKAGE_PREFIX =
      Pattern.compile("\\b(?:[a-z][a-z0-9_]*\\.)+(?=[A-Z])");

  @ExceptionHandler(BadRequestException.class)
  ResponseEntity<Map<String, Object>> badRequest(BadRequestException e, HttpServletRequest r) {
    return answer(r, HttpStatus.BAD_REQUEST, e.getMessage());
  }

  @ExceptionHandler(HttpMessageNotReadableException.class)
  ResponseEntity<Map<String, Object>> unreadable(
      HttpMessageNotReadableException e, HttpServletRequest r) {
    String why =
        e.getMessage() != null && e.getMessage().startsWith("Required request body is missing")
            ? "the body is missing (a JSON object is required)"
            : withoutPackages(rootMessage(e));
    return answer(r, HttpStatus.BAD_REQUEST, "malformed request body: " + why);
  }

  /**
   * A body that is not JSON by its Content-Type. The verbs declare {@code consumes =
   * "application/json"}, so every other type is refused when the request is matched, before Spring
   * reads the body: a wildcard type such as {@code *}{@code /*} got that far and failed there with
   * an IllegalArgumentException, a 500.
   */
  @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
  ResponseEntity<Map<String, Object>> mediaType(
      HttpMediaTypeNotSupportedException e, HttpServletRequest r) {
    return answer(
        r,
        HttpStatus.UNSUPPORTED_MEDIA_TYPE,
        "Content-Type must be application/json: " + e.getMessage());
  }

  @ExceptionHandler(MethodArgumentTypeMismatchException.class)
  ResponseEntity<Map<String, Object>> badParameter(
      MethodArgumentTypeMismatchException e, HttpServletRequest r) {
    return answer(
        r,
        HttpStatus.BAD_REQUEST,
        "query parameter "
            + e.getName()
            + ": '"
            + e.getValue()
            + "' is not "
            + (e.getRequiredType() == Boolean.class ? "true or false" : "valid"));
  }

  @ExceptionHandler(RuntimeException.class)
  ResponseEntity<Map<String, Object>> unexpected(RuntimeException e, HttpServletRequest r) {
    log.error("unexpected error answering {} {}", r.getMethod(), r.getRequestURI(), e);
    return answer(HttpStatus.INTERNAL_SERVER_ERROR, "internal error: " + e);
  }

  /** A client error: answered, and logged in one line, as its caller may not show the body. */
  private static ResponseEntity<Map<String, Object>> answer(
      HttpServletRequest r, HttpStatus status, String message) {
    log.warn(
        "answered {} to {} {}: {}",
        status.value(),
        r.getMethod(),
        r.getRequestURI(),
        forLog(message));
    return answer(status, message);
  }

  /**
   * The message as one log line: it may quote the client's input (a decoded JSON string can hold a
   * line break), which must not start a line of its own that reads like the extender's.
   */
  static String forLog(String message) {
    StringBuilder line = new StringBuilder(message.length());
    message
        .codePoints()
        .forEach(
            c -> {
              if (c == '\n') {
                line.append("\\n");
              } else if (c == '\r') {
                line.append("\\r");
              } else if (Character.isISOControl(c)
                  || Character.getType(c) == Character.LINE_SEPARATOR
                  || Character.getType(c) == Character.PARAGRAPH_SEPARATOR) {
                line.append(String.format("\\u%04x", c));
              } else {
                line.appendCodePoint(c);
              }
            });
    return line.toString();
  }

  private static ResponseEntity<Map<String, Object>> answer(HttpStatus status, String message) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", message);
    body.put("status", status.value());
    return ResponseEntity.status(status).body(body);
  }

  /** Jackson names types with their packages; the simple name is what a user can act on. */
  static String withoutPackages(String message) {
    return PACKAGE_PREFIX.matcher(message).replaceAll("");
  }

  /**
   * The message of the root cause, with where in the body it is: the path of the innermost mapping
   * error on the way, which may wrap the root (a deserializer's IllegalArgumentException).
   */
  private static String rootMessage(Throwable e) {
    Throwable t = e;
    JsonMappingException located = null;
    while (true) {
      if (t instanceof JsonMappingException j && !j.getPath().isEmpty()) {
        located = j;
      }
      if (t.getCause() == null || t.getCause() == t) {
        break;
      }
      t = t.getCause();
    }
    String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    int nl = m.indexOf('\n');
    String first = nl < 0 ? m : m.substring(0, nl);
    return located != null ? first + " (at " + jsonPath(located.getPath()) + ")" : first;
  }

  /** Where in the body the error is, as {@code pod.spec.containers[1].name}. */
  private static String jsonPath(List<JsonMappingException.Reference> path) {
    StringBuilder at = new StringBuilder();
    for (JsonMappingException.Reference r : path) {
      if (r.getFieldName() != null) {
        at.append(at.isEmpty() ? "" : ".").append(r.getFieldName());
      } else {
        at.append('[').append(r.getIndex()).append(']');
      }
    }
    return at.toString();
  }
}
