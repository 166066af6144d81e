package dev.slimbuild.core.run;

import dev.slimbuild.core.SlimbuildException;
import dev.slimbuild.core.layer.ContentSource;
import dev.slimbuild.core.layer.EntryType;
import dev.slimbuild.core.layer.FileTree;
import dev.slimbuild.core.layer.LayerEntry;
import dev.slimbuild.core.layer.LayerPaths;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveTask;
import java.util.function.Function;

/**
 * The layer a RUN produced: one walk of the work directory compared with the {@link Rootfs} written
 * before it. Each path is compared by its stat signature (size, mtime and ctime in nanoseconds,
 * inode, mode, owner, type, link target); content is read only when nothing but the ctime changed,
 * and unchanged files are never read.
 *
 * <p>Deletions become whiteouts; a directory removed and made again becomes the directory plus an
 * opaque marker with all its current contents (OCI image-spec layer.md, "Whiteouts" and "Opaque
 * Whiteout"); a path whose type changed is simply the new entry, which replaces the old one when
 * the layer is applied. New files sharing an inode become hard links to the first of them in tar
 * order. Every changed entry comes with its parent directories as they are now.
 */
public final class Snapshot {
  private static final String OPAQUE_XATTR = "overlay.opaque";
  private static final int COMPARE_BUFFER = 64 * 1024;
  private static final int SCAN_THREADS = Math.max(2, Runtime.getRuntime().availableProcessors());

  private Snapshot() {}

  /** Like {@link #diff(Rootfs, Set, int, int)} for a RUN as root (uid and gid 0). */
  public static List<LayerEntry> diff(Rootfs before, Set<String> ignoredPaths) throws IOException {
    return diff(before, ignoredPaths, 0, 0);
  }

  /**
   * The entries of the layer for what changed in {@code before.dir()}, sorted in tar order. File
   * contents are the files in the work directory: write the layer before deleting it.
   *
   * @param ignoredPaths layer paths skipped with everything below them on both sides (files the
   *     sandbox put there: resolv.conf, hosts, mount targets)
   * @param runUid owner of files the RUN created, when the builder is not root (a root build reads
   *     owners from disk)
   * @param runGid group of files the RUN created, when the builder is not root
   */
  public static List<LayerEntry> diff(
      Rootfs before, Set<String> ignoredPaths, int runUid, int runGid) throws IOException {
    return new Walk(before, normalized(ignoredPaths), runUid, runGid).run();
  }

  /**
   * The layer of a RUN that ran on an overlay mount: {@code upper} holds exactly what the RUN
   * wrote, so only it is walked. A whiteout device becomes a whiteout, an opaque directory (the
   * {@code user.overlay.opaque} attribute of a {@code userxattr} mount) over a directory of the
   * model the directory plus its opaque marker. A path the model has, copied up but with the same
   * type, size, mtime, mode, owner and link target as the lower file, is compared by content; a
   * copied-up directory is taken only if its mode or owner changed (or as a parent). Owners are
   * read from disk where the sandbox keeps them there, else taken as the copy path does.
   *
   * @param model the stage's files before the RUN
   * @param lower where a model path is on disk below the overlay (null if nowhere)
   * @param ignoredPaths layer paths skipped with everything below them (the sandbox's files)
   * @param ownersOnDisk whether owners on disk are the image's (root); if not, a path keeps the
   *     model's owner while its owner on disk is the lower file's, and new ones get the RUN's ids
   */
  public static List<LayerEntry> diffUpper(
      Path upper,
      FileTree model,
      Function<String, Path> lower,
      Set<String> ignoredPaths,
      boolean ownersOnDisk,
      int runUid,
      int runGid)
      throws IOException {
    OverlayWalk w =
        new OverlayWalk(model, lower, normalized(ignoredPaths), ownersOnDisk, runUid, runGid);
    w.walk(upper, "", false);
    return w.finish();
  }

  private static Set<String> normalized(Set<String> paths) {
    Set<String> out = new HashSet<>();
    for (String p : paths) {
      String n = LayerPaths.normalizeOrRoot(p);
      if (!n.isEmpty()) {
        out.add(n);
      }
    }
    return out;
  }

  /**
   * One path on disk now, with what the image held there before: its model entry and its signature
   * on disk before the RUN (both null if nothing), and whether it is still the same file (whose
   * extended attributes the model keeps).
   */
  private record Node(
      String path, Path file, FileStat stat, LayerEntry model, FileStat old, boolean sameFile) {
    static Node of(String path, Path file, FileStat now, Rootfs.Item before) {
      return before == null
          ? new Node(path, file, now, null, null, false)
          : new Node(
              path,
              file,
              now,
              before.model(),
              before.stat(),
              before.stat().type() == now.type() && before.stat().inode() == now.inode());
    }
  }

