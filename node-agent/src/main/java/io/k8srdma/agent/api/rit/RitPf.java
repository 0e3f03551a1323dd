package io.k8srdma.agent.api.rit;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.k8srdma.model.inventory.PhysicalFunction;
import io.k8srdma.model.inventory.VfState;
import io.k8srdma.model.inventory.VirtualFunction;
import java.util.List;

/**
 * A PF in RIT k8s-rdma's {@code /getpfs} format. Rates are Mb/s.
 *
 * @param name the PF netdev
 * @param usedTxRate sum of the VFs' {@code min_tx_rate}
 * @param capacityTxRate the PF's capacity (0 when unknown)
 * @param usedVfs VFs that are not free
 * @param capacityVfs enabled VFs
 * @param vfs the VFs
 */
public record RitPf(
    String name,
    @JsonProperty("used_tx_rate") long usedTxRate,
    @JsonProperty("capacity_tx_rate") long capacityTxRate,
    @JsonProperty("used_vfs") int usedVfs,
    @JsonProperty("capacity_vfs") int capacityVfs,
    List<RitVf> vfs) {

  static RitPf from(PhysicalFunction pf) {
    List<RitVf> vfs = pf.vfs().stream().map(RitPf::vf).toList();
    return new RitPf(
        pf.name(),
        vfs.stream().mapToLong(RitVf::minTxRate).sum(),
        pf.capacityMbps() == null ? 0 : pf.capacityMbps(),
        (int) vfs.stream().filter(RitVf::allocated).count(),
        pf.vfs().size(),
        vfs);
  }

  private static RitVf vf(VirtualFunction vf) {
    return new RitVf(
        vf.index(),
        vf.mac() == null ? "" : vf.mac(),
        0,
        0,
        "N/A",
        "N/A",
        "N/A",
        "N/A",
        vf.minTxRateMbps() == null ? 0 : vf.minTxRateMbps(),
        vf.maxTxRateMbps() == null ? 0 : vf.maxTxRateMbps(),
        "N/A",
        0,
        vf.state() != VfState.FREE);
  }

  /**
   * A VF in RIT's format. Fields this agent does not read (VLAN, QoS, spoof check, trust, link
   * state, VGT+, rate group) carry RIT's neutral values: 0 or {@code "N/A"}.
   *
   * @param allocated true unless the VF is FREE (RIT: netdev moved away)
   */
  public record RitVf(
      int vf,
      String mac,
      int vlan,
      int qos,
      @JsonProperty("vlan_proto") String vlanProto,
      @JsonProperty("spoof_check") String spoofCheck,
      String trust,
      @JsonProperty("link_state") String linkState,
      @JsonProperty("min_tx_rate") long minTxRate,
      @JsonProperty("max_tx_rate") long maxTxRate,
      @JsonProperty("vgt_plus") String vgtPlus,
      @JsonProperty("rate_group") int rateGroup,
      boolean allocated) {}
}
