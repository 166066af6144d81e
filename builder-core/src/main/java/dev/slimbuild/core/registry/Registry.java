package dev.slimbuild.core.registry;

import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;

/**
 * One registry host (e.g. {@code registry.example.com:5000}) as slimbuild needs it. Repositories
 * are paths on that host ({@code team/app}); references are tags or digests ({@code 1}, {@code
 * sha256:...}). Manifests travel as exact bytes: a manifest's digest is always the hash of the
 * bytes given or received. Failures are {@link RegistryException}s (an {@link IOException}) that
 * carry the HTTP status and say whether retrying can help; no message ever contains a secret.
 */
public interface Registry extends AutoCloseable {

  /** The host[:port] this client talks to. */
  String host();

  /**
   * The manifest or index at {@code reference} (tag or digest) of {@code repository}, accepting OCI
   * and Docker v2 manifests and indexes. A digest reference is verified against the bytes.
   *
   * @throws RegistryException with status 404 if there is none
   */
  RawManifest getManifest(String repository, String reference) throws IOException;

  /** The descriptor (media type, digest, size) of the manifest at {@code reference}, if any. */
  Optional<Descriptor> headManifest(String repository, String reference) throws IOException;

  /**
   * Puts {@code bytes} as the manifest at {@code reference} (a tag, or the bytes' own digest);
   * returns the digest of the bytes.
   */
  Digest putManifest(String repository, String reference, byte[] bytes, String mediaType)
      throws IOException;

  /**
   * The OCI 1.1 referrers API's answer for {@code subject}: the index it returns, or empty when the
   * registry has no such API (a 404; the caller then reads the fallback tag {@code sha256-HEX}).
   */
  default Optional<RawManifest> referrers(String repository, Digest subject) throws IOException {
    return Optional.empty();
  }

  /** Whether the blob is in {@code repository}. */
  boolean hasBlob(String repository, Digest digest) throws IOException;

  /**
   * Opens the blob as the registry sends it (following redirects); the caller verifies the digest
   * while reading.
   */
  InputStream getBlob(String repository, Digest digest) throws IOException;

  /**
   * Makes {@code blob} present in {@code repository}: nothing if it is there already, else a
   * cross-repository mount from one of {@code mountFrom} (repositories on this host that have it),
   * else an upload of {@code content} (chunked for large blobs). Retries what can be retried.
   */
  PushResult pushBlob(
      String repository, Descriptor blob, BlobContent content, List<String> mountFrom)
      throws IOException;

  /**
   * Checks, before a build, that {@code repository} takes pushes: the registry answers and accepts
   * these credentials for push (an upload session is opened and cancelled at once; nothing is
   * written). Registries that cannot tell answer as if they could.
   */
  default void checkPush(String repository) throws IOException {}

  /** How {@link #pushBlob} made a blob present. */
  enum PushResult {
    EXISTED,
    MOUNTED,
    UPLOADED
  }

  /** A blob's bytes, opened once per upload attempt. */
  @FunctionalInterface
  interface BlobContent {
    InputStream open() throws IOException;
  }

  @Override
  void close() throws IOException;
}
