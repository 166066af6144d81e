package dev.slimbuild.core.dockerfile;

import java.util.Objects;

/**
 * One ENV or LABEL pair, raw (quotes and escapes as written). {@code legacy} is true for the {@code
 * ENV key value} form, where the value is the whole rest of the line.
 */
public record KeyValue(String key, String value, boolean legacy) {
  public KeyValue {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
  }
}
