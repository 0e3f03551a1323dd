package io.k8srdma.bench.extender;

import java.util.List;
import java.util.Locale;

/** Renders an {@link AbResult} as the Markdown section docs/benchmarks.md quotes. */
final class AbReport {

  private AbReport() {}

  static String render(AbResult r, String environment, String settings) {
    StringBuilder md = new StringBuilder();
    md.append("## Extender A/B: ")
        .append(r.a().label())
        .append(" vs ")
        .append(r.b().label())
        .append(
            String.format(
                Locale.ROOT, " (%,d nodes, %d candidates)%n%n", r.nodes(), r.candidates()));
    md.append(environment).append(settings).append('\n');
    md.append(
        "| variant | jar | JVM flags | cycles | cycles/s | extender CPU ms / cycle (net of"
            + " polling) | of which JIT | allocated KiB / cycle | f+p p50 / p99 µs (median of"
            + " slices) | bind errors |\n");
    md.append("|---|---|---|--:|--:|--:|--:|--:|--:|--:|\n");
    for (ExtenderComparison.Variant v : List.of(r.a(), r.b())) {
      AbResult.Totals t = r.totals(v);
      md.append(
          String.format(
              Locale.ROOT,
              "| %s | `%s` | `%s` | %d | %.0f | %.2f | %.2f | %.0f | %.0f / %.0f | %d |%n",
              v.label(),
              v.jar(),
              (v.flags().isEmpty() ? "(none)" : String.join(" ", v.flags()))
                  + (v.tls() ? "` + HTTPS, mutual TLS `" : ""),
              t.cycles(),
              t.cyclesPerSecond(),
              t.cpuMillisPerCycle(),
              t.jitMillisPerCycle(),
              t.allocatedKibPerCycle(),
              t.medianP50Micros(),
              t.medianP99Micros(),
              t.bindErrors()));
    }
    md.append('\n')
        .append(ratioLine("cycles/s", r.throughputRatio(), "higher"))
        .append(ratioLine("CPU per cycle", r.cpuRatio(), "lower"))
        .append(
            String.format(
                Locale.ROOT,
                "- idle polling: A %.3f, B %.3f cores; unexpected API requests: %d%n%n",
                r.idleCoresA(),
                r.idleCoresB(),
                r.unexpected()));
    md.append("| round | A cycles/s | B cycles/s | A CPU ms / cycle | B CPU ms / cycle |\n");
    md.append("|--:|--:|--:|--:|--:|\n");
    List<AbResult.Slice> as = r.of(r.a());
    List<AbResult.Slice> bs = r.of(r.b());
    for (int i = 0; i < Math.min(as.size(), bs.size()); i++) {
      md.append(
          String.format(
              Locale.ROOT,
              "| %d%s | %.0f | %.0f | %.2f | %.2f |%n",
              i + 1,
              i % 2 == 0 ? " (A first)" : " (B first)",
              as.get(i).cyclesPerSecond(),
              bs.get(i).cyclesPerSecond(),
              as.get(i).cpuMillisPerCycle(r.idleCoresA()),
              bs.get(i).cpuMillisPerCycle(r.idleCoresB())));
    }
    return md.toString();
  }

  private static String ratioLine(String what, AbResult.Ratio ratio, String better) {
    return String.format(
        Locale.ROOT,
        "- %s, B / A per block of two rounds: median **%.3f** (range %.3f–%.3f); B %s in %d"
            + " of %d blocks%n",
        what,
        ratio.median(),
        ratio.min(),
        ratio.max(),
        better,
        ratio.bBetter(),
        ratio.blocks());
  }
}
