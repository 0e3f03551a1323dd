package io.k8srdma.agent.discovery;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses {@code ports/N/rate} as the kernel's {@code rate_show()} prints it ({@code "%d%s Gb/sec
 * (%dX%s)"}, e.g. {@code 400 Gb/sec (4X NDR)} or {@code 2.5 Gb/sec (1X SDR)}) into Mb/s.
 */
public final class IbRate {

  private static final Pattern RATE = Pattern.compile("^\\s*(\\d+)(\\.5)?\\s+Gb/sec\\b.*");

  private IbRate() {}

  /** The rate in Mb/s; empty when the text is not in the kernel's format. */
  public static Optional<Long> toMbps(String text) {
    if (text == null) {
      return Optional.empty();
    }
    Matcher m = RATE.matcher(text);
    if (!m.matches()) {
      return Optional.empty();
    }
    long mbps = Long.parseLong(m.group(1)) * 1000 + (m.group(2) != null ? 500 : 0);
    return Optional.of(mbps);
  }
}
