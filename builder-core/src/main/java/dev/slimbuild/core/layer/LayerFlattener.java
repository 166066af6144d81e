package dev.slimbuild.core.layer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * The files an image holds, merged from its layers with whiteouts applied, streamed to a {@link
 * Sink} (a tar, or a directory): what {@code --output type=tar} and {@code type=local} write.
 *
 * <p>Two passes over the layers, never a copy: the first reads only the headers and works out, for
 * every path, which layer's entry survives; the second streams each surviving entry's bytes from
 * its layer. Entries come out layer by layer, bottom first, each layer in its own order, so a
 * hardlink follows its target and a directory usually precedes its contents.
 */
public final class LayerFlattener {
  private LayerFlattener() {}

  /** The layers, bottom first; each blob may be compressed in any supported way. */
  public interface Layers {
    int count();

    InputStream open(int index) throws IOException;
  }

  /** Receives the surviving entries; a FILE's content is readable only during the call. */
  public interface Sink {
    void accept(LayerEntry entry, long mtimeEpochSeconds) throws IOException;
  }

  private static final ContentSource NOT_READ =
      () -> {
        throw new IOException("layer content read during the header pass");
      };

  /** Streams the merged files of {@code layers} into {@code sink}. */
  @SuppressWarnings("IdentityHashMapUsage") // entries are told apart by identity, not value
  public static void flatten(Layers layers, Sink sink) throws IOException {
    FileTree tree = new FileTree();
    Map<LayerEntry, Integer> origin = new IdentityHashMap<>();
    for (int i = 0; i < layers.count(); i++) {
      List<LayerEntry> entries = new ArrayList<>();
      try (LayerReader r = new LayerReader(layers.open(i))) {
        for (LayerEntry e = r.next(); e != null; e = r.next()) {
          LayerEntry meta =
              e.type() == EntryType.FILE
                  ? new LayerEntry(
                      e.path(),
                      e.type(),
                      e.mode(),
                      e.uid(),
                      e.gid(),
                      e.size(),
                      null,
                      NOT_READ,
                      e.xattrs())
                  : e;
          entries.add(meta);
          origin.put(meta, i);
        }
      }
      tree.apply(entries);
    }
    Map<String, Integer> winners = new HashMap<>();
    for (LayerEntry e : tree.walk("")) {
      Integer layer = origin.get(e);
      if (layer == null) {
        sink.accept(e, 0); // a parent no layer names: made as tar extraction would make it
      } else {
        winners.put(e.path(), layer);
      }
    }
    for (int i = 0; i < layers.count(); i++) {
      try (LayerReader r = new LayerReader(layers.open(i))) {
        for (LayerEntry e = r.next(); e != null; e = r.next()) {
          Integer w = e.isMarker() ? null : winners.get(e.path());
          if (w != null && w == i) {
            sink.accept(e, r.lastModified());
          }
        }
      }
    }
  }

  /**
   * A sink writing a tar to {@code out} (left open), every name under {@code prefix} ("" or {@code
   * "dir/"}). Call {@link TarSink#finish()} at the end.
   */
  public static TarSink tarSink(OutputStream out, String prefix) {
    return new TarSink(TarLayerWriter.open(out), prefix);
  }

  /** Writes entries as tar records; several flattenings may share one (different prefixes). */
  public static final class TarSink implements Sink {
    private final TarArchiveOutputStream tar;
    private String prefix;

    TarSink(TarArchiveOutputStream tar, String prefix) {
      this.tar = tar;
      this.prefix = prefix;
    }

    /** The prefix of the entries that follow (a directory entry for it is written now). */
    public void prefix(String prefix, long mtimeEpochSeconds) throws IOException {
      this.prefix = prefix;
      if (!prefix.isEmpty()) {
        TarArchiveEntry t =
            TarLayerWriter.header(
                LayerEntry.dir(prefix.substring(0, prefix.length() - 1), 0755, 0, 0),
                mtimeEpochSeconds);
        tar.putArchiveEntry(t);
        tar.closeArchiveEntry();
      }
    }

