package io.k8srdma.extender.api;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.converter.json.MappingJackson2HttpMessageConverter;

/** How the verbs read their JSON bodies. */
@Configuration(proxyBeanMethods = false)
public class RequestBodies {

  /**
   * Spring Boot's JSON converter (which it leaves out when there is this bean), except that a body
   * must be one JSON value: {@code {"Pod": ...} x} is malformed (400), not read up to its first
   * value. Set on the converter's reader only: mapper-wide, the check would also fail fabric8's
   * Quantity deserializer, which reads a tree from the mapper in the middle of the body.
   */
  @Bean
  MappingJackson2HttpMessageConverter mappingJackson2HttpMessageConverter(ObjectMapper mapper) {
    return new MappingJackson2HttpMessageConverter(mapper) {
      @Override
      protected ObjectReader customizeReader(ObjectReader reader, JavaType javaType) {
        return reader.with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
      }
    };
  }
}
