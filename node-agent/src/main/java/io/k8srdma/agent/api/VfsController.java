package io.k8srdma.agent.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.k8srdma.agent.config.ConditionalOnServeMode;
import io.k8srdma.agent.inventory.InventoryService;
import io.k8srdma.agent.inventory.ScanOutcome;
import io.k8srdma.model.inventory.NodeInventory;
import io.k8srdma.model.inventory.PhysicalFunction;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.WebRequest;

/** The node inventory API: {@code GET /vfs} and {@code POST /rescan}. */
@ConditionalOnServeMode
@RestController
public class VfsController {

  private final InventoryService inventory;
  private final ObjectMapper mapper;
  private final AtomicReference<Rendered> rendered = new AtomicReference<>();

  public VfsController(InventoryService inventory, ObjectMapper mapper) {
    this.inventory = inventory;
    this.mapper = mapper;
  }

  /**
   * The node's RDMA inventory (see docs/api.md for every field).
   *
   * <p>Answers with a weak {@code ETag} derived from {@code generation}; a request whose {@code
   * If-None-Match} matches (weakly, or is {@code *}) gets {@code 304 Not Modified} with no body.
   * {@code ?pf=} (netdev name or PCI address) narrows the answer to one PF, or answers 404 when the
   * node has no such PF. Before the first successful scan the answer is 503.
   *
   * @param pf optional PF name or PCI address
   */
  @GetMapping(path = "/vfs", produces = "application/json")
  public ResponseEntity<byte[]> vfs(
      @RequestParam(name = "pf", required = false) String pf, WebRequest request) {
    NodeInventory inv = inventory.current().orElseThrow(this::notReady);
    if (pf == null) {
      String etag = "W/\"" + inv.generation() + "\"";
      return unlessNotModified(request, etag, () -> render(inv));
    }
    PhysicalFunction match = findPf(inv, pf);
    String etag = "W/\"" + inv.generation() + "-" + match.pciAddress() + "\"";
    return unlessNotModified(
        request,
        etag,
        () ->
            write(
                new NodeInventory(inv.node(), inv.generation(), inv.scannedAt(), List.of(match))));
  }

  /**
   * 304 when {@code If-None-Match} matches {@code etag} or is {@code *} (which Spring's check does
   * not count as a match for a GET, but RFC 9110 does: there is a current inventory), else the
   * body.
   */
  private static ResponseEntity<byte[]> unlessNotModified(
      WebRequest request, String etag, Supplier<byte[]> body) {
    if (asksForAnyTag(request)) {
      return ResponseEntity.status(HttpStatus.NOT_MODIFIED).eTag(etag).build();
    }
    return request.checkNotModified(etag) ? null : json(etag, body.get());
  }

  private static boolean asksForAnyTag(WebRequest request) {
    String[] values = request.getHeaderValues(HttpHeaders.IF_NONE_MATCH);
    return values != null
        && Arrays.stream(values)
            .flatMap(v -> Arrays.stream(v.split(",")))
            .anyMatch(t -> t.trim().equals("*"));
  }

  /**
   * The full inventory as JSON, serialised once per scan: pollers ask far more often than the host
   * changes, and a large node's answer is hundreds of KiB.
   */
  private byte[] render(NodeInventory inv) {
    Rendered last = rendered.get();
    if (last != null && last.source() == inv) {
      return last.json();
    }
    byte[] json = write(inv);
    rendered.set(new Rendered(inv, json));
    return json;
  }

  private byte[] write(NodeInventory inv) {
    try {
      return mapper.writeValueAsBytes(inv);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise the inventory", e);
    }
  }

  private static ResponseEntity<byte[]> json(String etag, byte[] body) {
    return ResponseEntity.ok().eTag(etag).contentType(MediaType.APPLICATION_JSON).body(body);
  }

  private record Rendered(NodeInventory source, byte[] json) {}

  /**
   * Rescans the host now, instead of waiting for the next interval.
   *
   * @return {@code changed} (whether the inventory changed) and the {@code generation} served
   *     afterwards; 503 with the reason when the scan failed (the last good inventory is kept).
   *     Every field is of a scan that started after the request came (requests that come during a
   *     scan share the next one), even when the periodic scanner finished another before the answer
   *     is written.
   */
  @PostMapping(path = "/rescan", produces = "application/json")
  public ResponseEntity<RescanResult> rescan() {
    ScanOutcome outcome = inventory.rescan();
    return ResponseEntity.status(outcome.ok() ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE)
        .body(RescanResult.of(outcome));
  }

  private PhysicalFunction findPf(NodeInventory inv, String pf) {
    return inv.pfs().stream()
        .filter(p -> p.matches(pf))
        .findFirst()
        .orElseThrow(
            () ->
                new ApiException(
                    HttpStatus.NOT_FOUND,
                    "no PF '"
                        + pf
                        + "' on node "
                        + inv.node()
                        + "; known PFs: "
                        + inv.pfs().stream().map(PhysicalFunction::name).toList()));
  }

  private ApiException notReady() {
    return new ApiException(
        HttpStatus.SERVICE_UNAVAILABLE, "no inventory yet: " + inventory.status().error());
  }

  /**
   * The answer of {@code POST /rescan}.
   *
   * @param ok whether the scan succeeded
   * @param changed whether the inventory changed
   * @param generation the generation now served, null when there is no inventory yet
   * @param error why the scan failed, null when it succeeded
   */
  public record RescanResult(boolean ok, boolean changed, Long generation, String error) {

    static RescanResult of(ScanOutcome scan) {
      return new RescanResult(scan.ok(), scan.changed(), scan.generation(), scan.error());
    }
  }
}
