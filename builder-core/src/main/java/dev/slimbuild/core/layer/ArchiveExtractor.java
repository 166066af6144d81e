package dev.slimbuild.core.layer;

import dev.slimbuild.compress.Compression;
import dev.slimbuild.compress.Decompressors;
import dev.slimbuild.core.SlimbuildException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.tukaani.xz.XZInputStream;

/**
 * Unpacks a local tar archive for ADD (plain, gzip, bzip2, xz or zstd) into layer entries under a
 * destination directory. The archive is read once; file contents are staged as files in a directory
 * the caller owns. Hostile archives are refused with a {@link SlimbuildException} naming the entry:
 * ".." escaping the destination, writes through a symlink the archive created, hardlinks to outside
 * or to nothing earlier, device nodes and fifos, whiteout names, sizes above the limit or beyond
 * the bytes present. Absolute entry names are taken relative to the destination, as Docker does.
 */
public final class ArchiveExtractor {
  /** Largest single entry accepted unless configured otherwise: 64 GiB. */
  static final long DEFAULT_MAX_ENTRY_SIZE = 64L << 30;

  private static final int BUFFER = 256 * 1024;

  /** Archive formats ADD unpacks. */
  public enum Format {
    TAR,
    GZIP,
    BZIP2,
    XZ,
    ZSTD
  }

  private final Path stagingDir;
  private final long maxEntrySize;
  private int staged;

  /** Stages contents in {@code stagingDir} (an existing directory the caller owns and deletes). */
  public ArchiveExtractor(Path stagingDir) {
    this(stagingDir, DEFAULT_MAX_ENTRY_SIZE);
  }

  /** Like {@link #ArchiveExtractor(Path)} with a limit on the declared size of one entry. */
  public ArchiveExtractor(Path stagingDir, long maxEntrySize) {
    this.stagingDir = stagingDir;
    this.maxEntrySize = maxEntrySize;
  }

  /**
   * The format of {@code file} when it is a tar archive (possibly compressed), empty when ADD
   * should copy it as it is. Reads only its first bytes.
   */
  public static Optional<Format> detect(Path file) throws IOException {
    try (BufferedInputStream in = new BufferedInputStream(Files.newInputStream(file), BUFFER)) {
      Format f = sniff(in);
      try (InputStream tar = decompress(in, f)) {
        byte[] head = new byte[512];
        int n = tar.readNBytes(head, 0, head.length);
        return TarArchiveInputStream.matches(head, n) ? Optional.of(f) : Optional.empty();
      } catch (IOException e) {
        return Optional.empty(); // compressed, but not something we can read: copy it as it is
      }
    }
  }

  /**
   * {@code in} as a plain tar stream: decompressed when it starts like gzip, bzip2, xz or zstd
   * (sniffed from its first bytes), else as it is. Closing the result closes {@code in}.
   */
  public static InputStream open(InputStream in) throws IOException {
    BufferedInputStream buffered = new BufferedInputStream(in, BUFFER);
    return decompress(buffered, sniff(buffered));
  }

  private static Format sniff(BufferedInputStream in) throws IOException {
    in.mark(8);
    byte[] h = in.readNBytes(6);
    in.reset();
    int n = h.length;
    if (n >= 3 && h[0] == 'B' && h[1] == 'Z' && h[2] == 'h') {
      return Format.BZIP2;
    }
    if (n >= 6
        && (h[0] & 0xff) == 0xfd
        && h[1] == '7'
        && h[2] == 'z'
        && h[3] == 'X'
        && h[4] == 'Z'
        && h[5] == 0) {
      return Format.XZ;
    }
    switch (Decompressors.sniff(h, n)) {
      case ZSTD:
        return Format.ZSTD;
      case GZIP:
        return Format.GZIP;
      default:
        return Format.TAR;
    }
  }

  private static InputStream decompress(InputStream in, Format f) throws IOException {
    switch (f) {
      case GZIP:
        return new GZIPInputStream(in, BUFFER); // reads concatenated members too
      case BZIP2:
        return new BZip2CompressorInputStream(in, true);
      case XZ:
        return new XZInputStream(in); // reads concatenated streams too
      case ZSTD:
        return Decompressors.open(in, Compression.ZSTD);
      default:
        return in;
    }
  }

