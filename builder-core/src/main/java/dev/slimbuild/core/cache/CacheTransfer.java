package dev.slimbuild.core.cache;

import dev.slimbuild.core.image.BlobStore;
import dev.slimbuild.core.image.BlobWriter;
import dev.slimbuild.core.image.Dirs;
import dev.slimbuild.core.layer.Layer;
import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.core.oci.ImageReference;
import dev.slimbuild.core.oci.MediaType;
import dev.slimbuild.core.oci.OciLayoutHeader;
import dev.slimbuild.core.registry.RawManifest;
import dev.slimbuild.core.registry.Registry;
import dev.slimbuild.core.registry.RegistryException;
import dev.slimbuild.json.Json;
import dev.slimbuild.json.JsonArray;
import dev.slimbuild.json.JsonObject;
import dev.slimbuild.json.JsonValue;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Moves a cache ({@link CacheContents}) to and from a registry tag or an OCI layout directory. Only
 * the manifest and the config are read on import; layer blobs stay where they are until a step
 * needs their files or an output their bytes.
 */
public final class CacheTransfer {
  private CacheTransfer() {}

  /** Where the bytes of a layer blob that is not in the local store come from, for an export. */
  @FunctionalInterface
  public interface RemoteBlobs {
    InputStream open(Layer layer) throws IOException;
  }

  /**
   * The cache at {@code ref} in {@code registry}, its layers' bytes in that repository; empty when
   * the tag does not exist. Anything else that is wrong is an exception the caller turns into a
   * warning.
   */
  public static CacheContents pull(Registry registry, ImageReference ref) throws IOException {
    RawManifest m;
    try {
      m = registry.getManifest(ref.repository(), ref.tagOrLatest());
    } catch (RegistryException e) {
      if (e.status() == 404) {
        return CacheContents.EMPTY;
      }
      throw e;
    }
    Descriptor config = CacheContents.configOf(m.bytes());
    byte[] bytes;
    try (InputStream in = registry.getBlob(ref.repository(), config.digest())) {
      bytes = readVerified(in, config);
    }
    return CacheContents.parse(bytes).from(ref.registry() + "/" + ref.repository());
  }

  /**
   * Pushes {@code contents} to {@code ref}: each layer blob made present (already there, mounted
   * from the repository it came from, or uploaded from the store or {@code remote}), then the
   * config, then the manifest under the tag.
   */
  public static void push(
      Registry registry,
      ImageReference ref,
      CacheContents contents,
      BlobStore store,
      RemoteBlobs remote)
      throws IOException {
    String repo = ref.repository();
    for (Layer l : contents.layers()) {
      List<String> mountFrom = new ArrayList<>();
      l.sourceRepository()
          .ifPresent(
              s -> {
                String host = registry.host() + "/";
                if (s.startsWith(host)) {
                  mountFrom.add(s.substring(host.length()));
                }
              });
      Descriptor blob = l.descriptor();
      registry.pushBlob(
          repo,
          blob,
          () -> store.has(blob.digest()) ? store.open(blob.digest()) : remote.open(l),
          mountFrom);
    }
    byte[] config = contents.config();
    Descriptor c = Descriptor.of(CacheContents.CONFIG_TYPE, Digest.sha256Of(config), config.length);
    registry.pushBlob(repo, c, () -> new ByteArrayInputStream(config), List.of());
    registry.putManifest(repo, ref.tagOrLatest(), contents.manifest(c), MediaType.OCI_MANIFEST);
  }

