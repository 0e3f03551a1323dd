package io.k8srdma.model.json;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/** The one Jackson configuration both services and the codecs share. */
public final class Json {

  private static final ObjectMapper MAPPER = configure(new ObjectMapper());

  private Json() {}

  /**
   * Applies the project's JSON conventions to a mapper: ISO-8601 instants, unknown fields ignored
   * (so either side can add fields), nulls written (they carry meaning in the contract).
   */
  public static ObjectMapper configure(ObjectMapper mapper) {
    return mapper
        .registerModule(new JavaTimeModule())
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
  }

  /** A shared, thread-safe mapper with {@link #configure} applied. Do not reconfigure it. */
  public static ObjectMapper mapper() {
    return MAPPER;
  }
}
