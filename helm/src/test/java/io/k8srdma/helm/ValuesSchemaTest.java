package io.k8srdma.helm;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.k8srdma.charttest.HelmChart;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ValuesSchemaTest {

  @ParameterizedTest(name = "{0}={1} is rejected")
  @CsvSource({
    "agent.port, abc, /agent/port",
    "agent.port, 70000, /agent/port",
    "scheduler.mode, other, /scheduler/mode",
    "extender.replicas, -1, /extender/replicas",
    "extender.port, '', /extender/port",
    "scheduler.extender.nodeCacheCapable, maybe, /scheduler/extender/nodeCacheCapable",
    "scheduler.extender.httpTimeout, soon, /scheduler/extender/httpTimeout",
    "agent.vfPolicy.enabled, yes-please, /agent/vfPolicy/enabled",
    "agent.vfPolicy.removeVfsInUse, sure, /agent/vfPolicy/removeVfsInUse",
    "agent.image.pullPolicy, Sometimes, /agent/image/pullPolicy",
    // The agent reads these with Spring Boot, which takes one number and unit, not Go's 1m30s.
    "agent.scanInterval, 1m30s, /agent/scanInterval",
    "agent.vfPolicy.vfTimeout, 1.5s, /agent/vfPolicy/vfTimeout",
    // The agent's timer counts in milliseconds.
    "agent.scanInterval, 500us, /agent/scanInterval",
    // The agent refuses a duration of zero (node-agent's chart contract tests).
    "agent.scanInterval, 0ms, /agent/scanInterval",
    "agent.vfPolicy.vfTimeout, 0s, /agent/vfPolicy/vfTimeout",
    // The extender accepts paths of [A-Za-z0-9/_.-]; the chart adds the leading slash itself.
    "extender.verbs.filter, /filter, /extender/verbs/filter",
    "extender.verbs.bind, bind~1, /extender/verbs/bind",
    // Refused by the extender at start: a trailing slash, or a path it serves otherwise.
    "extender.verbs.bind, v1/bind/, /extender/verbs/bind",
    "extender.verbs.filter, inventory, /extender/verbs/filter",
    "extender.verbs.prioritize, actuator/health, /extender/verbs/prioritize",
  })
  void wrongTypesFailTheTemplateNamingTheKey(String key, String value, String pointer) {
    assertThatThrownBy(() -> HelmChart.templateRaw(Map.of(key, value)))
        .hasMessageContaining("values don't meet the specifications of the schema")
        .hasMessageContaining(pointer);
  }

  @ParameterizedTest(name = "policy {0}={1} is rejected")
  @CsvSource({
    "numVfs, -3",
    "numVfs, lots",
    // TotalVFs is 16 bits; helm would write 1000000 as 1e+06.
    "numVfs, 65536",
    "linkLayer, Ethernett",
    "pciAddress, 1a:00.0",
  })
  void badVfPoliciesAreRejected(String field, String value) {
    Map<String, Object> values = new HashMap<>();
    values.put("agent.vfPolicy.enabled", true);
    values.put("agent.vfPolicy.policies[0].vendorId", "15b3");
    values.put("agent.vfPolicy.policies[0].numVfs", 4);
    values.put("agent.vfPolicy.policies[0]." + field, value);

    assertThatThrownBy(() -> HelmChart.templateRaw(values))
        .hasMessageContaining("/agent/vfPolicy/policies/0");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "a policy without a selector, agent.vfPolicy.policies[0].numVfs, 4, /agent/vfPolicy/policies/0",
    "an enabled policy list that is empty, agent.vfPolicy.enabled, true, policies is empty",
  })
  void incompletePoliciesAreRejected(String what, String key, String value, String message) {
    Map<String, Object> values =
        key.equals("agent.vfPolicy.enabled")
            ? Map.of(key, value)
            : Map.of("agent.vfPolicy.enabled", true, key, value);

    assertThatThrownBy(() -> HelmChart.templateRaw(values)).hasMessageContaining(message);
  }

  @ParameterizedTest(name = "{0}={1} is accepted")
  @CsvSource({
    "scheduler.mode, config-only",
    "extender.replicas, 0",
    "agent.port, 9000",
    "scheduler.extender.httpTimeout, 1m30s",
    "agent.scanInterval, 90s",
    "extender.verbs.filter, v1/filter",
  })
  void validValuesRender(String key, String value) {
    assertThatCode(() -> HelmChart.templateRaw(Map.of(key, value))).doesNotThrowAnyException();
  }
}