  /**
   * Extracts {@code archive} as entries below {@code destDir} (a layer path; "" or "/" for the
   * root), in archive order, a later entry for the same path replacing the earlier one.
   */
  public List<LayerEntry> extract(Path archive, String destDir) throws IOException {
    String dest = LayerPaths.normalizeOrRoot(destDir);
    String label = "ADD " + archive.getFileName();
    Map<String, LayerEntry> entries = new LinkedHashMap<>();
    Set<String> symlinks = new HashSet<>();
    try (BufferedInputStream raw = new BufferedInputStream(Files.newInputStream(archive), BUFFER);
        TarArchiveInputStream tar =
            new TarArchiveInputStream(decompress(raw, sniff(raw)), "UTF-8")) {
      while (true) {
        TarArchiveEntry t;
        try {
          t = tar.getNextEntry();
        } catch (IOException | IllegalArgumentException e) {
          throw new SlimbuildException(label + ": corrupt archive: " + e.getMessage(), e);
        }
        if (t == null) {
          break;
        }
        String name = t.getName();
        String rel = relative(label, name);
        if (rel.isEmpty()) {
          continue; // the archive's "./": the destination itself exists already
        }
        checkNoSymlinkOnTheWay(label, name, rel, symlinks);
        if (LayerPaths.name(rel).startsWith(LayerEntry.WHITEOUT_PREFIX)) {
          throw refuse(label, name, "whiteout names (.wh.*) are not allowed in ADD archives");
        }
        LayerEntry e = toEntry(label, t, name, rel, dest, tar, entries, symlinks);
        String path = LayerPaths.join(dest, rel);
        entries.remove(path); // keep archive order for the replacement
        entries.put(path, e);
        if (e.type() == EntryType.SYMLINK) {
          symlinks.add(rel);
        } else {
          symlinks.remove(rel);
        }
      }
    }
    List<LayerEntry> out = new ArrayList<>(entries.values());
    try {
      TarLayerWriter.plan(out); // a path below a file, for example
    } catch (IllegalArgumentException e) {
      throw new SlimbuildException(label + ": " + e.getMessage(), e);
    }
    return out;
  }

  private LayerEntry toEntry(
      String label,
      TarArchiveEntry t,
      String name,
      String rel,
      String dest,
      TarArchiveInputStream tar,
      Map<String, LayerEntry> entries,
      Set<String> symlinks)
      throws IOException {
    String path = LayerPaths.join(dest, rel);
    int mode = t.getMode() & 07777;
    int uid = id(label, name, t.getLongUserId());
    int gid = id(label, name, t.getLongGroupId());
    LayerEntry e;
    if (t.isDirectory()) {
      e = LayerEntry.dir(path, mode, uid, gid);
    } else if (t.isSymbolicLink()) {
      String target = t.getLinkName();
      if (target == null || target.isEmpty() || target.indexOf('\0') >= 0) {
        throw refuse(label, name, "symlink without a target");
      }
      e = LayerEntry.symlink(path, target, uid, gid);
    } else if (t.isLink()) {
      String target = relative(label, t.getLinkName());
      checkNoSymlinkOnTheWay(label, name, target, symlinks);
      LayerEntry linked = entries.get(LayerPaths.join(dest, target));
      if (target.isEmpty()
          || linked == null
          || (linked.type() != EntryType.FILE && linked.type() != EntryType.HARDLINK)) {
        throw refuse(
            label, name, "hardlink to '" + t.getLinkName() + "', which is no earlier file");
      }
      e = LayerEntry.hardlink(path, LayerPaths.join(dest, target), mode, uid, gid);
    } else if (t.isCharacterDevice() || t.isBlockDevice() || t.isFIFO()) {
      throw refuse(label, name, "device nodes and fifos are not allowed");
    } else if (t.isFile()) {
      long size = t.getSize();
      if (size < 0 || size > maxEntrySize) {
        throw refuse(label, name, "size " + size + " is above the limit of " + maxEntrySize);
      }
      Path staged = stage(label, name, size, tar);
      e = LayerEntry.file(path, mode, uid, gid, size, ContentSource.ofPath(staged));
    } else {
      throw refuse(label, name, "unsupported entry type '" + (char) t.getLinkFlag() + "'");
    }
    return PaxXattrs.apply(t, e);
  }

  private Path stage(String label, String name, long size, InputStream tar) throws IOException {
    Path file = stagingDir.resolve(String.format("%08d", ++staged));
    byte[] buf = new byte[(int) Math.min(BUFFER, Math.max(size, 1))];
    long left = size;
    try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW)) {
      while (left > 0) {
        int n;
        try {
          n = tar.read(buf, 0, (int) Math.min(buf.length, left));
        } catch (IOException e) {
          throw refuse(label, name, "archive ends inside the entry (" + e.getMessage() + ")");
        }
        if (n < 0) {
          throw refuse(
              label,
              name,
              "declares " + size + " bytes but the archive holds only " + (size - left));
        }
        out.write(buf, 0, n);
        left -= n;
      }
    }
    return file;
  }

  /** The entry name relative to the destination; ".." that climbs out is refused. */
  private static String relative(String label, String name) {
    if (name == null || name.indexOf('\0') >= 0) {
      throw refuse(label, String.valueOf(name), "invalid name");
    }
    try {
      return LayerPaths.normalizeOrRoot(name);
    } catch (IllegalArgumentException e) {
      throw refuse(label, name, "escapes the destination");
    }
  }

  private static void checkNoSymlinkOnTheWay(
      String label, String name, String rel, Set<String> symlinks) {
    String p = LayerPaths.parent(rel);
    while (!p.isEmpty()) {
      if (symlinks.contains(p)) {
        throw refuse(label, name, "goes through the symlink '" + p + "' created by the archive");
      }
      p = LayerPaths.parent(p);
    }
  }

  private static int id(String label, String name, long id) {
    if (id < 0 || id > Integer.MAX_VALUE) {
      throw refuse(label, name, "uid/gid " + id + " out of range");
    }
    return (int) id;
  }

  private static SlimbuildException refuse(String label, String name, String why) {
    return new SlimbuildException(label + ": entry '" + name + "' refused: " + why);
  }
}
