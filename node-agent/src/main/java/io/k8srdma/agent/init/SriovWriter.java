package io.k8srdma.agent.init;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Writes a PF's {@code sriov_numvfs}: the one write to the host that {@code init} mode makes. */
@FunctionalInterface
public interface SriovWriter {

  /**
   * Writes {@code n} to {@code sriovNumvfs}.
   *
   * @throws IOException as the kernel reports it, e.g. EBUSY when VFs are enabled already, ERANGE
   *     above {@code sriov_totalvfs}, ENOENT without a driver
   */
  void write(Path sriovNumvfs, int n) throws IOException;

  /** Writes the file in place; never creates it, since a missing file means SR-IOV is off. */
  static SriovWriter files() {
    return (file, n) ->
        Files.writeString(
            file,
            n + "\n",
            StandardCharsets.US_ASCII,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING);
  }
}
