package io.k8srdma.model.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Strict, field-by-field reading of annotation JSON, so that every error names the exact field
 * (e.g. {@code k8s-rdma.io/interfaces[1].maxTxRateMbps}) instead of a Jackson stack trace.
 *
 * <p>Codecs read a tree and pull fields with these methods; any problem is a {@link FieldException}
 * whose message starts with the field's path. Unknown fields are simply never asked for, which is
 * how they are ignored.
 */
public final class JsonFields {

  // Duplicate keys and trailing garbage are rejected: both usually mean a hand-edited annotation
  // that does not say what its author thinks it says.
  private static final ObjectReader STRICT_READER =
      Json.mapper()
          .reader()
          .with(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private JsonFields() {}

  /** A problem with one field of a JSON document; the message starts with the field's path. */
  public static final class FieldException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** A problem at {@code path}, described by {@code problem}. */
    public FieldException(String path, String problem) {
      super(path + ": " + problem);
    }
  }

  /**
   * Parses {@code text} into a tree.
   *
   * @param path names the document in error messages (e.g. the annotation key)
   * @throws FieldException when the text is blank or not one valid JSON value
   */
  public static JsonNode parse(String text, String path) {
    if (text == null || text.isBlank()) {
      throw new FieldException(path, "is empty: expected JSON");
    }
    try {
      return STRICT_READER.readTree(text);
    } catch (JsonProcessingException e) {
      String where =
          e.getLocation() == null
              ? ""
              : " at line "
                  + e.getLocation().getLineNr()
                  + " column "
                  + e.getLocation().getColumnNr();
      throw new FieldException(path, "not valid JSON" + where + ": " + e.getOriginalMessage());
    }
  }

  /** The longest part of a value an error message repeats. */
  private static final int QUOTED_CHARS = 64;

  /**
   * {@code text} cut to its first {@value #QUOTED_CHARS} characters for an error message: the
   * extender repeats a pod's error once per candidate node, so a huge value would make huge
   * answers.
   */
  public static String cut(String text) {
    if (text.length() <= QUOTED_CHARS) {
      return text;
    }
    return text.substring(0, QUOTED_CHARS) + "... (" + text.length() + " characters)";
  }

  /** {@code text}, {@linkplain #cut cut}, in single quotes. */
  public static String quote(String text) {
    return "'" + cut(text) + "'";
  }

  /** How a JSON node's type is spelled in error messages. */
  public static String describe(JsonNode node) {
    if (node == null || node.isMissingNode()) {
      return "missing";
    }
    return switch (node.getNodeType()) {
      case STRING -> "a string (\"" + cut(node.asText()) + "\")";
      case NUMBER -> "the number " + cut(node.asText());
      case BOOLEAN -> node.asText();
      case NULL -> "null";
      case ARRAY -> "an array";
      case OBJECT, POJO -> "an object";
      default -> node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
    };
  }

  /** Requires {@code node} to be a JSON object. */
  public static void requireObject(JsonNode node, String path) {
    if (!node.isObject()) {
      throw new FieldException(path, "expected an object, got " + describe(node));
    }
  }

  /** Requires {@code node} to be a JSON array. */
  public static void requireArray(JsonNode node, String path) {
    if (!node.isArray()) {
      throw new FieldException(path, "expected an array, got " + describe(node));
    }
  }

  /** A string field; empty when absent or null; an error for any other type or a blank string. */
  public static Optional<String> optionalString(JsonNode object, String field, String path) {
    JsonNode value = object.get(field);
    if (value == null || value.isNull()) {
      return Optional.empty();
    }
    String fieldPath = path + "." + field;
    if (!value.isTextual()) {
      throw new FieldException(fieldPath, "expected a string, got " + describe(value));
    }
    if (value.asText().isBlank()) {
      throw new FieldException(fieldPath, "is blank");
    }
    return Optional.of(value.asText());
  }

  /** A required string field. */
  public static String requiredString(JsonNode object, String field, String path) {
    return optionalString(object, field, path)
        .orElseThrow(() -> new FieldException(path + "." + field, "is required"));
  }

  /**
   * A whole-number field within {@code [min, max]}; empty when absent or null. Strings, fractions
   * and out-of-range numbers are errors: a quoted {@code "1000"} is a typo we refuse to guess at.
   */
  public static OptionalLong optionalLong(
      JsonNode object, String field, String path, long min, long max) {
    JsonNode value = object.get(field);
    if (value == null || value.isNull()) {
      return OptionalLong.empty();
    }
    String fieldPath = path + "." + field;
    if (!value.isIntegralNumber()) {
      throw new FieldException(fieldPath, "expected a whole number, got " + describe(value));
    }
    if (!value.canConvertToLong()) {
      throw new FieldException(fieldPath, cut(value.asText()) + " is out of range");
    }
    long v = value.asLong();
    if (v < min) {
      throw new FieldException(
          fieldPath,
          v + (min == 0 ? " is negative: must be >= 0" : " is below the minimum " + min));
    }
    if (v > max) {
      throw new FieldException(fieldPath, v + " is above the maximum " + max);
    }
    return OptionalLong.of(v);
  }

  /** A required whole-number field within {@code [min, max]}. */
  public static long requiredLong(JsonNode object, String field, String path, long min, long max) {
    OptionalLong v = optionalLong(object, field, path, min, max);
    if (v.isEmpty()) {
      throw new FieldException(path + "." + field, "is required");
    }
    return v.getAsLong();
  }
}
