package io.k8srdma.model.testing;

import java.io.IOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Test helper shared by the services (published in common-model's test jar): the configuration keys
 * a {@code @ConfigurationProperties} record binds, and the keys a Markdown document names, so a
 * test can insist that docs and code list the same keys.
 *
 * <p>Keys are spelled as the docs spell them: kebab-case, {@code <name>} for map keys, {@code [i]}
 * for list indexes.
 */
public final class ConfigKeys {

  private static final Pattern DOC_KEY = Pattern.compile("`(k8s-rdma\\.[a-z0-9.\\-\\[\\]<>]+)`");

  private ConfigKeys() {}

  /** Every leaf key bound by {@code type} under {@code prefix}. */
  public static Set<String> of(String prefix, Class<?> type) {
    Set<String> keys = new TreeSet<>();
    collect(prefix, type, keys);
    return keys;
  }

  /**
   * Every {@code k8s-rdma.*} key in backticks in a Markdown file that starts with {@code prefix}.
   */
  public static Set<String> inDoc(Path markdown, String prefix) throws IOException {
    Set<String> keys = new TreeSet<>();
    Matcher m = DOC_KEY.matcher(Files.readString(markdown));
    while (m.find()) {
      String key = m.group(1).replaceAll("\\.$", "");
      if (key.startsWith(prefix + ".")) {
        keys.add(key.replaceAll("<[a-z-]+>", "<name>"));
      }
    }
    return keys;
  }

  private static void collect(String prefix, Class<?> type, Set<String> keys) {
    for (RecordComponent c : type.getRecordComponents()) {
      String key = prefix + "." + kebab(c.getName());
      Class<?> raw = c.getType();
      if (raw.isRecord()) {
        collect(key, raw, keys);
      } else if (Map.class.isAssignableFrom(raw)) {
        keys.add(key + ".<name>");
      } else if (List.class.isAssignableFrom(raw) && elementType(c).isRecord()) {
        collect(key + "[i]", elementType(c), keys);
      } else {
        keys.add(key);
      }
    }
  }

  private static Class<?> elementType(RecordComponent c) {
    Type t = c.getGenericType();
    if (t instanceof ParameterizedType p && p.getActualTypeArguments()[0] instanceof Class<?> e) {
      return e;
    }
    return Object.class;
  }

  private static String kebab(String camel) {
    return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
  }
}
