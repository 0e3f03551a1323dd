package io.k8srdma.bench.extender;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.k8srdma.model.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The driver's side of the extender protocol, written and read with as little work as the bytes
 * allow: the bodies are put together from pieces encoded once (the pod once per pod, each node name
 * once per run), and the answers are streamed for the one thing the driver needs of them. Building
 * and reading whole JSON trees took half of the driver's CPU, which shares the machine with the
 * extender it measures (docs/benchmarks-log.md).
 */
final class ExtenderWire {

  private static final byte[] ARGS_START = ascii("{\"Pod\":");
  private static final byte[] ARGS_NAMES = ascii(",\"Nodes\":null,\"NodeNames\":[");
  private static final byte[] ARGS_END = ascii("]}");

  private final SimulatedCluster cluster;

  /** Each node's name as a JSON string, quotes included, by index. */
  private final byte[][] quotedNames;

  ExtenderWire(SimulatedCluster cluster) {
    this.cluster = cluster;
    this.quotedNames = new byte[cluster.size()][];
    for (int i = 0; i < quotedNames.length; i++) {
      quotedNames[i] = ascii('"' + cluster.nodeName(i) + '"');
    }
  }

  /**
   * {@code ExtenderArgs} as kube-scheduler writes it with {@code nodeCacheCapable}: Go's field
   * names (the type has no JSON tags) and the nil NodeList as null.
   *
   * @param pod the pod's JSON
   * @param nodes the candidates' indices in the cluster, in order
   * @param from where in {@code nodes} they start
   * @param count how many of {@code nodes} to send
   */
  byte[] args(byte[] pod, int[] nodes, int from, int count) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(pod.length + 16 * count + 64);
    out.writeBytes(ARGS_START);
    out.writeBytes(pod);
    out.writeBytes(ARGS_NAMES);
    for (int i = 0; i < count; i++) {
      if (i > 0) {
        out.write(',');
      }
      out.writeBytes(quotedNames[nodes[from + i]]);
    }
    out.writeBytes(ARGS_END);
    return out.toByteArray();
  }

  /**
   * {@code ExtenderBindingArgs} with Go's field names, as above. The driver's names and UIDs need
   * no escaping.
   */
  byte[] bindArgs(String podName, String namespace, String podUid, int node) {
    return ascii(
        "{\"PodName\":\""
            + podName
            + "\",\"PodNamespace\":\""
            + namespace
            + "\",\"PodUID\":\""
            + podUid
            + "\",\"Node\":"
            + new String(quotedNames[node], StandardCharsets.US_ASCII)
            + "}");
  }

  /**
   * The indices of the nodes a filter answer's {@code nodenames} kept, in its order, into {@code
   * into} (grown when needed, returned); {@code kept[0]} of the result is the count.
   *
   * @throws IOException when the answer is no JSON object or names a node not in the cluster
   */
  int[] keptNodes(byte[] answer, int[] into) throws IOException {
    int[] kept = into;
    int count = 0;
    try (JsonParser p = Json.mapper().getFactory().createParser(answer)) {
      expectObject(p, "filter");
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        if (!"nodenames".equals(field) || value != JsonToken.START_ARRAY) {
          p.skipChildren();
          continue;
        }
        while (p.nextToken() == JsonToken.VALUE_STRING) {
          if (count + 1 >= kept.length) {
            kept = Arrays.copyOf(kept, 2 * kept.length + 2);
          }
          kept[++count] = indexOf(p.getText());
        }
      }
    }
    kept[0] = count;
    return kept;
  }

  /**
   * The index of the highest-scoring host of a prioritize answer, the first on ties as a stable
   * choice; -1 when it lists none.
   *
   * @throws IOException when the answer is no JSON array or names a node not in the cluster
   */
  int best(byte[] answer) throws IOException {
    int best = -1;
    long top = Long.MIN_VALUE;
    try (JsonParser p = Json.mapper().getFactory().createParser(answer)) {
      if (p.nextToken() != JsonToken.START_ARRAY) {
        throw new IOException("prioritize answered no JSON array: " + preview(answer));
      }
      while (p.nextToken() == JsonToken.START_OBJECT) {
        String host = null;
        long score = 0;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String field = p.currentName();
          p.nextToken();
          if ("host".equals(field)) {
            host = p.getText();
          } else if ("score".equals(field)) {
            score = p.getLongValue();
          } else {
            p.skipChildren();
          }
        }
        if (host != null && score > top) {
          top = score;
          best = indexOf(host);
        }
      }
    }
    return best;
  }

  /**
   * The {@code error} of a bind answer; null when it has none (or an empty one, as kube-scheduler
   * reads it).
   */
  String bindError(byte[] answer) throws IOException {
    try (JsonParser p = Json.mapper().getFactory().createParser(answer)) {
      expectObject(p, "bind");
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        if ("error".equals(field) && value == JsonToken.VALUE_STRING && !p.getText().isEmpty()) {
          return p.getText();
        }
        p.skipChildren();
      }
    }
    return null;
  }

  private int indexOf(String node) throws IOException {
    int i = cluster.indexOf(node);
    if (i < 0) {
      throw new IOException("the extender answered a node that is not in the cluster: " + node);
    }
    return i;
  }

  private static void expectObject(JsonParser p, String verb) throws IOException {
    if (p.nextToken() != JsonToken.START_OBJECT) {
      throw new IOException(verb + " answered no JSON object");
    }
  }

  private static String preview(byte[] answer) {
    return new String(answer, 0, Math.min(answer.length, 200), StandardCharsets.UTF_8);
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
