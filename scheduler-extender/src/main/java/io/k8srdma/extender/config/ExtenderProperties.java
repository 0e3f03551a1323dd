package io.k8srdma.extender.config;

import io.k8srdma.extender.bind.AssignmentWrite;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.ConstructorBinding;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * The extender's settings, under {@code k8s-rdma.extender}.
 *
 * @param agentPort the agents' port, used with each Node's InternalIP
 * @param agentNodeSelector a label selector for the Nodes that run an agent (Kubernetes syntax,
 *     e.g. {@code feature.node.kubernetes.io/rdma.capable=true}); empty: every Node. Nodes outside
 *     it are neither polled nor counted, and fail filter for RDMA pods as nodes without an agent
 * @param staticAgents node name to agent base URL (e.g. {@code http://10.0.0.7:8089}); when set,
 *     Node objects are not used to find agents. Strings, not URIs, because Spring Boot keeps a
 *     dotted map key whole only for {@code java.lang} values: with URI values a node named {@code
 *     ip-10-0-0-7.ec2.internal} was silently dropped
 * @param poll how agents are polled
 * @param staleness a node whose inventory is older than this fails filter
 * @param inFlightTimeout how long a bind decision reserves its VFs until the pod informer shows the
 *     pod (renewed while the informer is not watching, and when the API shows a lapsing decision's
 *     pod with it; checked four times within it, at most every 5 s)
 * @param placement the placement policy
 * @param kubernetes how the Kubernetes API is reached
 * @param verbs the HTTP paths of the extender verbs
 * @param bind how bind records its decision on the pod
 */
@Validated
// Unknown keys are refused: a misspelt key (poll.intervall) in a file or a flag would otherwise be
// ignored. Spring's check leaves environment variables out; refuseStaticAgentsFromEnvironment
// covers the one kind that cannot be spelt right.
@ConfigurationProperties(prefix = "k8s-rdma.extender", ignoreUnknownFields = false)
public record ExtenderProperties(
    @DefaultValue("8089") @Min(1) @Max(65535) int agentPort,
    @DefaultValue("") @NotNull String agentNodeSelector,
    @DefaultValue Map<String, String> staticAgents,
    @DefaultValue @Valid @NotNull Poll poll,
    @DefaultValue("30s") @NotNull Duration staleness,
    @DefaultValue("30s") @NotNull Duration inFlightTimeout,
    @DefaultValue @Valid @NotNull Placement placement,
    @DefaultValue @Valid @NotNull Kubernetes kubernetes,
    @DefaultValue @Valid @NotNull Verbs verbs,
    @DefaultValue @Valid @NotNull Bind bind) {

  public ExtenderProperties {
    requirePositive("k8s-rdma.extender.staleness", staleness);
    requirePositive("k8s-rdma.extender.in-flight-timeout", inFlightTimeout);
    requireAtLeast("k8s-rdma.extender.in-flight-timeout", inFlightTimeout, Duration.ofSeconds(1));
    requireLongerThanAPollRound(
        "k8s-rdma.extender.staleness",
        staleness,
        poll,
        "every node would turn stale between two polls of its agent");
    staticAgents = Map.copyOf(staticAgents);
    staticAgents.forEach(ExtenderProperties::httpUrl);
  }

  /**
   * Refuses environment variables meant to set {@code static-agents.<node>}: Spring cannot map a
   * node name (with its {@code -} and {@code .}) from one, and ignores it, leaving the extender
   * without the agent. The exception is one Spring Boot's failure analysis reports as a paragraph
   * naming the property, not a stack trace.
   *
   * @param env the process environment
   * @throws InvalidConfigurationPropertyValueException naming the first such variable
   */
  public static void refuseStaticAgentsFromEnvironment(Map<String, ?> env) {
    List<String> names =
        env.keySet().stream()
            .filter(
                k ->
                    k.startsWith("K8S_RDMA_EXTENDER_STATIC_AGENTS")
                        || k.startsWith("K8SRDMA_EXTENDER_STATICAGENTS"))
            .sorted()
            .toList();
    if (!names.isEmpty()) {
      throw new InvalidConfigurationPropertyValueException(
          "k8s-rdma.extender.static-agents",
          "environment variable " + names.get(0),
          "an environment variable cannot spell a node name; set the map with a flag,"
              + " application.yaml or SPRING_APPLICATION_JSON (docs/operations.md)");
    }
  }

  /** {@link #staticAgents} as URLs (checked when bound). */
  public Map<String, URI> staticAgentUrls() {
    Map<String, URI> urls = new HashMap<>();
    staticAgents.forEach((node, url) -> urls.put(node, httpUrl(node, url)));
    return Map.copyOf(urls);
  }

  /**
   * Polling of the agents.
   *
   * @param interval time between poll rounds
   * @param timeout per-request timeout
   * @param concurrency requests in flight at once
   * @param jitter fraction of {@code interval} by which each round is randomly shifted (0..0.5), so
   *     many extender replicas do not poll in lock step
   * @param answerMemory the most heap the answers in flight take together, from their first byte to
   *     the end of their parse: each answer is limited to 8 MiB, but {@code concurrency} of them at
   *     that size would not fit a small heap. An answer that would pass it fails, and its node is
   *     polled again next round
   */
  public record Poll(
      @DefaultValue("5s") @NotNull Duration interval,
      @DefaultValue("2s") @NotNull Duration timeout,
      @DefaultValue("64") @Min(1) @Max(4096) int concurrency,
      @DefaultValue("0.2") @DecimalMin("0.0") @DecimalMax("0.5") double jitter,
      @DefaultValue("64MB") @NotNull DataSize answerMemory) {

    /** The smallest {@code answer-memory}: one answer at the size limit must fit. */
    public static final DataSize SMALLEST_ANSWER_MEMORY = DataSize.ofMegabytes(8);

    @ConstructorBinding
    public Poll {
      requirePositive("k8s-rdma.extender.poll.interval", interval);
      requirePositive("k8s-rdma.extender.poll.timeout", timeout);
      requireAtLeast("k8s-rdma.extender.poll.interval", interval, Duration.ofMillis(100));
      requireAtLeast("k8s-rdma.extender.poll.timeout", timeout, Duration.ofMillis(10));
      if (answerMemory != null && answerMemory.compareTo(SMALLEST_ANSWER_MEMORY) < 0) {
        throw new IllegalArgumentException(
            "k8s-rdma.extender.poll.answer-memory must be at least 8MB (one answer at the size"
                + " limit), got "
                + text(answerMemory));
      }
    }

    /** {@code size} as it would be written, in the largest unit that divides it. */
    private static String text(DataSize size) {
      long bytes = size.toBytes();
      if (bytes != 0 && bytes % DataSize.ofMegabytes(1).toBytes() == 0) {
        return size.toMegabytes() + "MB";
      }
      if (bytes != 0 && bytes % DataSize.ofKilobytes(1).toBytes() == 0) {
        return size.toKilobytes() + "KB";
      }
      return bytes + "B";
    }

    /** With the default {@code answer-memory}. */
    public Poll(Duration interval, Duration timeout, int concurrency, double jitter) {
      this(interval, timeout, concurrency, jitter, DataSize.ofMegabytes(64));
    }

    /** The longest time from one round's start to the next's: the interval plus its jitter. */
    public Duration longestGap() {
      return interval.plusMillis(Math.round(interval.toMillis() * jitter));
    }
  }

  /**
   * The placement policy.
   *
   * @param policy {@code binpack} (default: fill the PFs already used) or {@code spread}
   * @param oversubscription factor on each PF's capacity, 1.0 = never commit more than the link
   * @param numaBonus prefer placements with all interfaces on one NUMA node
   */
  public record Placement(
      @DefaultValue("binpack") @NotNull String policy,
      @DefaultValue("1.0") @DecimalMin("0.1") @DecimalMax("100.0") double oversubscription,
      @DefaultValue("true") boolean numaBonus) {

    public Placement {
      if (policy != null && !policy.equals("binpack") && !policy.equals("spread")) {
        throw new IllegalArgumentException(
            "k8s-rdma.extender.placement.policy must be binpack or spread, got '" + policy + "'");
      }
    }
  }

  /**
   * The Kubernetes API.
   *
   * @param enabled {@code auto} (default: when running in a cluster, with {@code KUBECONFIG} or
   *     {@code ~/.kube/config}, or with {@code master-url}), {@code true} or {@code false}
   * @param masterUrl an API server URL to use instead of fabric8's discovery
   */
  public record Kubernetes(@DefaultValue("auto") @NotNull String enabled, URI masterUrl) {

    public Kubernetes {
      if (enabled != null && !enabled.matches("auto|true|false")) {
        throw new IllegalArgumentException(
            "k8s-rdma.extender.kubernetes.enabled must be auto, true or false, got '"
                + enabled
                + "'");
      }
    }
  }

  /**
   * The HTTP paths of the verbs, to match {@code filterVerb}, {@code prioritizeVerb} and {@code
   * bindVerb} of the KubeSchedulerConfiguration (the scheduler calls {@code urlPrefix + "/" +
   * verb}); three different paths, each served by {@code api.VerbServlet}.
   *
   * @param filter path of the filter verb
   * @param prioritize path of the prioritize verb
   * @param bind path of the bind verb
   * @param requireClientCertificate answer the verbs (every request but GET and HEAD) only to a
   *     client that presented a certificate the server's trust store verifies: mutual TLS with
   *     kube-scheduler, whose extender entry sets {@code tlsConfig.certFile} and {@code keyFile}.
   *     Needs HTTPS with {@code server.ssl.client-auth} {@code want} (probes, metrics and {@code
   *     /inventory} stay open to clients without one) or {@code need}
   */
  public record Verbs(
      @DefaultValue("/filter") @NotNull String filter,
      @DefaultValue("/prioritize") @NotNull String prioritize,
      @DefaultValue("/bind") @NotNull String bind,
      @DefaultValue("false") boolean requireClientCertificate) {

    public Verbs {
      requirePath("filter", filter);
      requirePath("prioritize", prioritize);
      requirePath("bind", bind);
      requireDistinct(filter, prioritize, bind);
    }

    private static void requireDistinct(String filter, String prioritize, String bind) {
      if (filter != null && (filter.equals(prioritize) || filter.equals(bind))
          || prioritize != null && prioritize.equals(bind)) {
        throw new IllegalArgumentException(
            "k8s-rdma.extender.verbs.filter, .prioritize and .bind must be three different paths,"
                + " got "
                + filter
                + ", "
                + prioritize
                + " and "
                + bind);
      }
    }

    private static void requirePath(String verb, String path) {
      if (path != null && !path.matches("/[A-Za-z0-9/_.-]*[A-Za-z0-9_.-]")) {
        throw new IllegalArgumentException(
            "k8s-rdma.extender.verbs."
                + verb
                + " must be a path like /"
                + verb
                + ", got '"
                + path
                + "'");
      }
      if (takenByTheService(path)) {
        // The verbs' servlet is mapped to exactly this path, ahead of Spring MVC: it would take
        // the path from the probes, the metrics or the inventory.
        throw new IllegalArgumentException(
            "k8s-rdma.extender.verbs."
                + verb
                + " must not be a path the extender serves otherwise (/inventory, /error,"
                + " /actuator/...), got '"
                + path
                + "'");
      }
    }

    private static boolean takenByTheService(String path) {
      return path != null
          && (path.equals("/inventory")
              || path.equals("/error")
              || path.equals("/actuator")
              || path.startsWith("/actuator/"));
    }
  }

  /**
   * How bind writes {@code k8s-rdma.io/assignment}.
   *
   * @param writeAssignment {@code before-binding} (default: a merge patch of the annotation, then
   *     the Binding) or {@code with-binding} (the annotation travels on the Binding, one atomic API
   *     call)
   */
  public record Bind(@DefaultValue("before-binding") @NotNull String writeAssignment) {

    public Bind {
      if (writeAssignment != null) {
        AssignmentWrite.of(writeAssignment);
      }
    }

    /** {@link #writeAssignment} as the mode it names (checked when bound). */
    public AssignmentWrite assignmentWrite() {
      return AssignmentWrite.of(writeAssignment);
    }
  }

  private static void requirePositive(String key, Duration d) {
    if (d != null && (d.isZero() || d.isNegative())) {
      throw new IllegalArgumentException(key + " must be positive, got " + d);
    }
  }

  /**
   * Rejects a duration below {@code min}: mostly a number written without its unit, which Spring
   * reads as milliseconds ({@code poll.interval=5} polled every agent 200 times a second).
   */
  private static void requireAtLeast(String key, Duration d, Duration min) {
    if (d != null && d.compareTo(min) < 0) {
      throw new IllegalArgumentException(
          key
              + " must be at least "
              + seconds(min)
              + ", got "
              + seconds(d)
              + " (a number without a unit means milliseconds)");
    }
  }

  /**
   * Rejects a duration that does not outlast the gap between two poll rounds, naming the key, both
   * values and what would go wrong. ({@code in-flight-timeout} need not: the ledger's upkeep runs
   * on a timer of its own, four times within it.)
   */
  private static void requireLongerThanAPollRound(
      String key, Duration d, Poll poll, String otherwise) {
    if (d == null || poll == null || poll.interval() == null) {
      return;
    }
    if (poll.timeout() == null) {
      return;
    }
    // A node is confirmed once a round, and its answer may take up to a timeout.
    Duration gap = poll.longestGap().plus(poll.timeout());
    if (d.compareTo(gap) <= 0) {
      throw new IllegalArgumentException(
          key
              + " ("
              + seconds(d)
              + ") must be longer than k8s-rdma.extender.poll.interval plus its jitter plus"
              + " k8s-rdma.extender.poll.timeout ("
              + seconds(gap)
              + "): "
              + otherwise);
    }
  }

  /** {@code 6s}, {@code 0.5s}: as durations are written in the configuration. */
  private static String seconds(Duration d) {
    return BigDecimal.valueOf(d.toMillis(), 3).stripTrailingZeros().toPlainString() + "s";
  }

  private static URI httpUrl(String node, String text) {
    URI url = null;
    try {
      url = new URI(text.strip());
    } catch (URISyntaxException e) {
      // reported below with the key
    }
    String scheme = url == null ? null : url.getScheme();
    if (!"http".equals(scheme) && !"https".equals(scheme)
        || url.getHost() == null
        || url.getPort() == 0
        || url.getPort() > 65535) {
      throw new IllegalArgumentException(
          "k8s-rdma.extender.static-agents."
              + node
              + " must be an http(s) URL like http://10.0.0.7:8089, got '"
              + text
              + "'");
    }
    return url;
  }
}
