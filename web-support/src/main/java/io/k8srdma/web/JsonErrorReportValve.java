package io.k8srdma.web;

import io.k8srdma.model.json.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
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
import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;

/**
 * Writes an error Tomcat answers by itself as the service's JSON error ({@link ErrorBody}), instead
 * of Tomcat's HTML page. Tomcat answers by itself the requests it refuses before any servlet sees
 * them: a request line with a character URLs may not carry ({@code ?node={a}}, as curl sends it), a
 * request line or header past its size limit.
 *
 * <p>A service subclasses it with a public no-arg constructor that passes its logger and error
 * body: the host builds its error report valve from a class name ({@link
 * StandardHost#setErrorReportValveClass}), so the body cannot be handed to an instance. {@link
 * #customizer} installs the subclass.
 */
public abstract class JsonErrorReportValve extends ErrorReportValve {

  private final Logger log;
  private final ErrorBody errorBody;

  /**
   * @param log where each answer is logged, the service's own logger so that its logging levels
   *     apply
   * @param errorBody the service's error body
   */
  protected JsonErrorReportValve(Logger log, ErrorBody errorBody) {
    this.log = log;
    this.errorBody = errorBody;
  }

  /**
   * Replaces the host's error report valve (Spring Boot's, and Tomcat's default) with an instance
   * of {@code valveClass}; declared as an unordered bean, the customizer is ordered last, so that
   * it runs after Spring Boot added its own.
   *
   * @param valveClass the service's subclass; public, with a public no-arg constructor
   * @return the customizer, for the service to declare as a bean
   */
  public static WebServerFactoryCustomizer<TomcatServletWebServerFactory> customizer(
      Class<? extends JsonErrorReportValve> valveClass) {
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
              // Built as the host builds it, so a subclass it could not build fails here, at
              // start, and not with the first refused request.
              pipeline.addValve(newInstance(valveClass));
              if (host instanceof StandardHost standard) {
                // Else the host adds Tomcat's HTML valve again when it starts: it adds one only
                // when none of this class is in its pipeline.
                standard.setErrorReportValveClass(valveClass.getName());
              }
            });
  }

  private static JsonErrorReportValve newInstance(
      Class<? extends JsonErrorReportValve> valveClass) {
    try {
      return valveClass.getConstructor().newInstance();
    } catch (NoSuchMethodException
        | InstantiationException
        | IllegalAccessException
        | InvocationTargetException e) {
      throw new IllegalArgumentException(
          valveClass.getName() + " needs a public no-arg constructor, as Tomcat builds it by name",
          e);
    }
  }

  @Override
  protected final void report(Request request, Response response, Throwable throwable) {
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
    Object body = errorBody.of(status, message, request.getRequestURI());
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
      return ErrorBody.reasonPhrase(status);
    }
    int nl = message.indexOf('\n');
    String line = nl < 0 ? message : message.substring(0, nl);
    // Tomcat quotes the request target, which may be kilobytes long.
    return line.length() <= 300 ? line : line.substring(0, 300) + "...";
  }
}
