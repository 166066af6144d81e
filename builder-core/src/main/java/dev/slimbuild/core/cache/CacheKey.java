package dev.slimbuild.core.cache;

import dev.slimbuild.core.oci.Digest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

/**
 * Builds one cache key: SHA-256 over a sequence of tagged, length-prefixed fields, so that no two
 * different field sequences hash alike ({@code "ab","c"} is not {@code "a","bc"}). The version
 * field at the start changes whenever what a key covers changes, so old records simply miss.
 */
public final class CacheKey {
  /** Bumped when a key's meaning changes: records of other versions never match. */
  static final String VERSION = "slimbuild-cache-v1";

  private final MessageDigest md = Digest.newSha256();

  private CacheKey(String kind) {
    add(VERSION).add(kind);
  }

  /** A key of {@code kind} (for example {@code RUN}). */
  public static CacheKey of(String kind) {
    return new CacheKey(kind);
  }

  /** Adds one field. */
  public CacheKey add(String value) {
    byte[] b = (value == null ? "\0null" : value).getBytes(StandardCharsets.UTF_8);
    md.update(ByteBuffer.allocate(4).putInt(b.length).array());
    md.update(b);
    return this;
  }

  /** Adds a number. */
  public CacheKey add(long value) {
    return add(Long.toString(value));
  }

  /** Adds a digest (another key, a content digest). */
  public CacheKey add(Digest value) {
    return add(value == null ? null : value.toString());
  }

  /** Adds a list, with its length, in its order. */
  public CacheKey addAll(Collection<String> values) {
    add(values.size());
    for (String v : values) {
      add(v);
    }
    return this;
  }

  /** Adds a map in key order. */
  public CacheKey addAll(Map<String, String> values) {
    add(values.size());
    new TreeMap<>(values).forEach((k, v) -> add(k).add(v));
    return this;
  }

  /** The key. */
  public Digest digest() {
    return Digest.sha256(md.digest());
  }
}
