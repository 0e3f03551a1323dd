package io.k8srdma.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.catalina.Valve;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.core.StandardContext;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.ActionCode;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;

/**
 * The valve's mechanics the services' tests cannot reach through a real Tomcat: what it leaves to
 * others, how it cuts Tomcat's message, and its installation on a host. The services' tests check
 * its answers on the wire ({@code aRequestTomcatRefusesByItselfIsA400WithAJsonError}).
 */
class JsonErrorReportValveTest {

  static final Logger LOG = mock(Logger.class);

  static final ErrorBody BODY =
      (status, message, path) -> {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", status);
        body.put("message", message);
        body.put("path", path);
        return body;
      };

  /** As a service's: public, with a public no-arg constructor. */
  public static class TestValve extends JsonErrorReportValve {
    public TestValve() {
      super(LOG, BODY);
    }
  }

  /** One Tomcat could not build by name. */
  public static class NoDefaultConstructor extends JsonErrorReportValve {
    public NoDefaultConstructor(Logger log) {
      super(log, BODY);
    }
  }

  @Test
  void writesTheServicesBodyAndLogsOneLine() throws Exception {
    Logger log = mock(Logger.class);
    StringWriter out = new StringWriter();
    Response response = refused(400, "Request header is too large", true);
    when(response.getReporter()).thenReturn(new PrintWriter(out));

    new NoDefaultConstructor(log).report(request("/vfs"), response, null);

    assertThat(out.toString())
        .isEqualTo(
            "{\"status\":400,\"message\":\"Request header is too large\",\"path\":\"/vfs\"}");
    verify(response).setContentType("application/json");
    verify(response).setCharacterEncoding("utf-8");
    verify(response).finishResponse();
    verify(log)
        .warn("answered {} to a request Tomcat refused: {}", 400, "Request header is too large");
  }

  @Test
  void leavesAloneWhatTomcatsOwnValveLeavesAlone() throws Exception {
    Response success = refused(200, "OK", true);
    Response written = refused(400, "x", true);
    when(written.getContentWritten()).thenReturn(12L);
    Response reported = refused(400, "x", true);
    when(reported.setErrorReported()).thenReturn(false);
    Response closed = refused(400, "x", false);

    for (Response response : new Response[] {success, written, reported, closed}) {
      new TestValve().report(request("/vfs"), response, null);

      verify(response, never()).getReporter();
      verify(response, never()).setContentType(any());
    }
  }

  @Test
  void theMessageIsTomcatsFirstLineCut() {
    assertThat(JsonErrorReportValve.message(refused(400, "first\nsecond", true), null, 400))
        .isEqualTo("first");
    // Tomcat quotes the request target: 300 characters are kept, a longer line is cut there.
    String target = "Invalid character found in the request target [" + "x".repeat(400) + "]";
    assertThat(JsonErrorReportValve.message(refused(400, target, true), null, 400))
        .isEqualTo(target.substring(0, 300) + "...");
    String fits = target.substring(0, 300);
    assertThat(JsonErrorReportValve.message(refused(400, fits, true), null, 400)).isEqualTo(fits);
  }

  @Test
  void withoutTomcatsMessageTheExceptionsThenTheReasonPhrase() {
    Throwable thrown = new IllegalStateException("broken pipe\n\tat somewhere");
    assertThat(JsonErrorReportValve.message(refused(500, " ", true), thrown, 500))
        .isEqualTo("broken pipe");
    assertThat(JsonErrorReportValve.message(refused(400, null, true), null, 400))
        .isEqualTo("Bad Request");
    assertThat(JsonErrorReportValve.message(refused(599, null, true), null, 599))
        .isEqualTo("HTTP 599");
  }

  @Test
  void theCustomizerReplacesTheHostsErrorValveAndNamesItsClass() {
    StandardHost host = new StandardHost();
    host.getPipeline().addValve(new ErrorReportValve());
    StandardContext context = new StandardContext();
    context.setParent(host);

    customize(TestValve.class, context);

    Valve[] valves = host.getPipeline().getValves();
    assertThat(Arrays.stream(valves).filter(v -> v instanceof ErrorReportValve))
        .singleElement()
        .isInstanceOf(TestValve.class);
    // The host adds its own error valve at start unless one of this class is in its pipeline.
    assertThat(host.getErrorReportValveClass()).isEqualTo(TestValve.class.getName());
  }

  @Test
  void aValveTomcatCannotBuildByNameFailsAtStart() {
    StandardContext context = new StandardContext();
    context.setParent(new StandardHost());

    assertThatThrownBy(() -> customize(NoDefaultConstructor.class, context))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            NoDefaultConstructor.class.getName()
                + " needs a public no-arg constructor, as Tomcat builds it by name");
  }

  private static void customize(
      Class<? extends JsonErrorReportValve> valveClass, StandardContext context) {
    TomcatServletWebServerFactory factory = new TomcatServletWebServerFactory();
    JsonErrorReportValve.customizer(valveClass).customize(factory);
    factory.getTomcatContextCustomizers().forEach(c -> c.customize(context));
  }

  private static Request request(String uri) {
    Request request = mock(Request.class);
    when(request.getRequestURI()).thenReturn(uri);
    return request;
  }

  /** A response Tomcat set an error status on, nothing written yet. */
  private static Response refused(int status, String message, boolean ioAllowed) {
    Response response = mock(Response.class);
    org.apache.coyote.Response coyote = mock(org.apache.coyote.Response.class);
    when(response.getStatus()).thenReturn(status);
    when(response.getMessage()).thenReturn(message);
    when(response.getContentWritten()).thenReturn(0L);
    when(response.setErrorReported()).thenReturn(true);
    when(response.getCoyoteResponse()).thenReturn(coyote);
    doAnswer(
            call -> {
              call.<AtomicBoolean>getArgument(1).set(ioAllowed);
              return null;
            })
        .when(coyote)
        .action(eq(ActionCode.IS_IO_ALLOWED), any());
    return response;
  }
}
