package dev.slimbuild.core.build;

import dev.slimbuild.core.cache.CacheKey;
import dev.slimbuild.core.layer.ContentSource;
import dev.slimbuild.core.layer.LayerEntry;
import dev.slimbuild.core.oci.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The content part of COPY/ADD and bind-mount cache keys: every selected entry's path, type, mode,
 * owner, link target, extended attributes and the SHA-256 of its bytes, never a file's times. One
 * build hashes each file once, whatever the platforms and steps that read it.
 */
final class ContentDigests {
  private final Map<String, Digest> byFile = new ConcurrentHashMap<>();

  /** Adds {@code entries} (as a copy from an empty tree would make them) to {@code key}. */
  void add(CacheKey key, List<LayerEntry> entries) throws IOException {
    key.add(entries.size());
    for (LayerEntry e : entries) {
      key.add(e.path())
          .add(e.type().name())
          .add(e.mode())
          .add(e.uid())
          .add(e.gid())
          .add(e.size())
          .add(e.linkTarget())
          .addAll(e.xattrs());
      if (e.content() != null) {
        key.add(of(e.content()));
      }
    }
  }

  private Digest of(ContentSource c) throws IOException {
    if (c instanceof ContentSource.PathSource ps) {
      // a file changed meanwhile is hashed again
      String id = LayerSink.identity(ps.path());
      Digest d = byFile.get(id);
      if (d == null) {
        d = hash(c);
        byFile.put(id, d);
      }
      return d;
    }
    return hash(c);
  }

  private static Digest hash(ContentSource c) throws IOException {
    MessageDigest md = Digest.newSha256();
    byte[] buf = new byte[1 << 16];
    try (InputStream in = c.open()) {
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
    }
    return Digest.sha256(md.digest());
  }
}
