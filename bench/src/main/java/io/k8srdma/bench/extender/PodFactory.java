package io.k8srdma.bench.extender;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.k8srdma.model.Annotations;
import io.k8srdma.model.json.Json;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Pending pods as kube-scheduler would send them: each asks for 1–4 RDMA interfaces with floors of
 * 0–50 Gb/s (in 5 Gb/s steps) in the {@code k8s-rdma.io/interfaces} annotation, or, for the control
 * run, for none (the extender passes such pods through without placement). With a job size above 1,
 * pods come as the workers of jobs: that many pods in a row ask for the same interfaces, as the
 * replicas of a training job do.
 */
final class PodFactory {

  static final String NAMESPACE = "bench";

  private final AtomicLong sequence = new AtomicLong();
  private final boolean plain;
  private final PodShape shape;
  private final int jobSize;

  /**
   * @param plain pods without an RDMA request: what the HTTP, JSON and bind plumbing cost alone
   * @param shape what the pods look like besides their request
   */
  PodFactory(boolean plain, PodShape shape) {
    this(plain, shape, 1);
  }

  /**
   * @param plain pods without an RDMA request: what the HTTP, JSON and bind plumbing cost alone
   * @param shape what the pods look like besides their request
   * @param jobSize how many pods in a row ask for the same interfaces; 1 for a new request each
   */
  PodFactory(boolean plain, PodShape shape, int jobSize) {
    if (jobSize < 1) {
      throw new IllegalArgumentException("job size must be at least 1, got " + jobSize);
    }
    this.plain = plain;
    this.shape = shape;
    this.jobSize = jobSize;
  }

  /**
   * One pod.
   *
   * @param name its name (unique in the run)
   * @param uid its UID
   * @param interfaces the annotation value, null for a plain pod
   * @param json the pod object, as the {@code pod} field of {@code ExtenderArgs}
   * @param bytes {@code json} encoded, once for the pod's filter and prioritize
   */
  record BenchPod(String name, String uid, String interfaces, ObjectNode json, byte[] bytes) {}

  /** The next pod; {@code rnd} belongs to the calling thread. */
  BenchPod next(SplittableRandom rnd) {
    long n = sequence.incrementAndGet();
    String name = "pod-" + n;
    String uid = "00000000-0000-4000-8000-" + String.format("%012d", n);
    String interfaces = plain ? null : interfaces(jobSize == 1 ? rnd : jobRandom(n));
    Map<String, String> annotations =
        interfaces == null ? Map.of() : Map.of(Annotations.INTERFACES, interfaces);
    ObjectNode pod = shape.pod(NAMESPACE, name, uid, null, annotations);
    return new BenchPod(name, uid, interfaces, pod, encode(pod));
  }

  private static byte[] encode(ObjectNode pod) {
    try {
      return Json.mapper().writeValueAsBytes(pod);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The same random stream for every worker of the job that pod {@code n} (1-based) belongs to. */
  private SplittableRandom jobRandom(long n) {
    return new SplittableRandom(0x10b5_0000L + (n - 1) / jobSize);
  }

  private static String interfaces(SplittableRandom rnd) {
    ArrayNode list = Json.mapper().createArrayNode();
    int count = 1 + rnd.nextInt(4);
    for (int i = 0; i < count; i++) {
      list.addObject().put("minTxRateMbps", 5_000 * rnd.nextInt(11));
    }
    return list.toString();
  }
}
