package io.k8srdma.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.k8srdma.model.json.JsonFields;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses a GET whose query string the servlet container could not read in full. Tomcat drops a
 * parameter it cannot decode ({@code node=%ZZ}) or that has no name ({@code =x}) and serves the
 * request without it, so {@code GET /inventory?node=%ZZ} answered every node and {@code GET
 * /vfs?pf=%ZZ} every PF; here it is a 400 naming the part, in the service's error shape ({@link
 * ErrorBody}). A service declares it as a bean, which Spring Boot registers as a servlet filter.
 */
public class QueryStringCheck extends OncePerRequestFilter {

  /** Set by Tomcat when it skipped parameters (its {@code Globals.PARAMETER_PARSE_FAILED_*}). */
  static final String PARSE_FAILED = "org.apache.catalina.parameter_parse_failed_reason";

  private final ObjectMapper mapper;
  private final ErrorBody errorBody;
  private final Logger log;

  /**
   * @param mapper writes the body: the application's, as its other answers
   * @param errorBody the service's error body
   * @param log where each 400 is logged, the service's own logger ({@link
   *     org.slf4j.helpers.NOPLogger#NOP_LOGGER} for a service that logs none of its 400s)
   */
  public QueryStringCheck(ObjectMapper mapper, ErrorBody errorBody, Logger log) {
    this.mapper = mapper;
    this.errorBody = errorBody;
    this.log = log;
  }

  /**
   * Only a GET or HEAD with a query string: for a POST the container would read a form body along
   * with the parameters, and no endpoint takes a form body's parameters.
   */
  @Override
  protected boolean shouldNotFilter(HttpServletRequest request) {
    String method = request.getMethod();
    return request.getQueryString() == null || !(method.equals("GET") || method.equals("HEAD"));
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    request.getParameterMap(); // has the container parse the query string now
    Object failed = request.getAttribute(PARSE_FAILED);
    if (failed == null) {
      chain.doFilter(request, response);
      return;
    }
    String message = "malformed query string: " + whatIsWrong(request.getQueryString(), failed);
    log.warn("answered 400 to {} {}: {}", request.getMethod(), request.getRequestURI(), message);
    int status = HttpServletResponse.SC_BAD_REQUEST;
    Object body = errorBody.of(status, message, request.getRequestURI());
    response.setStatus(status);
    response.setContentType(MediaType.APPLICATION_JSON_VALUE);
    mapper.writeValue(response.getOutputStream(), body);
  }

  /** The first part of {@code query} the container could not read, or its reason. */
  static String whatIsWrong(String query, Object reason) {
    for (String part : query.split("&")) {
      if (part.startsWith("=")) {
        return JsonFields.quote(part) + " has no parameter name";
      }
      try {
        URLDecoder.decode(part, StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        return JsonFields.quote(part) + " is not valid percent-encoding (%XX, X a hex digit)";
      }
    }
    return "the server could not read all of its parameters (" + reason + ")";
  }
}