  /** What the walks share: the entries found so far and how they become layer entries. */
  private abstract static class Changes {
    final Set<String> ignored;
    final boolean ownersOnDisk;
    final int runUid;
    final int runGid;
    final Map<String, Node> dirs = new HashMap<>();

    /** Files with more than one link, by inode, in tar order. */
    final Map<Long, List<Node>> linkGroups = new LinkedHashMap<>();

    /** Output by tar key (the path; a whiteout's or opaque marker's tar name). */
    final Map<String, LayerEntry> out = new HashMap<>();

    /** Files the metadata cannot decide: compared by content unless emitted anyway. */
    final List<Node> inconclusive = new ArrayList<>();

    Changes(Set<String> ignored, boolean ownersOnDisk, int runUid, int runGid) {
      this.ignored = ignored;
      this.ownersOnDisk = ownersOnDisk;
      this.runUid = runUid;
      this.runGid = runGid;
    }

    /** The layer: every entry with its parent directories, in tar order. */
    List<LayerEntry> result() {
      parents();
      List<String> keys = new ArrayList<>(out.keySet());
      keys.sort(LayerPaths.TAR_ORDER);
      List<LayerEntry> result = new ArrayList<>(keys.size());
      for (String k : keys) {
        result.add(out.get(k));
      }
      return result;
    }

    void emit(Node n) {
      out.put(n.path(), entry(n));
    }

    /** Emits each inconclusive file not yet in the layer whose bytes differ from {@code was}. */
    void compareInconclusive(Function<Node, ContentSource> was) throws IOException {
      for (Node n : inconclusive) {
        if (!out.containsKey(n.path()) && !sameContent(n.file(), was.apply(n))) {
          emit(n);
        }
      }
    }

    /** The layer entry for a path as it is on disk now. */
    LayerEntry entry(Node n) {
      FileStat now = n.stat();
      FileStat old = n.old();
      int uid;
      int gid;
      if (ownersOnDisk) {
        uid = now.uid();
        gid = now.gid();
      } else if (old != null && old.type() == now.type() && old.sameOwner(now)) {
        // the builder could not set owners: the image's owner is the model's
        uid = n.model().uid();
        gid = n.model().gid();
      } else {
        uid = runUid;
        gid = runGid;
      }
      // extended attributes are not read from disk: the same file keeps the model's
      Map<String, String> xattrs = n.sameFile() ? n.model().xattrs() : Map.of();
      try {
        switch (now.type()) {
          case DIRECTORY:
            return LayerEntry.dir(n.path(), now.mode(), uid, gid).withXattrs(xattrs);
          case SYMLINK:
            return LayerEntry.symlink(n.path(), now.linkTarget(), uid, gid).withXattrs(xattrs);
          default:
            return LayerEntry.file(
                    n.path(), now.mode(), uid, gid, now.size(), ContentSource.ofPath(n.file()))
                .withXattrs(xattrs);
        }
      } catch (IllegalArgumentException e) {
        throw new SlimbuildException("RUN created '/" + n.path() + "': " + e.getMessage(), e);
      }
    }

    /**
     * A link group with any member in the layer goes in whole: the first path carries the content,
     * the others link to it (a link's target must be in the same layer).
     */
    void linkGroups() {
      for (List<Node> group : linkGroups.values()) {
        if (group.size() < 2 || group.stream().noneMatch(m -> out.containsKey(m.path()))) {
          continue;
        }
        Node first = group.get(0);
        LayerEntry file = out.computeIfAbsent(first.path(), p -> entry(first));
        for (Node m : group.subList(1, group.size())) {
          out.put(
              m.path(),
              new LayerEntry(
                  m.path(),
                  EntryType.HARDLINK,
                  file.mode(),
                  file.uid(),
                  file.gid(),
                  0,
                  first.path(),
                  null,
                  file.xattrs()));
        }
      }
    }

    boolean isIgnored(String p) {
      if (ignored.isEmpty()) {
        return false;
      }
      for (String q = p; !q.isEmpty(); q = LayerPaths.parent(q)) {
        if (ignored.contains(q)) {
          return true;
        }
      }
      return false;
    }

    /** Parent directories of every entry, as they are now, so the layer does not reset them. */
    private void parents() {
      for (LayerEntry e : new ArrayList<>(out.values())) {
        for (String p = LayerPaths.parent(e.path()); !p.isEmpty(); p = LayerPaths.parent(p)) {
          if (out.containsKey(p)) {
            break;
          }
          Node d = dirs.get(p);
          if (d == null) {
            break;
          }
          out.put(p, entry(d));
        }
      }
    }
  }

  /** The walk of an overlay's upper directory. */
  private static final class OverlayWalk extends Changes {
    private final FileTree model;
    private final Function<String, Path> lower;

