package io.k8srdma.agent.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.k8srdma.agent.api.ApiErrorHandler.ApiError;
import io.k8srdma.agent.config.ConditionalOnServeMode;
import io.k8srdma.model.json.JsonFields;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses a GET whose query string the servlet container could not read in full. Tomcat drops a
 * parameter it cannot decode ({@code pf=%ZZ}) or that has no name ({@code =x}) and serves the
 * request without it, so {@code GET /vfs?pf=%ZZ} answered every PF; here it is a 400 naming the
 * part, in the shape of the API's other errors.
 */
@ConditionalOnServeMode
@Component
public class QueryStringCheck extends OncePerRequestFilter {

  /** Set by Tomcat when it skipped parameters (its {@code Globals.PARAMETER_PARSE_FAILED_*}). */
  static final String PARSE_FAILED = "org.apache.catalina.parameter_parse_failed_reason";

  private final ObjectMapper mapper;

  public QueryStringCheck(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  /** Only a GET or HEAD with a query string: no endpoint reads a form body's parameters. */
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
    HttpStatus status = HttpStatus.BAD_REQUEST;
    ApiError body =
        new ApiError(
            Instant.now(),
            status.value(),
            status.getReasonPhrase(),
            "malformed query string: " + whatIsWrong(request.getQueryString(), failed),
            request.getRequestURI());
    response.setStatus(status.value());
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
