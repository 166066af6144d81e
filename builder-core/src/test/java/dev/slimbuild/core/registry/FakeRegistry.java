package dev.slimbuild.core.registry;

import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.json.Json;
import dev.slimbuild.json.JsonArray;
import dev.slimbuild.json.JsonObject;
import dev.slimbuild.json.JsonValue;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-memory {@link Registry} for unit tests: manifests by repository and reference, blobs by
 * repository, mounts between repositories, and counters of what was uploaded. It checks digests as
 * a real registry does. Integration tests use a real registry instead.
 */
public final class FakeRegistry implements Registry {
  private final String host;
  private final Map<String, Map<String, RawManifest>> manifests = new HashMap<>();
  private final Map<String, Set<Digest>> repoBlobs = new HashMap<>();
  private final Map<Digest, byte[]> blobs = new HashMap<>();

  /** Blobs uploaded (not mounted, not already present), in order. */
  public final List<Digest> uploads = new ArrayList<>();

  /** Blobs mounted from another repository, in order. */
  public final List<Digest> mounts = new ArrayList<>();

  /** Manifest puts, as {@code repository:reference}, in order. */
  public final List<String> manifestPuts = new ArrayList<>();

  /** Blob downloads. */
  public final AtomicInteger blobGets = new AtomicInteger();

  public FakeRegistry(String host) {
    this.host = host;
  }

  @Override
  public String host() {
    return host;
  }

  @Override
  public synchronized RawManifest getManifest(String repository, String reference)
      throws IOException {
    RawManifest m = manifests.getOrDefault(repository, Map.of()).get(reference);
    if (m == null) {
      throw new RegistryException(
          host + "/" + repository + ":" + reference + ": manifest unknown",
          404,
          "MANIFEST_UNKNOWN",
          false);
    }
    return m;
  }

  /** Whether this registry answers the OCI 1.1 referrers API (distribution 2.8 does not). */
  public volatile boolean referrersApi;

  @Override
  public synchronized Optional<RawManifest> referrers(String repository, Digest subject) {
    if (!referrersApi) {
      return Optional.empty();
    }
    List<JsonValue> listed = new ArrayList<>();
    Set<Digest> seen = new HashSet<>();
    for (RawManifest m : manifests.getOrDefault(repository, Map.of()).values()) {
      var o = (JsonObject) Json.parse(m.bytes());
      var sub = o.get("subject");
      if (sub.isPresent()
          && sub.get().toString().contains(subject.toString())
          && seen.add(m.digest())) {
        var b =
            JsonObject.builder()
                .put("mediaType", m.mediaType())
                .put("digest", m.digest().toString())
                .put("size", m.bytes().length);
        o.get("artifactType").ifPresent(a -> b.put("artifactType", a));
        listed.add(b.build());
      }
    }
    return Optional.of(
        RawManifest.of(
            Json.write(
                JsonObject.builder()
                    .put("schemaVersion", 2)
                    .put("mediaType", "application/vnd.oci.image.index.v1+json")
                    .put("manifests", new JsonArray(listed))
                    .build()),
            "application/vnd.oci.image.index.v1+json"));
  }

  @Override
  public synchronized Optional<Descriptor> headManifest(String repository, String reference) {
    RawManifest m = manifests.getOrDefault(repository, Map.of()).get(reference);
    return Optional.ofNullable(m).map(RawManifest::descriptor);
  }

  @Override
  public synchronized Digest putManifest(
      String repository, String reference, byte[] bytes, String mediaType) throws IOException {
    RawManifest m = RawManifest.of(bytes.clone(), mediaType);
    if (reference.startsWith("sha256:") && !reference.equals(m.digest().toString())) {
      throw new RegistryException("digest mismatch", 400, "DIGEST_INVALID", false);
    }
    Map<String, RawManifest> repo = manifests.computeIfAbsent(repository, r -> new HashMap<>());
    repo.put(reference, m);
    repo.put(m.digest().toString(), m);
    manifestPuts.add(repository + ":" + reference);
    return m.digest();
  }

  @Override
  public synchronized boolean hasBlob(String repository, Digest digest) {
    return repoBlobs.getOrDefault(repository, Set.of()).contains(digest);
  }

  @Override
  public synchronized InputStream getBlob(String repository, Digest digest) throws IOException {
    if (!hasBlob(repository, digest)) {
      throw new RegistryException(
          host + "/" + repository + "@" + digest + ": blob unknown", 404, "BLOB_UNKNOWN", false);
    }
    blobGets.incrementAndGet();
    return new ByteArrayInputStream(blobs.get(digest));
  }

  @Override
  public synchronized PushResult pushBlob(
      String repository, Descriptor blob, BlobContent content, List<String> mountFrom)
      throws IOException {
    Set<Digest> repo = repoBlobs.computeIfAbsent(repository, r -> new HashSet<>());
    if (repo.contains(blob.digest())) {
      return PushResult.EXISTED;
    }
    for (String from : mountFrom) {
      if (repoBlobs.getOrDefault(from, Set.of()).contains(blob.digest())) {
        repo.add(blob.digest());
        mounts.add(blob.digest());
        return PushResult.MOUNTED;
      }
    }
    byte[] bytes;
    try (InputStream in = content.open()) {
      bytes = in.readAllBytes();
    }
    Digest actual = Digest.sha256Of(bytes);
    if (!actual.equals(blob.digest()) || bytes.length != blob.size()) {
      throw new RegistryException(
          "blob upload digest mismatch: expected " + blob.digest() + ", got " + actual,
          400,
          "DIGEST_INVALID",
          false);
    }
    blobs.put(actual, bytes);
    repo.add(actual);
    uploads.add(actual);
    return PushResult.UPLOADED;
  }

  @Override
  public void close() {}
}
