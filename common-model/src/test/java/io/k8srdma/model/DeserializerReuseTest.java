package io.k8srdma.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.KeyDeserializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationConfig;
import com.fasterxml.jackson.databind.cfg.HandlerInstantiator;
import com.fasterxml.jackson.databind.cfg.MapperConfig;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.jsontype.TypeIdResolver;
import com.fasterxml.jackson.databind.jsontype.TypeResolverBuilder;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.WatchEvent;
import io.k8srdma.model.extender.ExtenderArgs;
import io.k8srdma.model.extender.ExtenderBindingArgs;
import io.k8srdma.model.json.Json;
import io.k8srdma.model.request.PodRequestCodec;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * The deserializers named by annotations are made once per mapper, not once per body: Spring's
 * mapper makes each through its bean factory, which cost the extender 4% of its CPU when every
 * request and every quantity of a pod made a new one.
 */
class DeserializerReuseTest {

  /** Counts what Jackson asks it to instantiate and leaves the instantiation to Jackson. */
  private static final class CountingInstantiator extends HandlerInstantiator {

    final Map<String, Integer> made = new ConcurrentHashMap<>();

    @Override
    public JsonDeserializer<?> deserializerInstance(
        DeserializationConfig config, Annotated annotated, Class<?> deserClass) {
      made.merge(deserClass.getName(), 1, Integer::sum);
      return null;
    }

    @Override
    public KeyDeserializer keyDeserializerInstance(
        DeserializationConfig config, Annotated annotated, Class<?> keyDeserClass) {
      return null;
    }

    @Override
    public StdSerializer<?> serializerInstance(
        SerializationConfig config, Annotated annotated, Class<?> serClass) {
      return null;
    }

    @Override
    public TypeResolverBuilder<?> typeResolverBuilderInstance(
        MapperConfig<?> config, Annotated annotated, Class<?> builderClass) {
      return null;
    }

    @Override
    public TypeIdResolver typeIdResolverInstance(
        MapperConfig<?> config, Annotated annotated, Class<?> resolverClass) {
      return null;
    }

    int of(String className) {
      return made.getOrDefault(className, 0);
    }
  }

  private final CountingInstantiator instantiator = new CountingInstantiator();

  private final ObjectMapper mapper = mapper(instantiator);

  private static ObjectMapper mapper(HandlerInstantiator instantiator) {
    ObjectMapper mapper = Json.configure(new ObjectMapper()).registerModule(PodEssentials.module());
    mapper.setHandlerInstantiator(instantiator);
    return mapper;
  }

  @Test
  void readsManyFilterBodiesWithOneReaderAndNoQuantityDeserializerMadePerPod() throws Exception {
    String body =
        "{\"pod\":" + PodEssentialsTest.RUNNING_WORKER + ",\"nodenames\":[\"n1\",\"n2\"]}";

    for (int i = 0; i < 5; i++) {
      // As Spring's converter does for every request: ask first, then read.
      assertThat(mapper.canDeserialize(mapper.constructType(ExtenderArgs.class))).isTrue();
      ExtenderArgs args = mapper.readValue(body, ExtenderArgs.class);
      assertThat(PodRequestCodec.read(args.pod())).isPresent();
      assertThat(args.pod().getSpec().getContainers().get(0).getResources().getRequests())
          .containsKey(PodRequestCodec.VF_RESOURCE);
    }

    assertThat(instantiator.of(ExtenderArgs.class.getName() + "$Reader")).isEqualTo(1);
    assertThat(instantiator.of(Quantity.Deserializer.class.getName())).isZero();
  }

  @Test
  void readsManyBindBodiesWithOneReader() throws Exception {
    String body = "{\"podName\":\"p\",\"podNamespace\":\"ns\",\"podUID\":\"u\",\"node\":\"n\"}";

    for (int i = 0; i < 5; i++) {
      assertThat(mapper.canDeserialize(mapper.constructType(ExtenderBindingArgs.class))).isTrue();
      assertThat(mapper.readValue(body, ExtenderBindingArgs.class).node()).isEqualTo("n");
    }

    assertThat(instantiator.of(ExtenderBindingArgs.class.getName() + "$Reader")).isEqualTo(1);
  }

  @Test
  void readsManyWatchEventsWithoutAQuantityDeserializerPerPod() throws Exception {
    String event = "{\"type\":\"ADDED\",\"object\":" + PodEssentialsTest.RUNNING_WORKER + "}";

    for (int i = 0; i < 5; i++) {
      WatchEvent read = mapper.readValue(event, WatchEvent.class);
      assertThat(read.getType()).isEqualTo("ADDED");
    }

    assertThat(instantiator.of(Quantity.Deserializer.class.getName())).isZero();
  }
}
