package dev.slimbuild.core.run;

import dev.slimbuild.core.fs.Copy;
import dev.slimbuild.core.fs.Parallel;
import dev.slimbuild.core.fs.Privileges;
import dev.slimbuild.core.layer.ContentSource;
import dev.slimbuild.core.layer.EntryType;
import dev.slimbuild.core.layer.FileTree;
import dev.slimbuild.core.layer.LayerEntry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;

/**
 * Writes a stage's {@link FileTree} to a work directory for a RUN. Files are always copied, never
 * hard-linked to their source: the command may change them in place. Owners are set only when the
 * builder runs as root; otherwise they stay in the returned {@link Rootfs} so the snapshot can
 * write the image's owners, not the builder's.
 */
public final class RootfsWriter {

  private final boolean asRoot;
  private final FileTime mtime;

  /** A writer that sets owners on disk when {@code asRoot}, and leaves them to the model if not. */
  public RootfsWriter(boolean asRoot) {
    this(asRoot, 0);
  }

  /**
   * A writer that also gives what it writes the time {@code mtime} (seconds since the epoch), the
   * time the image's layers record for the files a build added: a RUN sees that time, never the
   * build context's or the moment the file was written. A file unpacked from a layer keeps the time
   * its layer records.
   */
  public RootfsWriter(boolean asRoot, long mtime) {
    this.asRoot = asRoot;
    this.mtime = FileTime.from(Instant.ofEpochSecond(mtime));
  }