  /** The cache in the OCI layout {@code dir}; empty when it has none yet. */
  public static CacheContents readLayout(Path dir) throws IOException {
    Path index = dir.resolve("index.json");
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(index);
    } catch (NoSuchFileException e) {
      return CacheContents.EMPTY;
    }
    JsonObject o = Records.object(Json.parse(bytes), "index.json");
    List<JsonValue> manifests = Records.array(o, "manifests");
    if (manifests.isEmpty()) {
      return CacheContents.EMPTY;
    }
    JsonObject d = Records.object(manifests.get(0), "manifests[0]");
    Descriptor m =
        Descriptor.of(
            Records.string(d, "mediaType"),
            Digest.parse(Records.string(d, "digest")),
            Records.number(d, "size"));
    byte[] manifest = readLayoutBlob(dir, m);
    Descriptor config = CacheContents.configOf(manifest);
    return CacheContents.parse(readLayoutBlob(dir, config)).from(layoutSource(dir));
  }

  /** How a layer read from the layout {@code dir} names where its bytes are. */
  static String layoutSource(Path dir) {
    return "oci-layout://" + dir.toAbsolutePath().normalize();
  }

  /** The layout directory of a layer's source, if it came from one. */
  static Optional<Path> layoutDir(Layer l) {
    return l.sourceRepository()
        .filter(s -> s.startsWith("oci-layout://"))
        .map(s -> Path.of(s.substring("oci-layout://".length())));
  }

  /** Copies a layer of a layout cache into {@code store}, verifying its digest. */
  static void importLayoutBlob(Layer l, BlobStore store) throws IOException {
    Path dir = layoutDir(l).orElseThrow();
    Descriptor b = l.descriptor();
    if (store.has(b.digest())) {
      return;
    }
    try (InputStream in = Files.newInputStream(blobPath(dir, b.digest()));
        BlobWriter w = store.newWriter()) {
      in.transferTo(w);
      w.commit(b.digest());
    }
  }

  /**
   * Writes {@code contents} as the OCI layout {@code dir}: blobs first, then index.json by rename,
   * so a reader sees the old cache or the new one.
   */
  public static void writeLayout(
      Path dir, CacheContents contents, BlobStore store, RemoteBlobs remote) throws IOException {
    Files.createDirectories(dir.resolve("blobs").resolve("sha256"));
    for (Layer l : contents.layers()) {
      Path p = blobPath(dir, l.descriptor().digest());
      if (Files.isRegularFile(p) && Files.size(p) == l.descriptor().size()) {
        continue;
      }
      try (InputStream in =
          store.has(l.descriptor().digest())
              ? store.open(l.descriptor().digest())
              : remote.open(l)) {
        Dirs.writeAtomically(p, in);
      }
    }
    byte[] config = contents.config();
    Descriptor c = Descriptor.of(CacheContents.CONFIG_TYPE, Digest.sha256Of(config), config.length);
    Dirs.writeAtomically(blobPath(dir, c.digest()), config);
    byte[] manifest = contents.manifest(c);
    Digest md = Digest.sha256Of(manifest);
    Dirs.writeAtomically(blobPath(dir, md), manifest);
    Dirs.writeAtomically(dir.resolve("oci-layout"), OciLayoutHeader.V1.toBytes());
    JsonObject desc =
        Descriptor.of(MediaType.OCI_MANIFEST, md, manifest.length)
            .withAnnotations(Map.of("org.opencontainers.image.ref.name", "cache"))
            .toJson();
    byte[] index =
        Json.write(
            JsonObject.builder()
                .put("schemaVersion", 2)
                .put("mediaType", MediaType.OCI_INDEX)
                .put("manifests", new JsonArray(List.of(desc)))
                .build());
    Dirs.writeAtomically(dir.resolve("index.json"), index);
  }

  private static Path blobPath(Path dir, Digest d) {
    return dir.resolve("blobs").resolve(d.algorithm()).resolve(d.hex());
  }

  private static byte[] readLayoutBlob(Path dir, Descriptor d) throws IOException {
    try (InputStream in = Files.newInputStream(blobPath(dir, d.digest()))) {
      return readVerified(in, d);
    }
  }

  private static byte[] readVerified(InputStream in, Descriptor d) throws IOException {
    if (d.size() > CacheContents.MAX_CONFIG) {
      throw new IOException(
          "cache document "
              + d.digest()
              + " is "
              + d.size()
              + " bytes, more than the "
              + CacheContents.MAX_CONFIG
              + " slimbuild reads");
    }
    byte[] bytes = in.readNBytes((int) d.size() + 1);
    if (bytes.length != d.size()) {
      throw new IOException(
          "cache document "
              + d.digest()
              + " is "
              + bytes.length
              + " bytes, its descriptor says "
              + d.size());
    }
    MessageDigest md = d.digest().newHasher();
    if (!Digest.of(d.digest().algorithm(), md.digest(bytes)).equals(d.digest())) {
      throw new IOException("cache document " + d.digest() + " does not match its digest");
    }
    return bytes;
  }
}
