package io.k8srdma.bench.extender;

import io.k8srdma.bench.agent.ProcStatus;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * CPU time per scheduling cycle, for the extender and for this driver process (the load clients,
 * the fake agents and the fake API), from {@code /proc/<pid>/stat}.
 *
 * <p>Everything shares the same cores here, so wall-clock latency and throughput measure the
 * contention as much as the extender. CPU time does not: what the extender spends per cycle, less
 * what it spends anyway on background polling (measured while idle), says how many cycles per
 * second it could serve on cores of its own.
 */
final class CpuMeter {

  private CpuMeter() {}

  /**
   * CPU seconds of the extender (in all and per thread name) and of this process at one instant.
   */
  record Reading(
      long nanos,
      double extenderSeconds,
      double driverSeconds,
      Map<String, Double> extenderThreads) {}

  /**
   * What the measured runs cost.
   *
   * @param idleExtenderCores extender CPU per wall second with no scheduling load (polling)
   * @param idleDriverCores this process's CPU per wall second then (the fake agents answering)
   * @param cycles scheduling cycles in the measured runs
   * @param extenderMillisPerCycle extender CPU per cycle, less the idle rate over the run
   * @param driverMillisPerCycle this process's CPU per cycle, less its idle rate
   * @param cores processors available
   * @param threadMillisPerCycle the extender's CPU per cycle by thread name, not net of idle,
   *     largest first
   */
  record Cost(
      double idleExtenderCores,
      double idleDriverCores,
      long cycles,
      double extenderMillisPerCycle,
      double driverMillisPerCycle,
      int cores,
      Map<String, Double> threadMillisPerCycle) {

    /**
     * Cycles per second the extender could serve on {@link #cores} of its own: the cores left after
     * polling, divided by its CPU per cycle. An estimate that assumes CPU is the limit.
     */
    double extenderCapacity() {
      return (cores - idleExtenderCores) / (extenderMillisPerCycle / 1000);
    }
  }

  /**
   * How many processors a {@code taskset -c} list names: {@code 1} is one, {@code 0,1} and {@code
   * 0-1} are two.
   */
  static int cpuCount(String list) {
    int count = 0;
    for (String part : list.split(",")) {
      String[] range = part.strip().split("-");
      count += range.length == 2 ? Integer.parseInt(range[1]) - Integer.parseInt(range[0]) + 1 : 1;
    }
    return count;
  }

  static Reading read(long extenderPid) {
    return new Reading(
        System.nanoTime(),
        ProcStatus.cpuSeconds(extenderPid),
        ProcStatus.cpuSeconds(ProcessHandle.current().pid()),
        ProcStatus.cpuSecondsByThread(extenderPid));
  }

  /**
   * @param cores the processors the extender may run on (its capacity is estimated for those)
   */
  static Cost cost(
      Reading idleStart, Reading idleEnd, Reading loadStart, Reading loadEnd, long n, int cores) {
    double idleWall = (idleEnd.nanos() - idleStart.nanos()) / 1e9;
    double loadWall = (loadEnd.nanos() - loadStart.nanos()) / 1e9;
    double idleExt = (idleEnd.extenderSeconds() - idleStart.extenderSeconds()) / idleWall;
    double idleDrv = (idleEnd.driverSeconds() - idleStart.driverSeconds()) / idleWall;
    double ext = loadEnd.extenderSeconds() - loadStart.extenderSeconds() - idleExt * loadWall;
    double drv = loadEnd.driverSeconds() - loadStart.driverSeconds() - idleDrv * loadWall;
    return new Cost(
        idleExt,
        idleDrv,
        n,
        n > 0 ? ext / n * 1000 : Double.NaN,
        n > 0 ? drv / n * 1000 : Double.NaN,
        cores,
        byThread(loadStart.extenderThreads(), loadEnd.extenderThreads(), n));
  }

  private static Map<String, Double> byThread(
      Map<String, Double> start, Map<String, Double> end, long cycles) {
    Map<String, Double> out = new LinkedHashMap<>();
    end.entrySet().stream()
        .map(e -> Map.entry(e.getKey(), e.getValue() - start.getOrDefault(e.getKey(), 0.0)))
        .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
        .forEach(e -> out.put(e.getKey(), cycles > 0 ? e.getValue() / cycles * 1000 : Double.NaN));
    return out;
  }
}
