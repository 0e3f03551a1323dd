package io.k8srdma.extender;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** Entry point of the kube-scheduler HTTP extender. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class SchedulerExtenderApplication {

  public static void main(String[] args) {
    SpringApplication.run(SchedulerExtenderApplication.class, args);
  }
}
