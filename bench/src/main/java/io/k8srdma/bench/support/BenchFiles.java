package io.k8srdma.bench.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.stream.Stream;

/** Temp directories, result files and loopback ports for the load drivers. */
public final class BenchFiles {

  private BenchFiles() {}

  /** A temp directory that is deleted at exit even when the driver is interrupted. */
  public static Path tempDir(String prefix) throws IOException {
    Path dir = Files.createTempDirectory(prefix);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir), "delete-" + prefix));
    return dir;
  }

  /** Deletes a directory tree; a failure is reported, not thrown (cleanup must not mask errors). */
  public static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      System.err.println("could not delete " + root + ": " + e);
    }
  }

  /** Writes {@code <dir>/<name>-<timestamp>.md} and returns its path. */
  public static Path writeResult(Path dir, String name, String markdown) throws IOException {
    Files.createDirectories(dir);
    String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    return Files.writeString(dir.resolve(name + "-" + stamp + ".md"), markdown);
  }

  /** A port the kernel just handed out on loopback; the tiny reuse race is fine for a benchmark. */
  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
