package io.k8srdma.model.inventory;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * PCI addresses as Linux names devices in sysfs: {@code domain:bus:device.function}, the domain in
 * at least four hex digits (more on hosts with PCI domains above {@code ffff}, e.g. Intel VMD's
 * {@code 10000}), compared without regard to case.
 */
public final class PciAddress {

  private static final Pattern PATTERN =
      Pattern.compile("[0-9a-fA-F]{4,8}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\\.[0-7]");

  private PciAddress() {}

  /** Whether {@code text} is a full PCI address such as {@code 0000:1a:00.1}. */
  public static boolean isValid(String text) {
    return text != null && PATTERN.matcher(text).matches();
  }

  /** The address in the one spelling the ledger and annotations use: lower case. */
  public static String normalize(String text) {
    return text.toLowerCase(Locale.ROOT);
  }
}
