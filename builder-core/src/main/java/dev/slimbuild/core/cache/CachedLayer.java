package dev.slimbuild.core.cache;

import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.json.JsonObject;
import java.util.Objects;
import java.util.Optional;

/**
 * A layer blob a cache record points at: its descriptor, diff_id and tar size, and where its bytes
 * are: in the local store (no source), or in a registry repository ({@code host/repository}) the
 * cache was imported from, fetched only when a step needs its files or an output its bytes.
 */
public record CachedLayer(Descriptor blob, Digest diffId, long tarSize, Optional<String> source) {
  public CachedLayer {
    Objects.requireNonNull(blob, "blob");
    Objects.requireNonNull(diffId, "diffId");
    Objects.requireNonNull(source, "source");
  }

  /** The same layer, its bytes in {@code repository}. */
  public CachedLayer from(String repository) {
    return new CachedLayer(blob, diffId, tarSize, Optional.of(repository));
  }

  /** The JSON form: {@code {"mediaType","digest","size","diffId","tarSize"}} (no source). */
  public JsonObject toJson() {
    return JsonObject.builder()
        .put("mediaType", blob.mediaType())
        .put("digest", blob.digest().toString())
        .put("size", blob.size())
        .put("diffId", diffId.toString())
        .put("tarSize", tarSize)
        .build();
  }

  /** Reads {@link #toJson}'s form; IllegalArgumentException if it is not one. */
  public static CachedLayer read(JsonObject o) {
    Descriptor d =
        Descriptor.of(Records.string(o, "mediaType"), Digest.parse(Records.string(o, "digest")),
            Records.number(o, "size"));
    return new CachedLayer(d, Digest.parse(Records.string(o, "diffId")),
        Records.number(o, "tarSize"), Optional.empty());
  }
}
