package io.k8srdma.web;

import org.springframework.http.HttpStatus;

/**
 * A service's JSON error body: what {@link JsonErrorReportValve} and {@link QueryStringCheck}
 * serialise, so that their answers have the shape of the service's other errors.
 */
@FunctionalInterface
public interface ErrorBody {

  /**
   * The body of one error answer, serialised with Jackson.
   *
   * @param status the HTTP status code answered
   * @param message what was wrong, for the caller
   * @param path the request path (the request URI, without its query string)
   * @return the object to write as the JSON body
   */
  Object of(int status, String message, String path);

  /**
   * The reason phrase of {@code status}, or {@code HTTP <status>} for a code HTTP does not name.
   */
  static String reasonPhrase(int status) {
    HttpStatus known = HttpStatus.resolve(status);
    return known == null ? "HTTP " + status : known.getReasonPhrase();
  }
}
