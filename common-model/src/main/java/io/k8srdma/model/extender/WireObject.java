package io.k8srdma.model.extender;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonMappingException;
import java.io.IOException;

/**
 * Reads the JSON object of a request record field by field, for the deserializers of {@link
 * ExtenderArgs} and {@link ExtenderBindingArgs}.
 *
 * <p>Jackson 2's record support builds a record as soon as it has seen every component, and fails a
 * field that comes after that again (the same key twice, or a key and its alias, as in {@code
 * {"Node": "a", ..., "node": "b"}}) with an {@code InvalidDefinitionException}, which Spring
 * answers with 500 (jackson-databind#4690, fixed in Jackson 3.1 only). Read here, a field given
 * twice is a mismatched input, which is a 400 naming the field; unknown fields are skipped.
 */
final class WireObject {

  private WireObject() {}

  /** Reads the value of one field; the parser is at the value's first token. */
  @FunctionalInterface
  interface FieldReader {
    void read(int field) throws IOException;
  }

  /**
   * Reads the object the parser is at (its start, or its first field when Jackson has read ahead),
   * calling {@code reader} with the index into {@code names} of each known field.
   *
   * @param names per field, its name first (used in messages and paths), then its aliases
   */
  static void read(
      JsonParser p,
      DeserializationContext ctxt,
      Class<?> type,
      String[][] names,
      FieldReader reader)
      throws IOException {
    String key;
    if (p.currentToken() == JsonToken.START_OBJECT) {
      key = p.nextFieldName();
    } else if (p.currentToken() == JsonToken.FIELD_NAME) {
      key = p.currentName();
    } else {
      ctxt.handleUnexpectedToken(type, p);
      return;
    }
    String[] seenAs = new String[names.length];
    for (; key != null; key = p.nextFieldName()) {
      p.nextToken();
      int field = indexOf(names, key);
      if (field < 0) {
        p.skipChildren();
        continue;
      }
      String name = names[field][0];
      if (seenAs[field] != null) {
        ctxt.reportInputMismatch(
            type,
            "%s.%s is given twice (as \"%s\" and as \"%s\")",
            type.getSimpleName(),
            name,
            seenAs[field],
            key);
      }
      seenAs[field] = key;
      try {
        reader.read(field);
      } catch (JsonMappingException | RuntimeException e) {
        // As Jackson's bean deserializers do: a deserializer's unchecked exception (fabric8's
        // Quantity throws IllegalArgumentException for an empty quantity) is a mapping error at
        // this field.
        throw JsonMappingException.wrapWithPath(e, type, name);
      }
    }
  }

  /** A string value as Jackson reads one: text as is, other scalars as their text, null as null. */
  static String text(JsonParser p, DeserializationContext ctxt) throws IOException {
    JsonToken t = p.currentToken();
    if (t == JsonToken.VALUE_STRING) {
      return p.getText();
    }
    if (t == JsonToken.VALUE_NULL) {
      return null;
    }
    return ctxt.readValue(p, String.class);
  }

  private static int indexOf(String[][] names, String key) {
    for (int i = 0; i < names.length; i++) {
      for (String name : names[i]) {
        if (name.equals(key)) {
          return i;
        }
      }
    }
    return -1;
  }
}
