package io.k8srdma.model.inventory;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** The link layer of an RDMA port, spelled as the kernel's {@code ports/N/link_layer} file. */
public enum LinkLayer {
  INFINIBAND("InfiniBand"),
  ETHERNET("Ethernet"),
  UNKNOWN("Unknown");

  private final String sysfsName;

  LinkLayer(String sysfsName) {
    this.sysfsName = sysfsName;
  }

  /** The name as sysfs and the JSON contract spell it. */
  @JsonValue
  public String sysfsName() {
    return sysfsName;
  }

  /**
   * Parses the sysfs/JSON spelling in any case of its ASCII letters, around it only ASCII blanks (a
   * file's newline); empty for anything else. Not {@code equalsIgnoreCase}: it would take the
   * dotless {@code ı} of {@code ınfınıband} for an {@code i}.
   */
  public static Optional<LinkLayer> parse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    String t = text.trim().toLowerCase(Locale.ROOT);
    return Arrays.stream(values())
        .filter(l -> l.sysfsName.toLowerCase(Locale.ROOT).equals(t))
        .findFirst();
  }

  @JsonCreator
  static LinkLayer fromJson(String text) {
    return parse(text)
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "unknown link layer '" + text + "': expected InfiniBand or Ethernet"));
  }
}