    /** Where an inconclusive file's lower copy is, found once while walking. */
    private final Map<String, Path> lowerOf = new HashMap<>();

    OverlayWalk(
        FileTree model,
        Function<String, Path> lower,
        Set<String> ignored,
        boolean ownersOnDisk,
        int runUid,
        int runGid) {
      super(ignored, ownersOnDisk, runUid, runGid);
      this.model = model;
      this.lower = lower;
    }

    void walk(Path dir, String rel, boolean underOpaque) throws IOException {
      List<Path> children = new ArrayList<>();
      try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
        for (Path p : s) {
          children.add(p);
        }
      }
      // in tar order, so the first of a link group is the one that carries the content
      children.sort(
          (a, b) ->
              LayerPaths.TAR_ORDER.compare(a.getFileName().toString(), b.getFileName().toString()));
      for (Path file : children) {
        String path = LayerPaths.join(rel, file.getFileName().toString());
        if (ignored.contains(path)) {
          continue;
        }
        FileStat now = FileStat.read(file);
        LayerEntry was = underOpaque ? null : model.get(path).orElse(null);
        if (now.type() == null) {
          if (was != null && FileStat.isWhiteout(file)) {
            LayerEntry w = LayerEntry.whiteout(path);
            out.put(w.tarName(), w);
          }
          continue; // sockets, FIFOs and devices have no layer entry
        }
        EntryType wasType =
            was == null ? null : was.type() == EntryType.HARDLINK ? EntryType.FILE : was.type();
        Path lowerFile = wasType == now.type() ? lower.apply(path) : null;
        FileStat old = lowerFile == null ? null : FileStat.read(lowerFile);
        Node n = new Node(path, file, now, old == null ? null : was, old, old != null);
        if (now.type() == EntryType.DIRECTORY) {
          dirs.put(path, n);
          boolean opaque = false;
          if (old == null) {
            emit(n);
          } else if (isOpaque(file)) {
            emit(n);
            out.put(path + "/" + LayerEntry.OPAQUE_MARKER, LayerEntry.opaque(path));
            opaque = true;
          } else if (old.mode() != now.mode() || !old.sameOwner(now)) {
            emit(n);
          }
          walk(file, path, underOpaque || opaque);
          continue;
        }
        if (now.type() == EntryType.FILE && now.nlink() > 1) {
          linkGroups.computeIfAbsent(now.inode(), k -> new ArrayList<>()).add(n);
        }
        if (old == null || !old.sameSignature(now)) {
          emit(n);
        } else if (now.type() == EntryType.FILE) {
          inconclusive.add(n); // copied up, same signature: only the bytes can tell
          lowerOf.put(path, lowerFile);
        }
      }
    }

