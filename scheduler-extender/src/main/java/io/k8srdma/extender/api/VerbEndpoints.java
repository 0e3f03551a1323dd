package io.k8srdma.extender.api;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.k8srdma.extender.bind.BindVerb;
import io.k8srdma.extender.config.ExtenderProperties;
import io.k8srdma.extender.filter.FilterVerb;
import io.k8srdma.extender.prioritize.PrioritizeVerb;
import io.k8srdma.model.extender.ExtenderArgs;
import io.k8srdma.model.extender.ExtenderBindingArgs;
import io.k8srdma.model.extender.ExtenderBindingResult;
import io.k8srdma.model.extender.ExtenderFilterResult;
import io.k8srdma.model.extender.HostPriority;
import java.util.List;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Serves the three verbs at {@code k8s-rdma.extender.verbs.*} through {@link VerbServlet}. */
@Configuration(proxyBeanMethods = false)
public class VerbEndpoints {

  @Bean
  ServletRegistrationBean<VerbServlet> verbServlet(
      ExtenderProperties props,
      ObjectMapper mapper,
      FilterVerb filter,
      PrioritizeVerb prioritize,
      BindVerb bind) {
    ExtenderProperties.Verbs paths = props.verbs();
    VerbServlet servlet =
        new VerbServlet(
            List.of(
                VerbServlet.Verb.of(
                    paths.filter(),
                    mapper,
                    ExtenderArgs.class,
                    filter::filter,
                    mapper.writerFor(ExtenderFilterResult.class)),
                VerbServlet.Verb.of(
                    paths.prioritize(),
                    mapper,
                    ExtenderArgs.class,
                    prioritize::prioritize,
                    mapper.writerFor(new TypeReference<List<HostPriority>>() {})),
                VerbServlet.Verb.of(
                    paths.bind(),
                    mapper,
                    ExtenderBindingArgs.class,
                    bind::bind,
                    mapper.writerFor(ExtenderBindingResult.class))),
            mapper);
    ServletRegistrationBean<VerbServlet> registration =
        new ServletRegistrationBean<>(servlet, servlet.paths());
    registration.setName("extenderVerbs");
    // Initialised at start, not by kube-scheduler's first call.
    registration.setLoadOnStartup(1);
    return registration;
  }
}
