package dev.slimbuild.core.run;

import dev.slimbuild.core.SlimbuildException;
import dev.slimbuild.core.layer.ContentSource;
import dev.slimbuild.core.layer.EntryType;
import dev.slimbuild.core.layer.LayerEntry;
import dev.slimbuild.core.layer.LayerPaths;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
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

/**
 * The layer a RUN produced: one walk of the work directory compared with the {@link Rootfs}
 * written before it. Each path is compared by its stat signature (size, mtime and ctime in
 * nanoseconds, inode, mode, owner, type, link target); content is read only when nothing but the
 * ctime changed, and unchanged files are never read.
 *
 * <p>Deletions become whiteouts; a directory removed and made again becomes the directory plus an
 * opaque marker with all its current contents (OCI image-spec layer.md, "Whiteouts" and "Opaque
 * Whiteout"); a path whose type changed is simply the new entry, which replaces the old one when
 * the layer is applied. New files sharing an inode become hard links to the first of them in tar
 * order. Every changed entry comes with its parent directories as they are now.
 */
public final class Snapshot {
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
    Set<String> ignored = new HashSet<>();
    for (String p : ignoredPaths) {
      String n = LayerPaths.normalizeOrRoot(p);
      if (!n.isEmpty()) {
        ignored.add(n);
      }
    }
    return new Walk(before, ignored, runUid, runGid).run();
  }

  /** One path on disk now, with what was written there before (null if nothing). */
  private record Node(String path, Path file, FileStat stat, Rootfs.Item before) {}

  private static final class Walk {
    private final Rootfs before;
    private final Set<String> ignored;
    private final int runUid;
    private final int runGid;
    private final Set<String> seen = new HashSet<>();
    /** Directories that exist before and after as the same directory: deletions below are real. */
    private final Set<String> keptDirs = new HashSet<>();
    private final Map<String, Node> dirs = new HashMap<>();
    /** Files with more than one link, by inode, in tar order. */
    private final Map<Long, List<Node>> linkGroups = new LinkedHashMap<>();
    /** Files whose ctime alone changed: compared by content unless emitted anyway. */
    private final List<Node> inconclusive = new ArrayList<>();
    /** Output by tar key (the path; a whiteout's or opaque marker's tar name). */
    private final Map<String, LayerEntry> out = new HashMap<>();

    Walk(Rootfs before, Set<String> ignored, int runUid, int runGid) {
      this.before = before;
      this.ignored = ignored;
      this.runUid = runUid;
      this.runGid = runGid;
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
      for (Node n : inconclusive) {
        if (!out.containsKey(n.path())
            && !sameContent(n.file(), before.content(n.path()))) {
          emit(n);
        }
      }
      deletions();
      parents();
      List<String> keys = new ArrayList<>(out.keySet());
      keys.sort(TarOrder.PATHS);
      List<LayerEntry> result = new ArrayList<>(keys.size());
      for (String k : keys) {
        result.add(out.get(k));
      }
      return result;
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
            mine.add(new Node(path, file, now, before.item(path)));
          }
        }
        mine.sort((a, b) -> TarOrder.compare(a.path(), b.path()));
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
      FileStat old = n.before() == null ? null : n.before().stat();
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
      if (n.before() == null || n.before().stat().type() != now.type()) {
        return true;
      }
      FileStat old = n.before().stat();
      if (old.inode() != now.inode()
          || old.mtimeNanos() != now.mtimeNanos()
          || old.size() != now.size()
          || old.mode() != now.mode()
          || !old.sameOwner(now)) {
        return true;
      }
      if (now.type() == EntryType.SYMLINK) {
        return !old.linkTarget().equals(now.linkTarget());
      }
      if (old.ctimeNanos() != now.ctimeNanos()) {
        // same size and mtime, yet touched: content written with the mtime restored, a link
        // added or removed, attributes set back... only the bytes can tell
        inconclusive.add(n);
      }
      return false;
    }

    private void emit(Node n) {
      out.put(n.path(), entry(n));
    }

    /** The layer entry for a path as it is on disk now. */
    private LayerEntry entry(Node n) {
      FileStat now = n.stat();
      Rootfs.Item old = n.before();
      int uid;
      int gid;
      if (before.ownersApplied()) {
        uid = now.uid();
        gid = now.gid();
      } else if (old != null && old.stat().type() == now.type() && old.stat().sameOwner(now)) {
        // the builder could not set owners: the image's owner is the model's
        uid = old.model().uid();
        gid = old.model().gid();
      } else {
        uid = runUid;
        gid = runGid;
      }
      // extended attributes are not read from disk: the same inode keeps the model's
      Map<String, String> xattrs =
          old != null && old.stat().type() == now.type() && old.stat().inode() == now.inode()
              ? old.model().xattrs()
              : Map.of();
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
    private void linkGroups() {
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

    private boolean isIgnored(String p) {
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
