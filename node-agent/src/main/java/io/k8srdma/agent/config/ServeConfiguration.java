package io.k8srdma.agent.config;

import io.k8srdma.agent.discovery.HostScanner;
import io.k8srdma.agent.discovery.Sysfs;
import io.k8srdma.agent.inventory.InventoryHealthIndicator;
import io.k8srdma.agent.inventory.InventoryService;
import io.k8srdma.agent.inventory.PeriodicScanner;
import io.k8srdma.agent.inventory.ScanMetrics;
import io.k8srdma.agent.netlink.RtnetlinkClient;
import io.k8srdma.agent.netlink.VfLinkInfoSource;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Beans of {@code serve} mode: the scanner, the inventory and its health and metrics. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnServeMode
public class ServeConfiguration {

  @Bean
  Sysfs sysfs(AgentProperties props) {
    return new Sysfs(props.hostRootPath());
  }

  @Bean
  VfLinkInfoSource vfLinkInfoSource(AgentProperties props) {
    return props.netlink() ? new RtnetlinkClient() : VfLinkInfoSource.none();
  }

  @Bean
  HostScanner hostScanner(Sysfs sysfs, VfLinkInfoSource netlink) {
    return new HostScanner(sysfs, netlink);
  }

  @Bean
  ScanMetrics scanMetrics(MeterRegistry registry) {
    return new ScanMetrics(registry);
  }

  @Bean
  InventoryService inventoryService(
      AgentProperties props, HostScanner scanner, ScanMetrics metrics) {
    return new InventoryService(props.nodeName(), scanner, Clock.systemUTC(), metrics);
  }

  @Bean
  PeriodicScanner periodicScanner(InventoryService inventory, AgentProperties props) {
    return new PeriodicScanner(inventory, props.scanInterval());
  }

  @Bean
  ServerPortCheck serverPortCheck() {
    return new ServerPortCheck();
  }

  @Bean("inventory")
  InventoryHealthIndicator inventoryHealthIndicator(InventoryService inventory) {
    return new InventoryHealthIndicator(inventory);
  }
}
