package dev.slimbuild.core.build;

import dev.slimbuild.compress.Compression;
import dev.slimbuild.compress.HashingOutputStream;
import dev.slimbuild.core.cache.LocalCache;
import dev.slimbuild.core.image.BlobStore;
import dev.slimbuild.core.image.BlobWriter;
import dev.slimbuild.core.image.Dirs;
import dev.slimbuild.core.layer.ContentSource;
import dev.slimbuild.core.layer.Layer;
import dev.slimbuild.core.layer.LayerEntry;
import dev.slimbuild.core.layer.LayerWriter;
import dev.slimbuild.core.oci.Digest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Writes layers into the blob store in one streaming pass each, and writes an identical layer only
 * once per build: when two platforms (or two stages) produce the same entries from the same files,
 * the second gets the first one's blob without reading or compressing anything again.
 */
final class LayerSink {
  private final BlobStore store;
  private final Compression compression;
  private final int level;
  private final long mtime;
  private final Map<String, Layer> written = new ConcurrentHashMap<>();

  LayerSink(BlobStore store, Compression compression, int level, long mtime) {
    this.store = store;
    this.compression = compression;
    this.level = level;
    this.mtime = mtime;
  }

  /** What decides a layer's bytes besides its entries, for cache keys. */
  String signature() {
    return compression.mediaType() + " level " + level + " mtime " + mtime;
  }

  /**
   * Remembers, across builds, the layer written from entries whose every content is a file unpacked
   * from a layer (immutable: its identity names its bytes): a rebuild that optimises a cached
   * step's layer into the same entries again takes the blob instead of compressing again. Under
   * {@code STORE/cache/layers/KEY.json}; a record whose blob is gone is ignored.
   */
  private Path memo;

  LayerSink memo(Path dir) {
    this.memo = dir;
    return this;
  }

  Layer write(Collection<LayerEntry> entries) throws IOException {
    Optional<String> key = key(entries);
    boolean lasting = memo != null && key.isPresent() && immutable(entries);
    if (key.isPresent()) {
      Layer seen = written.get(key.get());
      if (seen == null && lasting) {
        seen = remembered(key.get());
      }
      if (seen != null
          && store.has(seen.descriptor().digest())
          && store.size(seen.descriptor().digest()) == seen.descriptor().size()) {
        return seen;
      }
    }
    Layer layer;
    try (BlobWriter out = store.newWriter()) {
      // the blob writer hashes the compressed bytes: the layer writer hashes only the tar
      HashingOutputStream tar = LayerWriter.writeTar(entries, compression, level, mtime, out);
      layer = out.commitLayer(compression.mediaType(), Digest.sha256(tar.digest()), tar.count());
    }
    key.ifPresent(k -> written.put(k, layer));
    if (lasting) {
      remember(key.get(), layer);
    }
    return layer;
  }

  private static boolean immutable(Collection<LayerEntry> entries) {
    for (LayerEntry e : entries) {
      if (e.content() != null
          && !(e.content() instanceof ContentSource.PathSource ps && ps.timed())
          && !(e.content() instanceof ContentSource.RangeSource)) {
        return false;
      }
    }
    return true;
  }

  private Path memoFile(String key) {
    // the key covers the entries; what else decides the bytes goes in the name's hash too
    String k = Digest.sha256Of(key + "\0" + signature()).hex();
    return memo.resolve(k + ".json");
  }

  private Layer remembered(String key) {
    try {
      return LocalCache.readLayer(Files.readAllBytes(memoFile(key)));
    } catch (IOException | RuntimeException e) {
      return null; // none, or unreadable: written again
    }
  }

  private void remember(String key, Layer layer) {
    try {
      Files.createDirectories(memo);
      Dirs.writeAtomically(memoFile(key), LocalCache.layerBytes(layer));
    } catch (IOException e) {
      // a memo that cannot be written costs a later build one compression
    }
  }

  /**
   * A file's identity as this build sees it: path, size, modification time and inode. A file
   * changed in place gets another one (what the layer memo and the content digests key on).
   */
  static String identity(Path file) throws IOException {
    BasicFileAttributes a =
        Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    return file.toAbsolutePath()
        + "\0"
        + a.size()
        + "\0"
        + a.lastModifiedTime().toMillis()
        + "\0"
        + a.fileKey();
  }

  /**
   * A key that is equal for layers that would be byte-identical: every entry's metadata, and for
   * file contents the host file's identity (path, size, modification time, inode). Entries whose
   * content has no stable identity make the layer unkeyed.
   */
  private static Optional<String> key(Collection<LayerEntry> entries) throws IOException {
    MessageDigest md = Digest.newSha256();
    for (LayerEntry e : entries) {
      String meta =
          e.path()
              + '\0'
              + e.type()
              + '\0'
              + e.mode()
              + '\0'
              + e.uid()
              + '\0'
              + e.gid()
              + '\0'
              + e.size()
              + '\0'
              + e.linkTarget()
              + '\0'
              + e.xattrs()
              + '\0';
      md.update(meta.getBytes(StandardCharsets.UTF_8));
      if (e.content() != null) {
        Path file;
        String range = "";
        if (e.content() instanceof ContentSource.PathSource ps) {
          file = ps.path();
        } else if (e.content() instanceof ContentSource.RangeSource rs) {
          file = rs.file();
          range = rs.offset() + "+" + rs.size() + "\0";
        } else {
          return Optional.empty();
        }
        md.update((range + identity(file) + "\n").getBytes(StandardCharsets.UTF_8));
      }
    }
    return Optional.of(Digest.sha256(md.digest()).hex());
  }
}
