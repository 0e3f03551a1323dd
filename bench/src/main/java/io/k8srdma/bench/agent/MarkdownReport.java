package io.k8srdma.bench.agent;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** Renders agent results as a Markdown section: environment, profiles, one table row per run. */
final class MarkdownReport {

  private MarkdownReport() {}

  static String render(
      List<AgentResult> results, String environment, int threads, List<JvmProfile> profiles) {
    StringBuilder md = new StringBuilder();
    md.append("## Node agent\n\n").append(environment).append('\n');
    md.append("Profiles:\n\n");
    for (JvmProfile p : profiles) {
      md.append("- `")
          .append(p.name())
          .append("`: ")
          .append(p.why())
          .append(p.flags().isEmpty() ? "" : " — `" + String.join(" ", p.flags()) + "`")
          .append('\n');
    }
    md.append(
        """

        Latencies in µs; ready = median (all runs) wall clock from spawn to readiness 200; \
        CPU = agent CPU seconds at ready; RSS after 1,000 GETs, then peak (VmHWM) at the end; \
        1-conn = sequential on one connection; %d-thr = %d threads, one connection each; \
        304 = If-None-Match on one connection. Targets: ready ≤ 2 s, RSS ≤ 100 MB, \
        1-conn p99 ≤ 1 ms.

        """
            .formatted(threads, threads));
    md.append(
        "| tree | profile | body KiB | ready ms | CPU s | RSS MB | peak MB"
            + " | 1-conn p50 / p99 / p99.9 | 1-conn req/s"
            + " | %d-thr p50 / p99 | %d-thr req/s | 304 p50 / p99 | errors | targets met |\n"
                .formatted(threads, threads));
    md.append("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|\n");
    for (AgentResult r : results) {
      md.append(row(r));
    }
    return md.toString();
  }

  private static String row(AgentResult r) {
    LatencySummary s = r.sequential();
    LatencySummary c = r.concurrent();
    LatencySummary n = r.notModified();
    return String.format(
        Locale.ROOT,
        "| %s | %s | %.1f | %d (%s) | %.1f | %.1f | %.1f | %.0f / %.0f / %.0f | %.0f"
            + " | %.0f / %.0f | %.0f | %.0f / %.0f | %d | %s |%n",
        r.tree().name(),
        r.profile().name(),
        r.bodyBytes() / 1024.0,
        r.readyMedianMillis(),
        r.readyMillis().stream().map(String::valueOf).collect(Collectors.joining(", ")),
        r.readyCpuSeconds(),
        r.rssAfter1kKib() / 1024.0,
        r.peakRssKib() / 1024.0,
        s.p50Micros(),
        s.p99Micros(),
        s.p999Micros(),
        s.requestsPerSecond(),
        c.p50Micros(),
        c.p99Micros(),
        c.requestsPerSecond(),
        n.p50Micros(),
        n.p99Micros(),
        s.errors() + c.errors() + n.errors(),
        verdicts(r));
  }

  private static String verdicts(AgentResult r) {
    return "ready "
        + yesNo(r.readyMet())
        + ", RSS "
        + yesNo(r.rssMet())
        + ", p99 "
        + yesNo(r.p99Met());
  }

  private static String yesNo(boolean met) {
    return met ? "yes" : "**no**";
  }
}
