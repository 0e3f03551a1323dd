package io.k8srdma.model.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Seeded mutations of a valid JSON document, for fuzz tests (published in common-model's test jar,
 * so the services' fuzz tests mutate the same way).
 *
 * <p>A mutant is one to three changes to the document's tree (a field dropped, renamed, duplicated
 * or set to a value of the wrong type, an extreme number such as {@code 1e400} or {@code
 * 9223372036854775808}, a long or odd string, deep nesting, an array element repeated), sometimes
 * followed by one change to its bytes (truncation, a byte inserted or replaced, invalid UTF-8, a
 * byte order mark, trailing garbage, a duplicate key). Mutants that are the valid document again
 * are possible and harmless. The same seed gives the same mutants.
 */
public final class JsonMutator {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final Pattern KEY = Pattern.compile("\"([^\"\\\\]{1,64})\"\\s*:");

  /** One mutated document and how it was made (for the failure message). */
  public record Mutant(String description, byte[] bytes) implements Fuzz.Described {

    /** The bytes as UTF-8 text: invalid sequences become U+FFFD, as a servlet would read them. */
    public String text() {
      return new String(bytes, StandardCharsets.UTF_8);
    }

    /** A mutant of text, as is. */
    public static Mutant of(String description, String text) {
      return new Mutant(description, text.getBytes(StandardCharsets.UTF_8));
    }
  }

  private final Random random;

  public JsonMutator(Random random) {
    this.random = random;
  }

  /** One mutant of {@code valid}, which must be JSON. */
  public Mutant mutate(String valid) {
    List<String> done = new ArrayList<>();
    JsonNode root = parse(valid);
    int treeChanges = random.nextInt(4); // 0..3; with 0, a byte change follows for sure
    for (int i = 0; i < treeChanges; i++) {
      root = mutateTree(root, done);
    }
    byte[] bytes = write(root).getBytes(StandardCharsets.UTF_8);
    if (treeChanges == 0 || random.nextInt(3) == 0) {
      bytes = mutateBytes(bytes, done);
    }
    return new Mutant(String.join("; ", done), bytes);
  }

  /** The document cut after each of its bytes but the last: every truncation. */
  public static List<Mutant> truncations(String valid) {
    byte[] bytes = valid.getBytes(StandardCharsets.UTF_8);
    List<Mutant> all = new ArrayList<>();
    for (int at = 0; at < bytes.length; at++) {
      all.add(new Mutant("truncated at byte " + at, Arrays.copyOf(bytes, at)));
    }
    return all;
  }

  // --- changes to the tree ----------------------------------------------------------------------

  /** A place in the tree: a field of an object or an element of an array. */
  private record Slot(String path, JsonNode container, String field, int index) {
    JsonNode value() {
      return field != null ? container.get(field) : container.get(index);
    }

    void set(JsonNode value) {
      if (field != null) {
        ((ObjectNode) container).set(field, value);
      } else {
        ((ArrayNode) container).set(index, value);
      }
    }
  }

  private JsonNode mutateTree(JsonNode root, List<String> done) {
    List<Slot> slots = new ArrayList<>();
    collect(root, "$", slots);
    if (slots.isEmpty()) {
      JsonNode replaced = oddValue(root);
      done.add("replace the document with " + shortly(replaced));
      return replaced;
    }
    Slot slot = slots.get(random.nextInt(slots.size()));
    switch (random.nextInt(9)) {
      case 0 -> {
        if (slot.field != null) {
          ((ObjectNode) slot.container).remove(slot.field);
        } else {
          ((ArrayNode) slot.container).remove(slot.index);
        }
        done.add("drop " + slot.path);
      }
      case 1 -> {
        if (slot.field != null) {
          String renamed = rename(slot.field);
          ObjectNode object = (ObjectNode) slot.container;
          JsonNode value = object.remove(slot.field);
          object.set(renamed, value);
          done.add("rename " + slot.path + " to '" + renamed + "'");
        } else {
          ((ArrayNode) slot.container).insert(slot.index, slot.value().deepCopy());
          done.add("repeat " + slot.path);
        }
      }
      case 2 -> {
        slot.set(NODES.nullNode());
        done.add("set " + slot.path + " to null");
      }
      case 3 -> {
        // Another value of the same document: a type that is plausible but wrong here.
        JsonNode other = slots.get(random.nextInt(slots.size())).value();
        slot.set(other == null ? NODES.nullNode() : other.deepCopy());
        done.add("set " + slot.path + " to a copy of another value");
      }
      case 4 -> {
        JsonNode value = slot.value();
        if (value != null && value.isArray() && !value.isEmpty()) {
          int times = List.of(2, 33, 1000).get(random.nextInt(3));
          ArrayNode array = (ArrayNode) value;
          JsonNode element = array.get(random.nextInt(array.size()));
          for (int i = 1; i < times; i++) {
            array.add(element.deepCopy());
          }
          done.add("repeat an element of " + slot.path + " to " + array.size() + " elements");
        } else {
          slot.set(NODES.arrayNode().add(value == null ? NODES.nullNode() : value.deepCopy()));
          done.add("wrap " + slot.path + " in an array");
        }
      }
      default -> {
        JsonNode odd = oddValue(slot.value());
        slot.set(odd);
        done.add("set " + slot.path + " to " + shortly(odd));
      }
    }
    return root;
  }

