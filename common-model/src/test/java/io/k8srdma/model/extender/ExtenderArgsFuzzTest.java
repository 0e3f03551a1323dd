package io.k8srdma.model.extender;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.InvalidDefinitionException;
import io.k8srdma.model.json.Json;
import io.k8srdma.model.request.InvalidRequestException;
import io.k8srdma.model.request.PodRequestCodec;
import io.k8srdma.model.testing.Fuzz;
import io.k8srdma.model.testing.JsonMutator;
import io.k8srdma.model.testing.JsonMutator.Mutant;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Seeded mutations of the bodies kube-scheduler sends, decoded as the extender's HTTP layer decodes
 * them (Jackson into {@link ExtenderArgs}, whose pod goes through {@code
 * PodEssentialsDeserializer}, and {@link ExtenderBindingArgs}). Spring answers 400 for a {@link
 * JsonProcessingException} but 500 for anything else, an {@link InvalidDefinitionException}
 * included, so nothing else may come out; a decoded body must give the verbs what they rely on.
 */
class ExtenderArgsFuzzTest {

  private static final List<String> FILTER_ARGS =
      List.of(
          resource("kube-scheduler/filter-args-nodenames.json"),
          resource("kube-scheduler/filter-args-nodes.json"),
          resource("filter-args-nodes.json"));

  private static final String BIND_ARGS = resource("kube-scheduler/bind-args.json");

  private final Fuzz.Tally tally = new Fuzz.Tally();

  @Test
  void mutatedExtenderArgsDecodeOrFailWithAJsonError() {
    Fuzz.run(
        "ExtenderArgs",
        Fuzz.seed(8888),
        Fuzz.iterations(1500),
        random ->
            new JsonMutator(random).mutate(FILTER_ARGS.get(random.nextInt(FILTER_ARGS.size()))),
        this::checkArgs);
    tally.assertEachAtLeast(5);
  }

  @Test
  void mutatedBindingArgsDecodeOrFailWithAJsonError() {
    Fuzz.run(
        "ExtenderBindingArgs",
        Fuzz.seed(8889),
        Fuzz.iterations(500),
        random -> new JsonMutator(random).mutate(BIND_ARGS),
        input -> {
          try {
            Json.mapper().readValue(input.bytes(), ExtenderBindingArgs.class);
          } catch (InvalidDefinitionException e) {
            throw new AssertionError("a definition error, which Spring answers with 500", e);
          } catch (JsonProcessingException e) {
            // 400
          }
        });
  }

  private void checkArgs(Mutant input) {
    ExtenderArgs args;
    try {
      args = Json.mapper().readValue(input.bytes(), ExtenderArgs.class);
    } catch (InvalidDefinitionException e) {
      throw new AssertionError("a definition error, which Spring answers with 500", e);
    } catch (IOException e) {
      tally.refused();
      return;
    }
    tally.accepted();
    if (args == null) {
      return; // a body of JSON null: Spring answers 400 "Required request body is missing"
    }
    // What filter and prioritize read of every body.
    assertThat(args.candidateNames())
        .doesNotContainNull()
        .allSatisfy(n -> assertThat(n).isNotEmpty());
    if (args.pod() != null) {
      try {
        PodRequestCodec.read(args.pod());
      } catch (InvalidRequestException e) {
        assertThat(e.getMessage()).isNotBlank();
      }
    }
  }

  private static String resource(String name) {
    try (InputStream in = ExtenderArgsFuzzTest.class.getResourceAsStream("/extender/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
