package dev.slimbuild.core.layer;

import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;

/**
 * Extended attributes in tar entries as PAX {@code SCHILY.xattr.NAME} records: what GNU tar, Go's
 * archive/tar and BuildKit write and read.
 */
final class PaxXattrs {
  private static final String PREFIX = "SCHILY.xattr.";

  private PaxXattrs() {}

  /** The attributes {@code t} carries, sorted by name (empty if none). */
  static Map<String, String> read(TarArchiveEntry t) {
    Map<String, String> xattrs = new TreeMap<>();
    for (Map.Entry<String, String> h : t.getExtraPaxHeaders().entrySet()) {
      if (h.getKey().startsWith(PREFIX)) {
        xattrs.put(h.getKey().substring(PREFIX.length()), h.getValue());
      }
    }
    return xattrs;
  }

  /** {@code e} with the attributes {@code t} carries. */
  static LayerEntry apply(TarArchiveEntry t, LayerEntry e) {
    Map<String, String> xattrs = read(t);
    return xattrs.isEmpty() ? e : e.withXattrs(xattrs);
  }

  /** Records {@code xattrs} on {@code t}. */
  static void write(Map<String, String> xattrs, TarArchiveEntry t) {
    for (Map.Entry<String, String> x : xattrs.entrySet()) {
      t.addPaxHeader(PREFIX + x.getKey(), x.getValue());
    }
  }
}
