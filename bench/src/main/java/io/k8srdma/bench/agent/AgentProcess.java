package io.k8srdma.bench.agent;

import io.k8srdma.bench.support.ChildService;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A node agent running as a child process on 127.0.0.1 ({@link ChildService}). Closing it stops the
 * process: SIGTERM first (so a dynamic CDS archive gets written at exit), then SIGKILL.
 */
final class AgentProcess implements AutoCloseable {

  private static final Duration READY_DEADLINE = Duration.ofMinutes(2);
  private static final Duration POLL = Duration.ofMillis(10);

  private final ChildService service;

  private AgentProcess(ChildService service) {
    this.service = service;
  }

  /**
   * Starts the agent.
   *
   * @param java the java launcher
   * @param jar the agent jar (fat or extracted)
   * @param jvmFlags flags before {@code -jar}
   * @param profile the profile, for its environment
   * @param hostRoot the fake host tree
   * @param port a free TCP port on 127.0.0.1
   * @param log where the agent's stdout and stderr go
   */
  static AgentProcess start(
      Path java,
      Path jar,
      List<String> jvmFlags,
      JvmProfile profile,
      Path hostRoot,
      int port,
      Path log) {
    List<String> cmd = new ArrayList<>();
    cmd.add(java.toString());
    cmd.addAll(jvmFlags);
    cmd.addAll(
        List.of(
            "-jar",
            jar.toString(),
            "--server.address=127.0.0.1",
            "--server.port=" + port,
            "--k8s-rdma.agent.host-root=" + hostRoot,
            "--k8s-rdma.agent.node-name=bench",
            "--k8s-rdma.agent.netlink=false"));
    return new AgentProcess(ChildService.start("agent", cmd, profile.env(), port, log));
  }

  long pid() {
    return service.pid();
  }

  URI base() {
    return service.base();
  }

  /**
   * Polls readiness until it answers 200.
   *
   * @return wall-clock time from just before the process was spawned to the first 200
   */
  Duration awaitReady(HttpClient client) throws InterruptedException {
    return service.awaitReady(client, READY_DEADLINE, POLL);
  }

  String logTail() {
    return service.tail(30);
  }

  @Override
  public void close() {
    service.close();
  }
}