    @Override
    public void accept(LayerEntry e, long mtime) throws IOException {
      TarArchiveEntry t = TarLayerWriter.header(e, mtime);
      t.setName(prefix + e.tarName());
      if (e.type() == EntryType.HARDLINK) {
        t.setLinkName(prefix + e.linkTarget());
      }
      tar.putArchiveEntry(t);
      if (e.type() == EntryType.FILE) {
        try (InputStream in = e.content().open()) {
          long copied = in.transferTo(tar);
          if (copied != e.size()) {
            throw new IOException(
                "'" + e.path() + "': " + copied + " bytes, header says " + e.size());
          }
        }
      }
      tar.closeArchiveEntry();
    }

    /** Ends the archive (the underlying stream stays open). */
    public void finish() throws IOException {
      tar.finish();
      tar.flush();
    }
  }

  /**
   * A sink writing the files into the directory {@code root}: owners kept when {@code owners}
   * (running as root), modes and times kept, nothing written through a symlink. Call {@link
   * DirSink#finish()} at the end: directories get their modes and times last.
   */
  public static DirSink dirSink(Path root, boolean owners) {
    return new DirSink(root, owners);
  }

  /** Writes entries as files under a directory. */
  public static final class DirSink implements Sink {
    private final Path root;
    private final boolean owners;
    private final List<Object[]> dirs = new ArrayList<>();

    DirSink(Path root, boolean owners) {
      this.root = root;
      this.owners = owners;
    }

    @Override
    public void accept(LayerEntry e, long mtime) throws IOException {
      Path target = root.resolve(e.path());
      Path parent = target.getParent();
      checkNoSymlinkOnTheWay(parent, e);
      Files.createDirectories(parent);
      if (e.type() == EntryType.DIRECTORY) {
        if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
          Files.deleteIfExists(target);
          Files.createDirectory(target);
        }
        owner(target, e);
        dirs.add(new Object[] {target, e.mode(), mtime});
        return;
      }
      if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
        throw new FileAlreadyExistsException(
            target
                + " (a directory; the image has a "
                + e.type().name().toLowerCase(Locale.ROOT)
                + " there)");
      }
      Files.deleteIfExists(target);
      switch (e.type()) {
        case FILE -> {
          try (InputStream in = e.content().open()) {
            Files.copy(in, target);
          }
          owner(target, e);
          mode(target, e.mode());
          Files.setLastModifiedTime(target, FileTime.from(mtime, TimeUnit.SECONDS));
        }
        case SYMLINK -> {
          Files.createSymbolicLink(target, Path.of(e.linkTarget()));
          owner(target, e);
        }
        case HARDLINK -> {
          Path to = root.resolve(e.linkTarget());
          checkNoSymlinkOnTheWay(to.getParent(), e);
          Files.createLink(target, to);
        }
        default -> throw new IllegalStateException(e.type().name());
      }
    }

    /** Gives directories their modes and times, deepest first (a read-only one last). */
    public void finish() throws IOException {
      for (int i = dirs.size() - 1; i >= 0; i--) {
        Object[] d = dirs.get(i);
        Path p = (Path) d[0];
        mode(p, (Integer) d[1]);
        Files.setLastModifiedTime(p, FileTime.from((Long) d[2], TimeUnit.SECONDS));
      }
    }

    private void owner(Path p, LayerEntry e) throws IOException {
      if (owners) {
        Files.setAttribute(p, "unix:uid", e.uid(), LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(p, "unix:gid", e.gid(), LinkOption.NOFOLLOW_LINKS);
      }
    }

    private void checkNoSymlinkOnTheWay(Path dir, LayerEntry e) throws IOException {
      for (Path p = dir; p != null && p.startsWith(root) && !p.equals(root); p = p.getParent()) {
        if (Files.isSymbolicLink(p)) {
          throw new IOException(
              "'" + e.path() + "': refusing to write through the symlink " + root.relativize(p));
        }
      }
    }
  }

  /**
   * Gives {@code p} the layer's mode: the permission bits and the setuid, setgid and sticky bits (a
   * {@code /tmp} of 1777 stays one, as tar and buildx's local exporter keep it).
   */
  private static void mode(Path p, int mode) throws IOException {
    Files.setAttribute(p, "unix:mode", mode & 07777);
  }
}
