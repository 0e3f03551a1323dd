package io.k8srdma.agent.api;

import io.k8srdma.agent.api.ApiErrorHandler.ApiError;
import io.k8srdma.agent.config.ConditionalOnServeMode;
import io.k8srdma.model.json.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.catalina.Host;
import org.apache.catalina.Pipeline;
import org.apache.catalina.Valve;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.ActionCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;

/**
 * Tomcat's own error answers as JSON in the shape of the API's other errors ({@link ApiError}),
 * instead of its HTML page. Tomcat answers by itself the requests it refuses before any servlet
 * sees them: a request line with a character URLs may not carry ({@code ?node={a}}, as curl sends
 * it), a request line or header past its size limit.
 */
@ConditionalOnServeMode
@Configuration(proxyBeanMethods = false)
public class TomcatErrors {

  /**
   * Replaces the host's error report valve (Spring Boot's, and Tomcat's default) with {@link
   * JsonErrorReportValve}; ordered last, so that it runs after Spring Boot added its own.
   */
  @Bean
  WebServerFactoryCustomizer<TomcatServletWebServerFactory> jsonTomcatErrors() {
    return factory ->
        factory.addContextCustomizers(
            context -> {
              Host host = (Host) context.getParent();
              Pipeline pipeline = host.getPipeline();
              for (Valve valve : pipeline.getValves()) {
                if (valve instanceof ErrorReportValve) {
                  pipeline.removeValve(valve);
                }
              }
              pipeline.addValve(new JsonErrorReportValve());
              if (host instanceof StandardHost standard) {
                // Else the host adds Tomcat's HTML valve again when it starts.
                standard.setErrorReportValveClass(JsonErrorReportValve.class.getName());
              }
            });
  }

  /** Writes an error Tomcat answers by itself as the API's JSON error. */
  public static class JsonErrorReportValve extends ErrorReportValve {

    private static final Logger log = LoggerFactory.getLogger(TomcatErrors.class);

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
      int status = response.getStatus();
      // As Tomcat's own valve: nothing for a success, an answer already written (Spring's errors
      // are), or an error already reported; nothing when the connection can take no more.
      if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
        return;
      }
      AtomicBoolean ioAllowed = new AtomicBoolean();
      response.getCoyoteResponse().action(ActionCode.IS_IO_ALLOWED, ioAllowed);
      if (!ioAllowed.get()) {
        return;
      }
      String message = message(response, throwable, status);
      log.warn("answered {} to a request Tomcat refused: {}", status, message);
      HttpStatus known = HttpStatus.resolve(status);
      ApiError body =
          new ApiError(
              Instant.now(),
              status,
              known == null ? "HTTP " + status : known.getReasonPhrase(),
              message,
              request.getRequestURI());
      try {
        response.setContentType("application/json");
        response.setCharacterEncoding("utf-8");
        PrintWriter writer = response.getReporter();
        if (writer != null) {
          writer.write(Json.mapper().writeValueAsString(body));
          response.finishResponse();
        }
      } catch (IOException | IllegalStateException e) {
        // The client is gone or the response cannot be written: nothing to tell anyone.
      }
    }

    /** Tomcat's message, else its exception's first line, else the status' reason phrase. */
    static String message(Response response, Throwable throwable, int status) {
      String message = response.getMessage();
      if ((message == null || message.isBlank()) && throwable != null) {
        message = throwable.getMessage();
      }
      if (message == null || message.isBlank()) {
        HttpStatus known = HttpStatus.resolve(status);
        return known == null ? "HTTP " + status : known.getReasonPhrase();
      }
      int nl = message.indexOf('\n');
      String line = nl < 0 ? message : message.substring(0, nl);
      // Tomcat quotes the request target, which may be kilobytes long.
      return line.length() <= 300 ? line : line.substring(0, 300) + "...";
    }
  }
}
