package io.k8srdma.agent.init;

import java.util.Locale;

/**
 * How many VFs a policy asks for: a number, or {@code max} for whatever {@code sriov_totalvfs}
 * allows on the PF.
 *
 * @param count the requested number, or -1 for {@code max}
 */
public record VfCount(int count) {

  /** {@code max}: as many VFs as the PF's {@code sriov_totalvfs}. */
  public static final VfCount MAX = new VfCount(-1);

  public VfCount {
    if (count < -1) {
      throw new IllegalArgumentException("VF count must not be negative, got " + count);
    }
  }

  /**
   * Parses {@code max} (any case) or a non-negative decimal integer.
   *
   * @throws IllegalArgumentException for anything else
   */
  public static VfCount parse(String text) {
    String t = text == null ? "" : text.strip();
    if (t.toLowerCase(Locale.ROOT).equals("max")) {
      return MAX;
    }
    int n;
    try {
      n = Integer.parseInt(t);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "must be a non-negative integer or 'max', got '" + text + "'");
    }
    if (n < 0) {
      throw new IllegalArgumentException("must not be negative, got " + n);
    }
    return new VfCount(n);
  }

  /** True for {@code max}. */
  public boolean isMax() {
    return count == -1;
  }

  /** The concrete number on a PF with {@code totalVfs} ({@code sriov_totalvfs}). */
  public int resolve(int totalVfs) {
    return isMax() ? totalVfs : count;
  }

  @Override
  public String toString() {
    return isMax() ? "max" : Integer.toString(count);
  }
}
