package io.k8srdma.bench.extender;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.ServerWebSocket;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The fake API's front door on 127.0.0.1: pod watches over WebSocket, as a real API server offers
 * them and as fabric8's informer asks first, and every other request passed through to {@link
 * FakeKubeApi}'s server. Without it fabric8 falls back to its HTTP watch, which appends each
 * character of an event to a synchronised buffer and so overstates the informer's cost
 * (docs/benchmarks.md).
 */
final class WatchSocketFront implements AutoCloseable {

  private static final long START_SECONDS = 30;

  private final Vertx vertx =
      Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setUseDaemonThread(true));
  private final List<ServerWebSocket> watches = new CopyOnWriteArrayList<>();
  private final HttpClient backend;
  private final HttpServer server;

  /** Listens on a free port and passes everything but watches on to {@code backend}. */
  WatchSocketFront(URI backend) throws Exception {
    this.backend =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setDefaultHost(backend.getHost())
                .setDefaultPort(backend.getPort())
                .setKeepAlive(true),
            new PoolOptions().setHttp1MaxSize(16));
    this.server =
        vertx
            .createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
            .webSocketHandler(this::watch)
            .requestHandler(this::pass)
            .listen()
            .toCompletionStage()
            .toCompletableFuture()
            .get(START_SECONDS, TimeUnit.SECONDS);
  }

  URI url() {
    return URI.create("http://127.0.0.1:" + server.actualPort() + "/");
  }

  /** Sends one watch event (a {@code {"type":...,"object":...}} document) to every watch. */
  void emit(String event) {
    for (ServerWebSocket ws : watches) {
      ws.writeTextMessage(event);
    }
  }

  private void watch(ServerWebSocket ws) {
    if (!isWatch(ws.path(), ws.query())) {
      ws.reject(404);
      return;
    }
    watches.add(ws);
    ws.closeHandler(closed -> watches.remove(ws));
  }

  private void pass(HttpServerRequest request) {
    if (isWatch(request.path(), request.query())) {
      // Streaming a watch through would need a streaming relay; fabric8 watches over WebSocket.
      request.response().setStatusCode(503).end("watch over WebSocket only");
      return;
    }
    RequestOptions options = new RequestOptions().setMethod(request.method()).setURI(request.uri());
    String type = request.getHeader("Content-Type");
    if (type != null) {
      options.putHeader("Content-Type", type);
    }
    request
        .body()
        .compose(body -> relay(request, options, body))
        .onFailure(error -> request.response().setStatusCode(502).end("fake API front: " + error));
  }

  /** Sends the request on and its answer back; handlers are set inside each future (Vert.x). */
  private Future<Void> relay(HttpServerRequest request, RequestOptions options, Buffer body) {
    return backend
        .request(options)
        .compose(
            out ->
                out.send(body)
                    .compose(answer -> answer.body().map(bytes -> reply(request, answer, bytes))));
  }

  private static Void reply(HttpServerRequest request, HttpClientResponse answer, Buffer bytes) {
    HttpServerResponse response = request.response().setStatusCode(answer.statusCode());
    String type = answer.getHeader("Content-Type");
    if (type != null) {
      response.putHeader("Content-Type", type);
    }
    response.end(bytes);
    return null;
  }

  private static boolean isWatch(String path, String query) {
    return "/api/v1/pods".equals(path) && query != null && query.contains("watch=true");
  }

  @Override
  public void close() {
    vertx.close();
  }
}
