package io.k8srdma.extender.api;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PushbackInputStream;
import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.UnsupportedCharsetException;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.filter.ServerHttpObservationFilter;

/**
 * kube-scheduler's verbs ({@code POST} filter, prioritize and bind, at the paths of {@code
 * k8s-rdma.extender.verbs.*}): reads the JSON body, hands it to the verb, writes its answer as
 * JSON.
 *
 * <p>A plain servlet instead of Spring MVC controllers, because a scheduling cycle is three such
 * requests and Spring MVC's dispatch, argument resolution and message conversion around them cost
 * 10–15% of the extender's CPU per cycle (docs/decisions.md §13). Everything around the servlet
 * stays Spring Boot's: Tomcat, the servlet filters (client certificates, query strings, the HTTP
 * observation that feeds {@code http_server_requests_seconds}), Actuator.
 *
 * <p>Answers, each with a JSON body:
 *
 * <ul>
 *   <li>200 with the verb's answer;
 *   <li>400 {@code {"error": ..., "status": 400}} for a body that is missing, is not one JSON
 *       value, or does not decode (the error says where), and for arguments the verb refuses;
 *   <li>405 for a method other than {@code POST}, 415 for a {@code Content-Type} other than {@code
 *       application/json};
 *   <li>500 only for a bug, logged with its stack trace.
 * </ul>
 */
public final class VerbServlet extends HttpServlet {

  private static final long serialVersionUID = 1L;

  private static final Logger log = LoggerFactory.getLogger(VerbServlet.class);

  /**
   * One verb.
   *
   * @param path where the servlet serves it
   * @param reader reads its arguments
   * @param answer answers them (throws {@link BadRequestException} for arguments it refuses)
   * @param writer writes its answer
   */
  public record Verb(
      String path, ObjectReader reader, Function<Object, Object> answer, ObjectWriter writer) {

    /** A verb whose body decodes to {@code args} and whose answer is written as {@code result}. */
    public static <A, R> Verb of(
        String path,
        ObjectMapper mapper,
        Class<A> args,
        Function<A, R> answer,
        ObjectWriter resultWriter) {
      // A body must be one JSON value: {"Pod": ...} x is malformed, not read up to its first
      // value. Set on this reader only: mapper-wide, the check would also fail fabric8's Quantity
      // deserializer, which reads a tree from the mapper in the middle of the body.
      ObjectReader reader =
          mapper.readerFor(args).with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
      return new Verb(path, reader, a -> answer.apply(args.cast(a)), resultWriter);
    }
  }

  private final transient Map<String, Verb> byPath = new HashMap<>();
  private final transient ObjectWriter errorWriter;

  /**
   * @param verbs the verbs, each at a path of its own
   * @param mapper writes the error answers
   * @throws IllegalArgumentException when two verbs share a path
   */
  public VerbServlet(List<Verb> verbs, ObjectMapper mapper) {
    for (Verb verb : verbs) {
      if (byPath.putIfAbsent(verb.path(), verb) != null) {
        throw new IllegalArgumentException("two verbs share the path " + verb.path());
      }
    }
    this.errorWriter = mapper.writerFor(Map.class);
  }

