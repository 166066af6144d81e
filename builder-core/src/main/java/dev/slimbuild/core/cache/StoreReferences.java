package dev.slimbuild.core.cache;

import dev.slimbuild.core.image.BlobStore;
import dev.slimbuild.core.image.BuiltImage;
import dev.slimbuild.core.image.LocalStore;
import dev.slimbuild.core.image.StoredImages;
import dev.slimbuild.core.layer.Layer;
import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.Digest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What uses the blobs and unpacked layers of a local store: its named images (their index,
 * manifests, configs and layers, and the layers' diff_ids) and its cache records (their layers).
 */
final class StoreReferences {
  /** The blobs and diff_ids the named images use. */
  final Set<Digest> imageBlobs = new HashSet<>();

  final Set<Digest> imageDiffIds = new HashSet<>();

  /** The blobs and diff_ids the cache records name. */
  final Set<Digest> recordBlobs = new HashSet<>();

  final Set<Digest> recordDiffIds = new HashSet<>();

  private StoreReferences() {}

  /** The images' references only. */
  static StoreReferences images(LocalStore store) throws IOException {
    StoreReferences r = new StoreReferences();
    for (LocalStore.Entry e : store.list()) {
      r.addImage(store.blobs(), e.descriptor());
    }
    return r;
  }

  /** The images' references and the records' ({@code entries}, the store's records). */
  static StoreReferences of(LocalStore store, List<LocalCache.Entry> entries) throws IOException {
    StoreReferences r = images(store);
    for (LocalCache.Entry e : entries) {
      for (Layer l : e.layers()) {
        r.recordBlobs.add(l.descriptor().digest());
        r.recordDiffIds.add(l.diffId());
      }
    }
    return r;
  }

  /** Whether an image or a record uses the blob {@code d}. */
  boolean usesBlob(Digest d) {
    return imageBlobs.contains(d) || recordBlobs.contains(d);
  }

  /** Whether an image or a record uses a layer whose diff_id is {@code d}. */
  boolean usesDiffId(Digest d) {
    return imageDiffIds.contains(d) || recordDiffIds.contains(d);
  }

  /** Adds the blobs the image {@code top} uses; a damaged one adds what can be seen of it. */
  private void addImage(BlobStore blobs, Descriptor top) {
    imageBlobs.add(top.digest());
    walk(blobs, top, imageBlobs, imageDiffIds);
  }

  /**
   * Adds the manifests, configs and layers of the image {@code top} to {@code blobs} and its
   * layers' diff_ids to {@code diffIds}; a damaged image adds what can be seen of it.
   */
  static void walk(BlobStore store, Descriptor top, Set<Digest> blobs, Set<Digest> diffIds) {
    try {
      for (BuiltImage i : StoredImages.load(store, top).images()) {
        blobs.add(i.descriptor().digest());
        blobs.add(i.manifest().value().config().digest());
        for (Descriptor l : i.layers()) {
          blobs.add(l.digest());
        }
        diffIds.addAll(i.config().value().diffIds());
      }
    } catch (IOException | RuntimeException ex) {
      // a damaged image keeps what it can be seen to use
    }
  }

  /** The blobs of {@code store}, by digest (sha256 only: the store writes no other). */
  static List<Digest> blobs(LocalStore store) throws IOException {
    return hexNames(store.blobs().root().resolve("blobs").resolve("sha256"));
  }

  /** The unpacked layers of {@code store}, by diff_id. */
  static List<Digest> unpacked(LocalStore store) throws IOException {
    return hexNames(unpackedRoot(store).resolve("sha256"));
  }

  static Path unpackedRoot(LocalStore store) {
    return store.root().resolve("unpacked");
  }

  /** Where the unpacked layer {@code diffId} of {@code store} is. */
  static Path unpacked(LocalStore store, Digest diffId) {
    return unpackedRoot(store).resolve(diffId.algorithm()).resolve(diffId.hex());
  }

  private static List<Digest> hexNames(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .map(f -> f.getFileName().toString())
          .filter(n -> n.matches("[0-9a-f]{64}"))
          .sorted()
          .map(n -> new Digest("sha256", n))
          .toList();
    }
  }
}