  private void collect(JsonNode node, String path, List<Slot> slots) {
    if (node.isObject()) {
      for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
        String field = it.next();
        String p = path + "." + field;
        slots.add(new Slot(p, node, field, -1));
        collect(node.get(field), p, slots);
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        String p = path + "[" + i + "]";
        slots.add(new Slot(p, node, null, i));
        collect(node.get(i), p, slots);
      }
    }
  }

  private String rename(String field) {
    return switch (random.nextInt(6)) {
      case 0 -> field.toUpperCase(java.util.Locale.ROOT);
      case 1 -> field + "_";
      case 2 -> "";
      case 3 -> field.isEmpty() ? "x" : field.substring(1);
      case 4 ->
          Character.toUpperCase(field.isEmpty() ? 'x' : field.charAt(0))
              + (field.isEmpty() ? "" : field.substring(1));
      default -> field + "\u0000";
    };
  }

  /** Values no valid document has in that place, or only in unusual spellings. */
  private final List<Supplier<JsonNode>> oddValues =
      List.of(
          () -> raw("1e400"),
          () -> raw("-1e400"),
          () -> raw("1e-400"),
          () -> raw("9223372036854775808"),
          () -> raw("-9223372036854775809"),
          () -> raw("18446744073709551616"),
          () -> raw("2147483648"),
          () -> raw("-2147483649"),
          () -> raw("1.5"),
          () -> raw("-0"),
          () -> raw("-0.0"),
          () -> raw("1E3"),
          () -> raw("1e18"),
          () -> raw("0.1e1"),
          () -> raw("10000001"),
          () -> raw("-1"),
          () -> raw("0"),
          () -> raw("1" + "0".repeat(999)),
          () -> raw("1" + "0".repeat(1500)),
          () -> raw("0." + "0".repeat(1500) + "1"),
          () -> NODES.textNode(""),
          () -> NODES.textNode(" "),
          () -> NODES.textNode("NaN"),
          () -> NODES.textNode("Infinity"),
          () -> NODES.textNode("-Infinity"),
          () -> NODES.textNode("1e400"),
          () -> NODES.textNode("25000"),
          () -> NODES.textNode("null"),
          () -> NODES.textNode("x".repeat(100_000)),
          () -> NODES.textNode("\u0000"),
          () -> raw("\"\\ud800\""),
          () -> raw("\"\\udc00x\\ud800\""),
          () -> NODES.textNode("\uD83D\uDE80"),
          () -> NODES.textNode("\u202Eevil"),
          () -> NODES.textNode("ınfınıband"),
          () -> NODES.textNode("İnfiniBand"),
          () -> NODES.textNode("roce"),
          () -> NODES.textNode("Unknown"),
          () -> NODES.textNode("0000:1A:00.1"),
          () -> NODES.textNode("0000:1a:00.8"),
          () -> NODES.textNode("1a:00.1"),
          () -> NODES.textNode("eth0"),
          () -> NODES.textNode("net1"),
          () -> NODES.textNode("FREE"),
          () -> NODES.textNode("free"),
          () -> NODES.textNode("a/b"),
          () -> NODES.textNode("../.."),
          () -> NODES.textNode("%2F%00"),
          () -> NODES.textNode("a b\nc"),
          () -> NODES.textNode("2026-13-45T99:99:99Z"),
          () -> NODES.booleanNode(true),
          () -> NODES.booleanNode(false),
          NODES::nullNode,
          NODES::arrayNode,
          NODES::objectNode,
          () -> NODES.arrayNode().addNull(),
          () -> NODES.arrayNode().add(1).add("x"),
          () -> raw("[".repeat(200) + "]".repeat(200)),
          () -> raw("[".repeat(5000) + "]".repeat(5000)),
          () -> raw("{\"a\":".repeat(3000) + "1" + "}".repeat(3000)));

  private JsonNode oddValue(JsonNode current) {
    if (current != null && (current.isObject() || current.isArray()) && random.nextInt(8) == 0) {
      // The value nested in itself: a plausible shape in an implausible place.
      return NODES.arrayNode().add(current.deepCopy()).add(current.deepCopy());
    }
    return oddValues.get(random.nextInt(oddValues.size())).get();
  }

  private static JsonNode raw(String json) {
    return NODES.rawValueNode(new RawValue(json));
  }

  private static String shortly(JsonNode value) {
    String text = write(value);
    return text.length() <= 48 ? text : text.substring(0, 40) + "... (" + text.length() + " chars)";
  }

  // --- changes to the bytes ---------------------------------------------------------------------

  private static final byte[][] INVALID_UTF8 = {
    {(byte) 0xC3, 0x28}, // a lead byte without its continuation
    {(byte) 0x80}, // a lone continuation byte
    {(byte) 0xC0, (byte) 0xAF}, // an overlong '/'
    {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, // a surrogate encoded as UTF-8
    {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, // above U+10FFFF
    {(byte) 0xFF},
    {(byte) 0xF0, (byte) 0x9F} // a 4-byte sequence cut short
  };

  private static final String[] TRAILERS = {
    " x", "}", "]", ",", " {}", "\u0000", " // comment", " /* c */", "\n\n\n", "null"
  };

  private static final String[] WHOLE = {
    "",
    " ",
    "\n",
    "null",
    "true",
    "0",
    "-1",
    "\"text\"",
    "[]",
    "{}",
    "[{}]",
    "[null]",
    "[[]]",
    "{{}}"
  };

  private byte[] mutateBytes(byte[] bytes, List<String> done) {
    int at = bytes.length == 0 ? 0 : random.nextInt(bytes.length);
    switch (random.nextInt(11)) {
      case 0 -> {
        done.add("truncate at byte " + at);
        return Arrays.copyOf(bytes, at);
      }
      case 1 -> {
        byte b = (byte) random.nextInt(256);
        done.add(String.format("insert byte 0x%02x at %d", b, at));
        return splice(bytes, at, 0, new byte[] {b});
      }
      case 2 -> {
        if (bytes.length == 0) {
          break;
        }
        byte b = (byte) random.nextInt(256);
        done.add(String.format("replace byte %d with 0x%02x", at, b));
        byte[] copy = bytes.clone();
        copy[at] = b;
        return copy;
      }
      case 3 -> {
        byte[] invalid = INVALID_UTF8[random.nextInt(INVALID_UTF8.length)];
        int quote = nextQuote(bytes, at);
        done.add("insert invalid UTF-8 " + hex(invalid) + " at " + quote);
        return splice(bytes, quote, 0, invalid);
      }
      case 4 -> {
        int length = 1 + random.nextInt(Math.max(1, Math.min(32, bytes.length - at)));
        done.add("delete " + length + " bytes at " + at);
        return splice(bytes, at, Math.min(length, bytes.length - at), new byte[0]);
      }
      case 5 -> {
        boolean utf16 = random.nextBoolean();
        byte[] bom =
            utf16
                ? new byte[] {(byte) 0xFE, (byte) 0xFF}
                : new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        done.add(utf16 ? "prefix a UTF-16 BOM" : "prefix a UTF-8 BOM");
        return splice(bytes, 0, 0, bom);
      }
      case 6 -> {
        String trailer = TRAILERS[random.nextInt(TRAILERS.length)];
        done.add("append " + Fuzz.escape(trailer));
        return splice(bytes, bytes.length, 0, trailer.getBytes(StandardCharsets.UTF_8));
      }
      case 7 -> {
        String text = new String(bytes, StandardCharsets.UTF_8);
        List<int[]> keys = new ArrayList<>();
        Matcher m = KEY.matcher(text);
        while (m.find()) {
          keys.add(new int[] {m.start(), m.start(1), m.end(1)});
        }
        if (keys.isEmpty()) {
          break;
        }
        int[] key = keys.get(random.nextInt(keys.size()));
        String name = text.substring(key[1], key[2]);
        done.add("duplicate key '" + name + "' at char " + key[0]);
        return (text.substring(0, key[0]) + "\"" + name + "\": 1, " + text.substring(key[0]))
            .getBytes(StandardCharsets.UTF_8);
      }
      case 8 -> {
        String whole = WHOLE[random.nextInt(WHOLE.length)];
        done.add("replace everything with " + Fuzz.escape(whole));
        return whole.getBytes(StandardCharsets.UTF_8);
      }
      case 9 -> {
        done.add("single quotes for double quotes");
        return new String(bytes, StandardCharsets.UTF_8)
            .replace('"', '\'')
            .getBytes(StandardCharsets.UTF_8);
      }
      default -> {
        done.add("the document twice");
        ByteArrayOutputStream twice = new ByteArrayOutputStream();
        twice.writeBytes(bytes);
        twice.writeBytes(bytes);
        return twice.toByteArray();
      }
    }
    done.add("append x");
    return splice(bytes, bytes.length, 0, new byte[] {'x'});
  }

  /** The position just after the next double quote from {@code at} (inside a string), or at. */
  private static int nextQuote(byte[] bytes, int at) {
    for (int i = at; i < bytes.length; i++) {
      if (bytes[i] == '"') {
        return i + 1;
      }
    }
    return at;
  }

  private static byte[] splice(byte[] bytes, int at, int remove, byte[] insert) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length + insert.length);
    out.write(bytes, 0, at);
    out.writeBytes(insert);
    out.write(bytes, at + remove, bytes.length - at - remove);
    return out.toByteArray();
  }

  private static String hex(byte[] bytes) {
    StringBuilder s = new StringBuilder();
    for (byte b : bytes) {
      s.append(String.format("%02x", b & 0xff));
    }
    return s.toString();
  }

  private static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("the document to mutate is not JSON: " + e, e);
    }
  }

  private static String write(JsonNode node) {
    try {
      return JSON.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
