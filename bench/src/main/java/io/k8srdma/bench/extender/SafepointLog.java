package io.k8srdma.bench.extender;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The extender's safepoints, read from its {@code -Xlog:safepoint:file=<file>:timenanos} log: every
 * pause that stopped all Java threads, collections and VM operations alike. Each line is written
 * when the safepoint is left, stamped with {@link System#nanoTime()}, and names its total length.
 */
final class SafepointLog {

  private static final Pattern LINE =
      Pattern.compile("^\\[(\\d+)ns\\] Safepoint \"([^\"]+)\".*, Total: (\\d+) ns");

  private SafepointLog() {}

  /** The {@code -Xlog} flag that writes such a log to {@code file}. */
  static String flag(Path file) {
    return "-Xlog:safepoint:file=" + file.toAbsolutePath() + ":timenanos";
  }

  /**
   * One stop of every Java thread.
   *
   * @param span when it was
   * @param operation what the VM did, e.g. {@code ParallelCollectForAllocation}
   */
  record Pause(Span span, String operation) {}

  /**
   * The pauses of {@code file}, in order; lines of another shape are skipped, a missing file is
   * none.
   */
  static List<Pause> read(Path file) throws IOException {
    if (!Files.exists(file)) {
      return List.of();
    }
    return parse(Files.readAllLines(file));
  }

  /** When the pauses of {@code file} were. */
  static List<Span> spans(Path file) throws IOException {
    return read(file).stream().map(Pause::span).toList();
  }

  static List<Pause> parse(List<String> lines) {
    List<Pause> pauses = new ArrayList<>();
    for (String line : lines) {
      Matcher m = LINE.matcher(line);
      if (m.find()) {
        long end = Long.parseLong(m.group(1));
        pauses.add(new Pause(Span.endingAt(end, Long.parseLong(m.group(3))), m.group(2)));
      }
    }
    return pauses;
  }
}
