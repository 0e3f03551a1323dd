package io.k8srdma.extender.api;

import com.fasterxml.jackson.databind.JsonMappingException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The extender's error answers, {@code {"error": ..., "status": ...}}, and the messages in them:
 * shared by the verbs ({@link VerbServlet}) and the Spring MVC endpoints ({@link
 * ExtenderErrorHandler}), so a user sees one shape and one wording whichever path refused them.
 */
final class ErrorAnswers {

  /** A Java package before a class name, as in {@code io.k8srdma.model.extender.ExtenderArgs}. */
  private static final Pattern PACKAGE_PREFIX =
      Pattern.compile("\\b(?:[a-z][a-z0-9_]*\\.)+(?=[A-Z])");

  private ErrorAnswers() {}

  /** The body of an error answer. */
  static Map<String, Object> body(int status, String message) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", message);
    body.put("status", status);
    return body;
  }

  /**
   * What was wrong with a body Jackson could not read: the root cause's first line, with where in
   * the body it is and without Java package names.
   */
  static String unreadable(Throwable e) {
    return "malformed request body: " + withoutPackages(rootMessage(e));
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
