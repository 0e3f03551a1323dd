package io.k8srdma.agent.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.k8srdma.agent.api.VfsController.RescanResult;
import io.k8srdma.agent.discovery.HostScanner;
import io.k8srdma.agent.discovery.Sysfs;
import io.k8srdma.agent.inventory.InventoryService;
import io.k8srdma.agent.inventory.ScanMetrics;
import io.k8srdma.agent.inventory.ScanOutcome;
import io.k8srdma.agent.netlink.VfLinkInfoSource;
import io.k8srdma.agent.testhost.Hosts;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

/** {@code POST /rescan} answers with the scan it ran, whatever scans the periodic scanner runs. */
class VfsControllerTest {

  @TempDir Path dir;

  @Test
  void rescanAnswersWithItsOwnScanWhenAnotherEndsBeforeTheAnswer() {
    Path root = dir.resolve("host");
    Hosts.ibNdr(root);
    InventoryService inventory = new FailingRightAfterEachRescan(root);
    VfsController controller = new VfsController(inventory, new ObjectMapper());

    ResponseEntity<RescanResult> answer = controller.rescan();

    assertThat(answer.getStatusCode()).isEqualTo(HttpStatus.OK);
    assertThat(answer.getBody()).isNotNull();
    assertThat(answer.getBody().ok()).isTrue();
    assertThat(answer.getBody().changed()).isTrue();
    assertThat(answer.getBody().error()).isNull();
    assertThat(answer.getBody().generation())
        .isEqualTo(inventory.current().orElseThrow().generation());
    assertThat(inventory.status().ok()).as("the later scan failed").isFalse();
  }

  /**
   * An inventory whose host disappears right after each rescan and is scanned again at once, as the
   * periodic scanner may do between a rescan and its answer.
   */
  private static final class FailingRightAfterEachRescan extends InventoryService {

    private final Path root;

    FailingRightAfterEachRescan(Path root) {
      super(
          "worker-7",
          new HostScanner(new Sysfs(root), VfLinkInfoSource.none()),
          Clock.systemUTC(),
          new ScanMetrics(new SimpleMeterRegistry()));
      this.root = root;
    }

    @Override
    public ScanOutcome rescan() {
      ScanOutcome mine = super.rescan();
      moveAway(root);
      super.rescan();
      return mine;
    }

    private static void moveAway(Path root) {
      try {
        Files.move(root, root.resolveSibling("moved-away"));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