    List<LayerEntry> finish() throws IOException {
      linkGroups();
      compareInconclusive(n -> ContentSource.ofPath(lowerOf.get(n.path())));
      return result();
    }
  }

  private static final class Walk extends Changes {
    private final Rootfs before;
    private final Set<String> seen = new HashSet<>();

    /** Directories that exist before and after as the same directory: deletions below are real. */
    private final Set<String> keptDirs = new HashSet<>();

    Walk(Rootfs before, Set<String> ignored, int runUid, int runGid) {
      super(ignored, before.ownersApplied(), runUid, runGid);
      this.before = before;
    }

    List<LayerEntry> run() throws IOException {
      List<Node> nodes = scan();
      Set<String> opaqueDirs = new HashSet<>();
      for (Node n : nodes) {
        seen.add(n.path());
        boolean underOpaque = opaqueDirs.contains(LayerPaths.parent(n.path()));
        FileStat now = n.stat();
        if (now.type() == EntryType.DIRECTORY) {
          dirs.put(n.path(), n);
          if (directory(n, underOpaque)) {
            opaqueDirs.add(n.path());
          }
        } else {
          if (now.type() == EntryType.FILE && now.nlink() > 1) {
            linkGroups.computeIfAbsent(now.inode(), k -> new ArrayList<>()).add(n);
          }
          if (underOpaque || changed(n)) {
            emit(n);
          }
        }
      }
      linkGroups();
      compareInconclusive(n -> before.content(n.path()));
      deletions();
      return result();
    }

    /**
     * Every path on disk with its signature, in tar order. The system calls dominate, so the
     * directories are listed and stat'ed in parallel; everything after is sequential.
     */
    private List<Node> scan() throws IOException {
      ForkJoinPool pool = new ForkJoinPool(SCAN_THREADS);
      try {
        return pool.invoke(new Scan(before.dir(), ""));
      } catch (UncheckedIOException e) {
        throw e.getCause();
      } finally {
        pool.shutdown();
      }
    }

    /** Lists one directory and, in subtasks, the directories below it. */
    private final class Scan extends RecursiveTask<List<Node>> {
      private final Path dir;
      private final String rel;

      Scan(Path dir, String rel) {
        this.dir = dir;
        this.rel = rel;
      }

      @Override
      protected List<Node> compute() {
        try {
          return list();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }

      private List<Node> list() throws IOException {
        List<Path> children = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
          for (Path p : s) {
            children.add(p);
          }
        }
        List<Node> mine = new ArrayList<>(children.size());
        for (Path file : children) {
          String path = LayerPaths.join(rel, file.getFileName().toString());
          if (ignored.contains(path)) {
            continue;
          }
          FileStat now = FileStat.read(file);
          if (now.type() != null) { // sockets, FIFOs and devices have no layer entry
            mine.add(Node.of(path, file, now, before.item(path)));
          }
        }
        mine.sort((a, b) -> LayerPaths.TAR_ORDER.compare(a.path(), b.path()));
        List<Scan> subs = new ArrayList<>();
        for (Node n : mine) {
          if (n.stat().type() == EntryType.DIRECTORY) {
            Scan sub = new Scan(n.file(), n.path());
            sub.fork();
            subs.add(sub);
          }
        }
        if (subs.isEmpty()) {
          return mine;
        }
        List<Node> all = new ArrayList<>(mine.size() * 2);
        int next = 0;
        for (Node n : mine) {
          all.add(n);
          if (n.stat().type() == EntryType.DIRECTORY) {
            all.addAll(subs.get(next++).join());
          }
        }
        return all;
      }
    }

    /** Handles a directory; returns whether its lower-layer contents are hidden (opaque). */
    private boolean directory(Node n, boolean underOpaque) {
      FileStat now = n.stat();
      FileStat old = n.old();
      boolean wasDir = old != null && old.type() == EntryType.DIRECTORY;
      if (underOpaque || !wasDir) {
        emit(n); // new, or replacing a non-directory: nothing of the old one lies below
        return underOpaque;
      }
      if (old.inode() != now.inode()) {
        // removed and made again: the lower layers' contents must not show through
        emit(n);
        out.put(n.path() + "/" + LayerEntry.OPAQUE_MARKER, LayerEntry.opaque(n.path()));
        return true;
      }
      keptDirs.add(n.path());
      if (old.mode() != now.mode() || !old.sameOwner(now)) {
        emit(n);
      }
      return false;
    }

    /** Whether a file or symlink that is not under an opaque directory changed. */
    private boolean changed(Node n) {
      FileStat now = n.stat();
      FileStat old = n.old();
      if (old == null || old.type() != now.type()) {
        return true;
      }
      if (old.inode() != now.inode() || !old.sameSignature(now)) {
        return true;
      }
      if (now.type() == EntryType.SYMLINK) {
        return false;
      }
      if (old.ctimeNanos() != now.ctimeNanos()) {
        // same size and mtime, yet touched: content written with the mtime restored, a link
        // added or removed, attributes set back... only the bytes can tell
        inconclusive.add(n);
      }
      return false;
    }

    /** A whiteout for every path gone from a directory that is still the same directory. */
    private void deletions() {
      for (String p : before.paths()) {
        if (seen.contains(p) || isIgnored(p)) {
          continue;
        }
        String parent = LayerPaths.parent(p);
        if (parent.isEmpty() || keptDirs.contains(parent)) {
          LayerEntry w = LayerEntry.whiteout(p);
          out.put(w.tarName(), w);
        }
      }
    }
  }

  /** Whether the overlay marked directory {@code dir} opaque ({@code user.overlay.opaque=y}). */
  static boolean isOpaque(Path dir) throws IOException {
    UserDefinedFileAttributeView v =
        Files.getFileAttributeView(
            dir, UserDefinedFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
    if (v == null || !v.list().contains(OPAQUE_XATTR)) {
      return false;
    }
    ByteBuffer b = ByteBuffer.allocate(v.size(OPAQUE_XATTR));
    v.read(OPAQUE_XATTR, b);
    b.flip();
    return b.remaining() == 1 && b.get() == 'y';
  }

  /** Whether {@code file} holds exactly the bytes of {@code source}, read side by side. */
  static boolean sameContent(Path file, ContentSource source) throws IOException {
    if (source == null) {
      return false;
    }
    InputStream old;
    try {
      old = source.open();
    } catch (IOException e) {
      return false; // the earlier content is gone: taking the file is always correct
    }
    try (InputStream a = Files.newInputStream(file);
        InputStream b = old) {
      byte[] x = new byte[COMPARE_BUFFER];
      byte[] y = new byte[COMPARE_BUFFER];
      while (true) {
        int n = a.readNBytes(x, 0, x.length);
        int m = b.readNBytes(y, 0, y.length);
        if (n != m || !Arrays.equals(x, 0, n, y, 0, m)) {
          return false;
        }
        if (n < x.length) {
          return true;
        }
      }
    }
  }
}