  /** The paths to register the servlet at. */
  public String[] paths() {
    return byPath.keySet().toArray(String[]::new);
  }

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    String path = request.getServletPath();
    Verb verb = byPath.get(path);
    if (verb == null) {
      // Registered at the verbs' paths only; a servlet container that maps otherwise is a bug.
      fail(request, response, 404, "no verb at " + path);
      return;
    }
    // http_server_requests_seconds tags the request with its path, as Spring MVC's mapping did.
    ServerHttpObservationFilter.findObservationContext(request)
        .ifPresent(observation -> observation.setPathPattern(path));
    if (!"POST".equals(request.getMethod())) {
      response.setHeader("Allow", "POST");
      fail(request, response, 405, request.getMethod() + " is not allowed; use POST");
      return;
    }
    String unsupported = unsupportedContentType(request);
    if (unsupported != null) {
      fail(request, response, 415, "Content-Type must be application/json: " + unsupported);
      return;
    }
    Object args;
    try {
      args = read(verb, request);
    } catch (MissingBody e) {
      fail(request, response, 400, "malformed request body: " + e.getMessage());
      return;
    } catch (JacksonException e) {
      fail(request, response, 400, ErrorAnswers.unreadable(e));
      return;
    } catch (RuntimeException e) {
      unexpected(request, response, e);
      return;
    }
    answer(request, response, verb, args);
  }

  private void answer(
      HttpServletRequest request, HttpServletResponse response, Verb verb, Object args)
      throws IOException {
    Object answer;
    try {
      answer = verb.answer().apply(args);
    } catch (BadRequestException e) {
      fail(request, response, 400, e.getMessage());
      return;
    } catch (RuntimeException e) {
      unexpected(request, response, e);
      return;
    }
    write(response, 200, verb.writer(), answer);
  }

  /** A bug: answered 500, and logged with its stack trace. */
  private void unexpected(
      HttpServletRequest request, HttpServletResponse response, RuntimeException e)
      throws IOException {
    log.error("unexpected error answering {} {}", request.getMethod(), request.getRequestURI(), e);
    write(response, 500, errorWriter, ErrorAnswers.body(500, "internal error: " + e));
  }

  /**
   * Why the request's Content-Type is not JSON, or null when it is. Only {@code application/json}
   * (with parameters) is: a wildcard says nothing about the body, and kube-scheduler sends this.
   */
  private static String unsupportedContentType(HttpServletRequest request) {
    String type = request.getHeader("Content-Type");
    if (type == null || type.isBlank()) {
      return "the request has none";
    }
    int end = type.indexOf(';');
    String mediaType = (end < 0 ? type : type.substring(0, end)).strip().toLowerCase(Locale.ROOT);
    if (!mediaType.equals("application/json")) {
      return "got '" + type + "'";
    }
    try {
      charsetOf(type);
    } catch (IllegalCharsetNameException e) {
      return "its charset '" + e.getCharsetName() + "' is not supported";
    } catch (UnsupportedCharsetException e) {
      return "its charset '" + e.getCharsetName() + "' is not supported";
    }
    return null;
  }

  /**
   * The charset the Content-Type header names when Jackson would not detect it by itself (it does
   * UTF-8, 16 and 32), else null. From the header, as Spring MVC read it: the servlet filters force
   * the request's own character encoding to UTF-8.
   */
  private static Charset charsetOf(String contentType) {
    for (String parameter : contentType.split(";")) {
      int eq = parameter.indexOf('=');
      if (eq > 0 && parameter.substring(0, eq).strip().equalsIgnoreCase("charset")) {
        String name = parameter.substring(eq + 1).strip().replace("\"", "");
        return name.toUpperCase(Locale.ROOT).startsWith("UTF-") ? null : Charset.forName(name);
      }
    }
    return null;
  }

  private static Object read(Verb verb, HttpServletRequest request)
      throws IOException, MissingBody {
    PushbackInputStream body = new PushbackInputStream(request.getInputStream(), 1);
    int first = body.read();
    if (first < 0) {
      throw new MissingBody();
    }
    body.unread(first);
    Charset charset = charsetOf(request.getHeader("Content-Type"));
    InputStream in = body;
    return charset == null
        ? verb.reader().readValue(in)
        : verb.reader().readValue(new InputStreamReader(in, charset));
  }

  /** A client error: answered, and logged in one line, as its caller may not show the body. */
  private void fail(
      HttpServletRequest request, HttpServletResponse response, int status, String why)
      throws IOException {
    log.warn(
        "answered {} to {} {}: {}",
        status,
        request.getMethod(),
        request.getRequestURI(),
        ErrorAnswers.forLog(why));
    write(response, status, errorWriter, ErrorAnswers.body(status, why));
  }

  private static void write(
      HttpServletResponse response, int status, ObjectWriter writer, Object body)
      throws IOException {
    response.setStatus(status);
    response.setContentType("application/json");
    writer.writeValue(response.getOutputStream(), body);
  }

  /** A request without a body; the verbs need a JSON object. */
  private static final class MissingBody extends Exception {
    private static final long serialVersionUID = 1L;

    MissingBody() {
      super("the body is missing (a JSON object is required)", null, false, false);
    }
  }
}