  /** Sets {@code p}'s times (not its link target's) to {@code time}. */
  public static void setTime(Path p, FileTime time) throws IOException {
    Files.getFileAttributeView(p, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
        .setTimes(time, time, null);
  }

  /** A writer for the user this process runs as. */
  public static RootfsWriter forCurrentUser() {
    return new RootfsWriter(Privileges.isRoot());
  }

  /**
   * Writes {@code tree} to {@code workDir} (created if missing, must be empty) and records every
   * written path with its stat signature.
   */
  public Rootfs materialise(FileTree tree, Path workDir) throws IOException {
    List<LayerEntry> entries = write(tree, workDir, false);
    // signatures last: filling a directory and every chmod change its times
    LinkedHashMap<String, Rootfs.Item> items = new LinkedHashMap<>(entries.size() * 2);
    for (LayerEntry e : entries) {
      if (e.isMarker()) {
        continue;
      }
      items.put(e.path(), new Rootfs.Item(e, FileStat.read(workDir.resolve(e.path()))));
    }
    return new Rootfs(workDir, asRoot, items);
  }

  /**
   * Writes {@code tree} to {@code lowerDir} (created if missing, must be empty) as the read-only
   * lower directory of an overlay: a file whose content already is a regular file on disk with the
   * entry's mode (and owner, as root) is hard-linked, not copied (the overlay copies it up before
   * anything could write it); any other file is copied. Nothing is recorded: the overlay's upper
   * directory tells what a RUN changed.
   */
  public void writeLower(FileTree tree, Path lowerDir) throws IOException {
    write(tree, lowerDir, true);
  }

  private List<LayerEntry> write(FileTree tree, Path workDir, boolean link) throws IOException {
    Files.createDirectories(workDir);
    try (DirectoryStream<Path> s = Files.newDirectoryStream(workDir)) {
      if (s.iterator().hasNext()) {
        throw new IOException("work directory " + workDir + " is not empty");
      }
    }
    List<LayerEntry> entries = tree.walk("");
    Map<String, LayerEntry> byPath = new HashMap<>(entries.size() * 2);
    // directories by depth (a parent before its children), then files and symlinks, then hard
    // links (their targets exist by then), then directory modes, deepest first; each group is
    // written by several threads
    TreeMap<Integer, List<LayerEntry>> dirs = new TreeMap<>();
    List<LayerEntry> leaves = new ArrayList<>();
    List<LayerEntry> links = new ArrayList<>();
    for (LayerEntry e : entries) {
      byPath.put(e.path(), e);
      switch (e.type()) {
        case DIRECTORY:
          dirs.computeIfAbsent(depth(e.path()), k -> new ArrayList<>()).add(e);
          break;
        case FILE:
        case SYMLINK:
          leaves.add(e);
          break;
        case HARDLINK:
          links.add(e);
          break;
        default:
          break; // a merged tree holds no whiteouts
      }
    }
    Object dev = Files.getAttribute(workDir, "unix:dev");
    ExecutorService pool = Parallel.pool(Parallel.FILE_THREADS, "slimbuild-rootfs");
    try {
      for (List<LayerEntry> level : dirs.values()) {
        Parallel.each(
            pool,
            level,
            e -> {
              // created with the umask's owner bits so it can be filled; its mode is set at the end
              Path p = workDir.resolve(e.path());
              Files.createDirectory(p);
              chown(p, e);
            });
      }
      Parallel.each(
          pool,
          leaves,
          e -> {
            Path p = workDir.resolve(e.path());
            if (e.type() == EntryType.SYMLINK) {
              Files.createSymbolicLink(p, Path.of(e.linkTarget()));
              chown(p, e);
              setTime(p, mtime);
            } else if (!(link && linked(e, p, dev))) {
              copy(e, p);
              chown(p, e);
              chmod(p, e.mode()); // after chown, which clears setuid/setgid
              setTime(p, timeOf(e));
            }
          });
      for (LayerEntry e : links) {
        Files.createLink(workDir.resolve(e.path()), workDir.resolve(linkedFile(e, byPath).path()));
      }
      for (List<LayerEntry> level : dirs.descendingMap().values()) {
        Parallel.each(
            pool,
            level,
            d -> {
              Path p = workDir.resolve(d.path());
              chmod(p, d.mode());
              setTime(p, mtime);
            });
      }
    } finally {
      pool.shutdownNow();
    }
    return entries;
  }

  private static int depth(String path) {
    int n = 0;
    for (int i = 0; i < path.length(); i++) {
      if (path.charAt(i) == '/') {
        n++;
      }
    }
    return n;
  }

  /**
   * Hard-links {@code e}'s content file at {@code target} if it already is what {@code e} says and
   * lies on the file system {@code dev} of the directory being written.
   */
  private boolean linked(LayerEntry e, Path target, Object dev) throws IOException {
    if (!(e.content() instanceof ContentSource.PathSource ps) || !ps.timed()) {
      return false; // a context file or a RUN's output has a time of its own: copied, then timed
    }
    Path source = ((ContentSource.PathSource) e.content()).path();
    Map<String, Object> a;
    try {
      a = Files.readAttributes(source, "unix:dev,mode,uid,gid,size", LinkOption.NOFOLLOW_LINKS);
    } catch (IOException ex) {
      return false;
    }
    int mode = (Integer) a.get("mode");
    if (!dev.equals(a.get("dev"))
        || (mode & 0170000) != 0100000
        || (mode & 07777) != e.mode()
        || (asRoot && ((Integer) a.get("uid") != e.uid() || (Integer) a.get("gid") != e.gid()))
        || (Long) a.get("size") != e.size()) {
      return false;
    }
    try {
      Files.createLink(target, source);
      return true;
    } catch (IOException ex) {
      return false; // the link count is at its limit: copy
    }
  }

  /** The time a copied file gets: its layer's, when its source has it; else the build's. */
  private FileTime timeOf(LayerEntry e) throws IOException {
    if (e.content() instanceof ContentSource.PathSource ps && ps.timed()) {
      return Files.getLastModifiedTime(ps.path());
    }
    return mtime;
  }

  private static LayerEntry linkedFile(LayerEntry link, Map<String, LayerEntry> byPath)
      throws IOException {
    LayerEntry e = link.linkRoot(byPath::get);
    if (e == null || e.type() != EntryType.FILE) {
      throw new IOException(
          "hardlink '" + link.path() + "' points to '" + link.linkTarget() + "', not a file");
    }
    return e;
  }

  private static void copy(LayerEntry e, Path target) throws IOException {
    long copied;
    if (e.content() instanceof ContentSource.PathSource) {
      // the kernel copies (sendfile/copy_file_range); never a link: RUN may write in place
      Path source = ((ContentSource.PathSource) e.content()).path();
      copied = Copy.range(source, 0, -1, target);
    } else if (e.content() instanceof ContentSource.RangeSource) {
      // a file inside a layer image: the kernel copies the range
      ContentSource.RangeSource r = (ContentSource.RangeSource) e.content();
      copied = Copy.range(r.file(), r.offset(), r.size(), target);
    } else {
      try (InputStream in = e.content().open()) {
        copied = Files.copy(in, target);
      }
    }
    if (copied != e.size()) {
      throw new IOException(
          "'" + e.path() + "': content is " + copied + " bytes, the layer says " + e.size());
    }
  }

  /**
   * Copies {@code size} bytes (-1: to the end) of {@code source} from {@code from} to a new file.
   */
  private void chown(Path p, LayerEntry e) throws IOException {
    if (asRoot) {
      Files.setAttribute(p, "unix:uid", e.uid(), LinkOption.NOFOLLOW_LINKS);
      Files.setAttribute(p, "unix:gid", e.gid(), LinkOption.NOFOLLOW_LINKS);
    }
  }

  private static void chmod(Path p, int mode) throws IOException {
    Files.setAttribute(p, "unix:mode", mode);
  }
}
