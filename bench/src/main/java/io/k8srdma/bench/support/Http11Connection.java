package io.k8srdma.bench.support;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * One persistent HTTP/1.1 connection on a blocking socket, for a load driver that times each
 * exchange: the calling thread writes the request and reads the answer itself, with no selector
 * thread or executor between it and the socket, as a Go client's goroutine does. The JDK's {@code
 * java.net.http.HttpClient} hands each exchange to its selector-manager thread and back, which on a
 * busy core adds more to the measured time than the server under test takes.
 *
 * <p>What it speaks: {@code POST} (or any method with a body) with {@code Content-Length}, written
 * in one write; answers framed by {@code Content-Length}, {@code Transfer-Encoding: chunked}
 * (extensions ignored, trailers read and dropped) or the end of the connection; 1xx answers
 * skipped. It reconnects on the next request after an answer with {@code Connection: close}, an
 * HTTP/1.0 answer without keep-alive, or a failed exchange. {@code https} URLs get a TLS socket
 * from the given {@link SSLContext} with the host name checked ({@code HTTPS} endpoint
 * identification), as the JDK client checks it.
 *
 * <p><b>Retry.</b> A request that fails on a connection that had already served an exchange, before
 * any byte of the answer was read (the write failed, or the connection ended or was reset instead
 * of answering), is sent once more on a new connection: that is a server closing a kept- alive
 * connection that had been idle, which it does only with no request of that connection in progress,
 * so the request was not processed. Go's transport avoids most of these by watching idle
 * connections and retries the rest when nothing was written, or for idempotent requests; this class
 * has no thread to watch, so it retries every method in that one case, including non-idempotent
 * ones (a server that read the request and then died without answering would see it twice; the
 * retry's own answer would then show it). A read timeout, a failure on a new connection or after
 * the first byte of the answer is never retried.
 *
 * <p>Not thread-safe: one connection per load client. Every loop is bounded (header count and line
 * length, chunk count, body size).
 */
public final class Http11Connection implements AutoCloseable {

  /** What the JDK client was given as its connect timeout ({@link DriverKit#httpClient()}). */
  public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);

  /** The longest status, header, chunk-size or trailer line accepted, in bytes. */
  static final int MAX_LINE = 8 * 1024;

  /** The most header (or trailer) fields accepted in one answer. */
  static final int MAX_FIELDS = 200;

  /** The largest answer body accepted. */
  static final int MAX_BODY = 256 * 1024 * 1024;

  /** The most chunks accepted in one answer. */
  static final int MAX_CHUNKS = 1 << 20;

  /** The most 1xx interim answers skipped before the final one. */
  static final int MAX_INTERIM = 8;

  /** An answer: its status and its whole body (empty when it had none). */
  public record Response(int status, byte[] body) {}

  private final String host;
  private final int port;
  private final boolean tls;
  private final SSLContext sslContext;
  private final Duration readTimeout;
  private final byte[] hostHeader;

  private Socket socket;
  private BufferedInputStream in;
  private OutputStream out;
  private int exchangesOnSocket;
  private long connects;
  private long retries;
  private long chunkedAnswers;

  private final ByteArrayOutputStream request = new ByteArrayOutputStream(16 * 1024);
  private final byte[] line = new byte[MAX_LINE];

  /**
   * A connection to the host and port of {@code base} ({@code http} or {@code https}); it connects
   * on the first request.
   *
   * @param sslContext for {@code https}: the trust and the client certificate; null for {@code
   *     http}
   * @param readTimeout how long one read of the answer may wait (SO_TIMEOUT); also bounds the TLS
   *     handshake
   */
  public Http11Connection(URI base, SSLContext sslContext, Duration readTimeout) {
    String scheme = base.getScheme() == null ? "" : base.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException("expected an http or https URL, got " + base);
    }
    if (base.getHost() == null) {
      throw new IllegalArgumentException("no host in " + base);
    }
    this.tls = scheme.equals("https");
    if (tls && sslContext == null) {
      throw new IllegalArgumentException("an https URL needs an SSLContext: " + base);
    }
    this.host = base.getHost();
    this.port = base.getPort() != -1 ? base.getPort() : tls ? 443 : 80;
    this.sslContext = sslContext;
    this.readTimeout = readTimeout;
    String authority = (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    this.hostHeader = ("Host: " + authority + "\r\n").getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * Sends {@code POST path} with {@code body} and reads the whole answer.
   *
   * @param path the request target, starting with {@code /}
   * @throws HttpProtocolException when the answer is not well-formed HTTP/1.1 (the connection is
   *     closed)
   * @throws SocketTimeoutException when a read waited longer than the read timeout
   */
  public Response post(String path, String contentType, byte[] body) throws IOException {
    return exchange("POST", path, contentType, body);
  }

  /** As {@link #post}, with any method that carries a body. */
  public Response exchange(String method, String path, String contentType, byte[] body)
      throws IOException {
    if (!path.startsWith("/") || containsControl(path) || path.indexOf(' ') >= 0) {
      throw new IllegalArgumentException("not a request target: " + path);
    }
    if (containsControl(contentType) || containsControl(method) || method.indexOf(' ') >= 0) {
      throw new IllegalArgumentException("CR, LF or space in method or content type");
    }
    writeRequest(method, path, contentType, body);
    boolean reused = socket != null && exchangesOnSocket > 0;
    try {
      return once();
    } catch (StaleConnection e) {
      String what =
          "connection to "
              + host
              + ":"
              + port
              + " ended before any answer to "
              + method
              + " "
              + path;
      if (!reused) {
        throw new IOException(what + ": " + e.getCause(), e.getCause());
      }
      retries++;
      try {
        return once();
      } catch (StaleConnection again) {
        IOException failure =
            new IOException(
                what + ", and again on a new connection: " + again.getCause(), again.getCause());
        failure.addSuppressed(e.getCause());
        throw failure;
      }
    }
  }

  /** Connections opened so far (the first, reconnections and retries). */
  public long connects() {
    return connects;
  }

  /** Requests sent again on a new connection after their kept-alive one had ended. */
  public long retries() {
    return retries;
  }

  /** Answers that came with {@code Transfer-Encoding: chunked}. */
  public long chunkedAnswers() {
    return chunkedAnswers;
  }

  /** Whether a connection is open (it may still have been closed by the server since). */
  public boolean isOpen() {
    return socket != null;
  }

  @Override
  public void close() {
    Socket s = socket;
    socket = null;
    in = null;
    out = null;
    exchangesOnSocket = 0;
    if (s != null) {
      try {
        s.close();
      } catch (IOException e) {
        // closing a socket we are done with: nothing to do about it
      }
    }
  }

  /**
   * One attempt: write on the open connection (or a new one) and read the answer.
   *
   * @throws StaleConnection when the connection ended before any byte of the answer
   */
  private Response once() throws IOException {
    if (socket == null) {
      connect();
    }
    boolean ok = false;
    try {
      try {
        // the whole request in one write, as a client that times the exchange should send it
        request.writeTo(out);
        out.flush();
      } catch (IOException e) {
        throw new StaleConnection(e);
      }
      Response r = readAnswer();
      ok = true;
      return r;
    } finally {
      if (!ok) {
        close();
      }
    }
  }

  private void connect() throws IOException {
    connects++;
    Socket raw = new Socket();
    try {
      raw.setTcpNoDelay(true);
      raw.setSoTimeout(Math.toIntExact(readTimeout.toMillis()));
      raw.connect(new InetSocketAddress(host, port), Math.toIntExact(CONNECT_TIMEOUT.toMillis()));
      Socket s = raw;
      if (tls) {
        SSLSocket ssl =
            (SSLSocket) sslContext.getSocketFactory().createSocket(raw, host, port, true);
        SSLParameters params = ssl.getSSLParameters();
        params.setEndpointIdentificationAlgorithm("HTTPS");
        ssl.setSSLParameters(params);
        ssl.startHandshake();
        s = ssl;
      }
      socket = s;
      in = new BufferedInputStream(s.getInputStream(), 16 * 1024);
      out = s.getOutputStream();
      exchangesOnSocket = 0;
    } catch (IOException | RuntimeException e) {
      raw.close();
      throw e;
    }
  }

  /** Request line, Host, Content-Type, Content-Length and body into {@link #request}. */
  private void writeRequest(String method, String path, String contentType, byte[] body) {
    request.reset();
    ascii(method + " " + path + " HTTP/1.1\r\n");
    request.writeBytes(hostHeader);
    ascii("Content-Type: " + contentType + "\r\n");
    ascii("Content-Length: " + body.length + "\r\n\r\n");
    request.writeBytes(body);
  }

  private void ascii(String s) {
    request.writeBytes(s.getBytes(StandardCharsets.US_ASCII));
  }

  private Response readAnswer() throws IOException {
    int first;
    try {
      first = in.read();
    } catch (SocketTimeoutException e) {
      throw timeout(e, "no answer");
    } catch (IOException e) {
      throw new StaleConnection(e);
    }
    if (first == -1) {
      throw new StaleConnection(new EOFException("connection closed by " + host + ":" + port));
    }
    try {
      for (int interim = 0; ; interim++) {
        String status = readLine("status line", first);
        first = -1;
        int code = statusCode(status);
        Head h = readFields("header");
        if (code >= 100 && code < 200 && code != 101) {
          if (interim >= MAX_INTERIM) {
            throw new HttpProtocolException("more than " + MAX_INTERIM + " 1xx answers");
          }
          continue;
        }
        if (code == 101) {
          throw new HttpProtocolException("unexpected 101 Switching Protocols");
        }
        byte[] body = body(code, h);
        exchangesOnSocket++;
        if (h.close || (status.startsWith("HTTP/1.0") && !h.keepAlive) || h.untilClose) {
          close();
        }
        return new Response(code, body);
      }
    } catch (SocketTimeoutException e) {
      throw timeout(e, "no more of the answer");
    }
  }

  private SocketTimeoutException timeout(SocketTimeoutException e, String what) {
    SocketTimeoutException t =
        new SocketTimeoutException(
            what
                + " from "
                + host
                + ":"
                + port
                + " within the read timeout of "
                + readTimeout.toMillis()
                + " ms");
    t.initCause(e);
    return t;
  }

  /** Header fields that frame the body or end the connection. */
  private static final class Head {
    long contentLength = -1;
    boolean chunked;
    boolean close;
    boolean keepAlive;
    boolean untilClose;
  }

  private byte[] body(int code, Head h) throws IOException {
    if (code == 204 || code == 304) {
      return new byte[0];
    }
    if (h.chunked) {
      chunkedAnswers++;
      return chunked();
    }
    if (h.contentLength >= 0) {
      if (h.contentLength > MAX_BODY) {
        throw new HttpProtocolException(
            "Content-Length " + h.contentLength + " exceeds the limit of " + MAX_BODY + " bytes");
      }
      byte[] body = in.readNBytes((int) h.contentLength);
      if (body.length < h.contentLength) {
        throw new HttpProtocolException(
            "connection ended after "
                + body.length
                + " of the "
                + h.contentLength
                + " body bytes the Content-Length announced");
      }
      return body;
    }
    // no framing: the body runs to the end of the connection (RFC 9112 §6.3)
    h.untilClose = true;
    byte[] body = in.readNBytes(MAX_BODY + 1);
    if (body.length > MAX_BODY) {
      throw new HttpProtocolException("body exceeds the limit of " + MAX_BODY + " bytes");
    }
    return body;
  }

  private byte[] chunked() throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    for (int chunks = 0; chunks < MAX_CHUNKS; chunks++) {
      String sizeLine = readLine("chunk size line", -1);
      int size = chunkSize(sizeLine);
      if (size == 0) {
        readFields("trailer");
        return body.toByteArray();
      }
      if (body.size() + (long) size > MAX_BODY) {
        throw new HttpProtocolException("chunked body exceeds the limit of " + MAX_BODY + " bytes");
      }
      byte[] data = in.readNBytes(size);
      if (data.length < size) {
        throw new HttpProtocolException(
            "connection ended after " + data.length + " of a chunk's " + size + " bytes");
      }
      body.writeBytes(data);
      int cr = in.read();
      int lf = in.read();
      if (cr != '\r' || lf != '\n') {
        throw new HttpProtocolException(
            "no CRLF after a chunk of " + size + " bytes, got " + describe(cr) + describe(lf));
      }
    }
    throw new HttpProtocolException("more than " + MAX_CHUNKS + " chunks");
  }

  /** The size of a chunk-size line ({@code 1*HEXDIG [ BWS ; chunk-ext ]}). */
  static int chunkSize(String sizeLine) throws HttpProtocolException {
    int end = sizeLine.indexOf(';');
    String hex = (end >= 0 ? sizeLine.substring(0, end) : sizeLine).strip();
    if (hex.isEmpty() || hex.length() > 8 || !hex.chars().allMatch(Http11Connection::isHex)) {
      throw new HttpProtocolException("bad chunk size line: " + quote(sizeLine));
    }
    long size = Long.parseLong(hex, 16);
    if (size > MAX_BODY) {
      throw new HttpProtocolException(
          "chunk of " + size + " bytes exceeds the limit of " + MAX_BODY + " bytes");
    }
    return (int) size;
  }

  private static boolean isHex(int c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  /** The code of a status line ({@code HTTP/1.x SP 3DIGIT [SP reason]}). */
  static int statusCode(String statusLine) throws HttpProtocolException {
    boolean ok =
        statusLine.length() >= 12
            && statusLine.startsWith("HTTP/1.")
            && Character.isDigit(statusLine.charAt(7))
            && statusLine.charAt(8) == ' '
            && isDigit(statusLine.charAt(9))
            && isDigit(statusLine.charAt(10))
            && isDigit(statusLine.charAt(11))
            && (statusLine.length() == 12 || statusLine.charAt(12) == ' ');
    if (!ok) {
      throw new HttpProtocolException("bad status line: " + quote(statusLine));
    }
    return Integer.parseInt(statusLine.substring(9, 12));
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  /** Header or trailer fields up to the empty line; only the framing ones are kept. */
  private Head readFields(String what) throws IOException {
    Head h = new Head();
    for (int n = 0; n <= MAX_FIELDS; n++) {
      String field = readLine(what, -1);
      if (field.isEmpty()) {
        return h;
      }
      int colon = field.indexOf(':');
      if (colon <= 0 || field.charAt(0) == ' ' || field.charAt(0) == '\t') {
        throw new HttpProtocolException("bad " + what + " line: " + quote(field));
      }
      String name = field.substring(0, colon);
      if (name.indexOf(' ') >= 0 || name.indexOf('\t') >= 0) {
        throw new HttpProtocolException("bad " + what + " name: " + quote(field));
      }
      String value = field.substring(colon + 1).strip();
      if (name.equalsIgnoreCase("Content-Length")) {
        long length = contentLength(value, field);
        if (h.contentLength >= 0 && h.contentLength != length) {
          throw new HttpProtocolException("two different Content-Length values: " + quote(field));
        }
        h.contentLength = length;
      } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
        String[] codings = value.toLowerCase(Locale.ROOT).split(",");
        if (!codings[codings.length - 1].strip().equals("chunked")) {
          throw new HttpProtocolException("unsupported transfer coding: " + quote(field));
        }
        h.chunked = true;
      } else if (name.equalsIgnoreCase("Connection")) {
        for (String token : value.toLowerCase(Locale.ROOT).split(",")) {
          h.close |= token.strip().equals("close");
          h.keepAlive |= token.strip().equals("keep-alive");
        }
      }
    }
    throw new HttpProtocolException("more than " + MAX_FIELDS + " " + what + " lines");
  }

  private static long contentLength(String value, String field) throws HttpProtocolException {
    if (value.isEmpty()
        || value.length() > 18
        || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new HttpProtocolException("bad Content-Length: " + quote(field));
    }
    return Long.parseLong(value);
  }

  /**
   * One line up to CRLF (a bare LF is taken as well), without it, as ISO-8859-1.
   *
   * @param first a byte already read from the line, or -1
   */
  private String readLine(String what, int first) throws IOException {
    int n = 0;
    if (first != -1) {
      line[n++] = (byte) first;
    }
    while (n <= MAX_LINE) {
      int b = in.read();
      if (b == -1) {
        throw new HttpProtocolException(
            "connection ended in the "
                + what
                + (n > 0
                    ? " after " + quote(new String(line, 0, n, StandardCharsets.ISO_8859_1))
                    : ""));
      }
      if (b == '\n') {
        int end = n > 0 && line[n - 1] == '\r' ? n - 1 : n;
        return new String(line, 0, end, StandardCharsets.ISO_8859_1);
      }
      if (n == MAX_LINE) {
        break;
      }
      line[n++] = (byte) b;
    }
    throw new HttpProtocolException(what + " longer than " + MAX_LINE + " bytes");
  }

  private static boolean containsControl(String s) {
    return s.chars().anyMatch(c -> c < 0x20 || c == 0x7f);
  }

  private static String describe(int b) {
    return b == -1
        ? "(end)"
        : b == '\r' ? "CR " : b == '\n' ? "LF " : quote(String.valueOf((char) b));
  }

  /** {@code s} quoted for an error message: control characters escaped, at most 200 chars. */
  static String quote(String s) {
    StringBuilder q = new StringBuilder("\"");
    for (int i = 0; i < s.length() && i < 200; i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f || c > 0x7e) {
        q.append(String.format(Locale.ROOT, "\\x%02x", (int) c));
      } else {
        q.append(c);
      }
    }
    return q.append(s.length() > 200 ? "\"…" : "\"").toString();
  }

  /** The connection ended before any byte of the answer (or the request could not be written). */
  private static final class StaleConnection extends IOException {
    StaleConnection(IOException cause) {
      super(cause);
    }
  }

  /** An answer that is not well-formed HTTP/1.1 (or exceeds this client's limits). */
  public static final class HttpProtocolException extends IOException {
    public HttpProtocolException(String message) {
      super(message);
    }
  }
}
