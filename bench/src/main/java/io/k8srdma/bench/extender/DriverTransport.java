package io.k8srdma.bench.extender;

import io.k8srdma.bench.support.Http11Connection;
import io.k8srdma.bench.support.Options;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLContext;

/**
 * What {@link SchedulingDriver} sends filter, prioritize and bind with ({@code --driver-client}).
 * Each load client takes a channel for a run and gives it back after, so a connection outlives the
 * run, as kube-scheduler's does between pods.
 */
sealed interface DriverTransport extends AutoCloseable {

  /**
   * How long an exchange may take: the JDK client's request timeout, a read timeout for sockets.
   */
  Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

  /** The choices of {@code --driver-client}. */
  enum Kind {
    /** A blocking socket per load client ({@link Http11Connection}); the default. */
    SOCKET(
        "socket",
        "one blocking HTTP/1.1 connection per load client, written and read by the client's own"
            + " thread, as Go's net/http in kube-scheduler does"),
    /** {@code java.net.http.HttpClient}, which every run before this option used. */
    JDK(
        "jdk",
        "`java.net.http.HttpClient`, HTTP/1.1 (its selector thread and executor hand-offs add to"
            + " each timed exchange)");

    private final String option;
    private final String description;

    Kind(String option, String description) {
      this.option = option;
      this.description = description;
    }

    /** The {@code driver-client} option: {@code socket} (default) or {@code jdk}. */
    static Kind of(Options opts) {
      String v = opts.get("driver-client", "socket").strip().toLowerCase(Locale.ROOT);
      for (Kind k : values()) {
        if (k.option.equals(v)) {
          return k;
        }
      }
      throw new IllegalArgumentException(
          "--driver-client must be socket or jdk, got '" + opts.get("driver-client", "") + "'");
    }

    /** The settings line of a report. */
    String settingsLine() {
      return "- driver's HTTP client for the timed exchanges (`--driver-client`): `"
          + option
          + "`, "
          + description;
    }
  }

  /** An answer and when its exchange was. */
  record Answer(Span span, int status, byte[] body) {}

  /** One load client's way to the extender; used by one thread at a time. */
  interface Channel {
    /** {@code POST path} with a JSON body, timed from sending to the whole answer. */
    Answer post(String path, byte[] json) throws IOException, InterruptedException;
  }

  /** A channel for one run of one load client: an idle one if there is, else a new one. */
  Channel acquire();

  /** Gives a channel back after the run. */
  void release(Channel channel);

  /** What the transport did, for the log: connections opened, retries. */
  String summary();

  @Override
  void close();

  /**
   * The transport {@code kind} to {@code base}.
   *
   * @param jdk the client for {@link Kind#JDK} (with the scheduler's certificate for https)
   * @param ssl for {@link Kind#SOCKET} on https: the scheduler's TLS context; else null
   */
  static DriverTransport of(Kind kind, URI base, HttpClient jdk, SSLContext ssl) {
    return kind == Kind.SOCKET ? new Sockets(base, ssl) : new Jdk(jdk, base);
  }

  /** {@code java.net.http.HttpClient}: it pools connections itself, so one channel does for all. */
  record Jdk(HttpClient client, URI base) implements DriverTransport, Channel {
    @Override
    public Answer post(String path, byte[] json) throws IOException, InterruptedException {
      HttpRequest request =
          HttpRequest.newBuilder(base.resolve(path))
              .timeout(REQUEST_TIMEOUT)
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofByteArray(json))
              .build();
      long t0 = System.nanoTime();
      HttpResponse<byte[]> r = client.send(request, BodyHandlers.ofByteArray());
      long t1 = System.nanoTime();
      return new Answer(new Span(t0, t1), r.statusCode(), r.body());
    }

    @Override
    public Channel acquire() {
      return this;
    }

    @Override
    public void release(Channel channel) {}

    @Override
    public String summary() {
      return "java.net.http.HttpClient (its own pool)";
    }

    @Override
    public void close() {}
  }

  /**
   * A persistent {@link Http11Connection} per load client, kept between runs; the most recently
   * used idle one is reused first, as Go's transport does.
   */
  final class Sockets implements DriverTransport {
    private final URI base;
    private final SSLContext ssl;
    private final Deque<SocketChannel> idle = new ArrayDeque<>();
    private final List<SocketChannel> all = new ArrayList<>();

    Sockets(URI base, SSLContext ssl) {
      this.base = base;
      this.ssl = ssl;
    }

    @Override
    public synchronized Channel acquire() {
      SocketChannel c = idle.pollFirst();
      if (c == null) {
        c = new SocketChannel(new Http11Connection(base, ssl, REQUEST_TIMEOUT));
        all.add(c);
      }
      return c;
    }

    @Override
    public synchronized void release(Channel channel) {
      idle.addFirst((SocketChannel) channel);
    }

    @Override
    public synchronized String summary() {
      long connects = all.stream().mapToLong(c -> c.connection.connects()).sum();
      long retries = all.stream().mapToLong(c -> c.connection.retries()).sum();
      long chunked = all.stream().mapToLong(c -> c.connection.chunkedAnswers()).sum();
      return String.format(
          Locale.ROOT,
          "%d load-client connections, %d connects, %d requests retried on a new connection,"
              + " %d chunked answers",
          all.size(),
          connects,
          retries,
          chunked);
    }

    @Override
    public synchronized void close() {
      all.forEach(c -> c.connection.close());
      idle.clear();
    }
  }

  /** A channel on one connection. */
  final class SocketChannel implements Channel {
    private final Http11Connection connection;

    SocketChannel(Http11Connection connection) {
      this.connection = connection;
    }

    @Override
    public Answer post(String path, byte[] json) throws IOException {
      long t0 = System.nanoTime();
      Http11Connection.Response r = connection.post(path, "application/json", json);
      long t1 = System.nanoTime();
      return new Answer(new Span(t0, t1), r.status(), r.body());
    }
  }
}
