package io.k8srdma.agent;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** Entry point: {@code serve} (default) runs the HTTP agent, {@code init} enables VFs and exits. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class NodeAgentApplication {

  public static void main(String[] args) {
    SpringApplication.run(NodeAgentApplication.class, args);
  }
}
