package io.k8srdma.agent.init;

import io.k8srdma.agent.config.AgentProperties;
import io.k8srdma.agent.discovery.HostScanner;
import io.k8srdma.agent.discovery.Sysfs;
import io.k8srdma.agent.netlink.VfLinkInfoSource;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.context.WebApplicationContext;

/** Beans of {@code init} mode: the scanner (without netlink), the sysfs writer and the runner. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "k8s-rdma.agent.mode", havingValue = "init")
public class InitConfiguration {

  @Bean
  Sysfs sysfs(AgentProperties props) {
    return new Sysfs(props.hostRootPath());
  }

  /** VF MACs and GUIDs do not matter for enabling VFs, so netlink is never opened. */
  @Bean
  HostScanner hostScanner(Sysfs sysfs) {
    return new HostScanner(sysfs, VfLinkInfoSource.none());
  }

  @Bean
  @ConditionalOnMissingBean
  SriovWriter sriovWriter() {
    return SriovWriter.files();
  }

  @Bean
  PfSriovConfigurer pfSriovConfigurer(Sysfs sysfs, SriovWriter writer, InitProperties props) {
    return new PfSriovConfigurer(
        sysfs, writer, props.vfTimeout(), props.pollInterval(), props.removeVfsInUse());
  }

  @Bean
  VfPolicyApplier vfPolicyApplier(HostScanner scanner, PfSriovConfigurer configurer) {
    return new VfPolicyApplier(scanner, configurer);
  }

  @Bean
  InitRunner initRunner(VfPolicyApplier applier, InitProperties props, ApplicationContext ctx) {
    // main picks the web type before config files are read; a mode set only in a config file
    // would otherwise start a web server and never exit.
    // Thrown as a bad property value: Spring Boot reports it as one paragraph, not a stack trace.
    if (ctx instanceof WebApplicationContext) {
      throw new InvalidConfigurationPropertyValueException(
          "k8s-rdma.agent.mode",
          "init",
          "init mode must be chosen before start-up: pass 'init' as the first argument, "
              + "--k8s-rdma.agent.mode=init, -Dk8s-rdma.agent.mode=init "
              + "or K8S_RDMA_AGENT_MODE=init, not a config file");
    }
    return new InitRunner(applier, props);
  }
}
