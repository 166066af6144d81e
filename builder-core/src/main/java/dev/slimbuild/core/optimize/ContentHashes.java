package dev.slimbuild.core.optimize;

import dev.slimbuild.core.layer.ContentSource;
import dev.slimbuild.core.oci.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.Map;

/**
 * SHA-256 of file contents, each content source hashed at most once per build: a base-image file is
 * a path in the unpacked-layer cache and a context file a path in the context, so equal sources are
 * the same bytes.
 */
final class ContentHashes {
  private final Map<ContentSource, byte[]> hashes = new HashMap<>();
  private long hashedBytes;

  synchronized byte[] of(ContentSource source, long size) throws IOException {
    byte[] h = hashes.get(source);
    if (h == null) {
      MessageDigest md = Digest.newSha256();
      byte[] buf = new byte[64 * 1024];
      long total = 0;
      try (InputStream in = source.open()) {
        for (int n; (n = in.read(buf)) > 0; ) {
          md.update(buf, 0, n);
          total += n;
        }
      }
      if (total != size) {
        throw new IOException(
            "content changed while being compared: expected " + size + " bytes, got " + total);
      }
      h = md.digest();
      hashes.put(source, h);
      hashedBytes += total;
    }
    return h;
  }

  /** Bytes read for hashing so far (each source counted once). */
  synchronized long hashedBytes() {
    return hashedBytes;
  }
}
