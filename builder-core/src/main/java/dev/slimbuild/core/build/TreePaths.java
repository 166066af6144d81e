package dev.slimbuild.core.build;

import dev.slimbuild.core.SlimbuildException;
import dev.slimbuild.core.layer.EntryType;
import dev.slimbuild.core.layer.FileTree;
import dev.slimbuild.core.layer.LayerEntry;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.Optional;

/** Path resolution inside an image's file tree, following its symlinks as the kernel would. */
final class TreePaths {
  private static final int MAX_LINKS = 40;

  private TreePaths() {}

  /** Cleans an absolute or relative path against {@code cwd} into a layer path ("" = root). */
  static String absolute(String cwd, String path) {
    String joined = path.startsWith("/") ? path : cwd + "/" + path;
    Deque<String> out = new ArrayDeque<>();
    for (String seg : joined.split("/")) {
      if (seg.isEmpty() || seg.equals(".")) {
        continue;
      }
      if (seg.equals("..")) {
        out.pollLast();
      } else {
        out.addLast(seg);
      }
    }
    return String.join("/", out);
  }

  /**
   * {@code path} with every symlink among its components resolved inside the tree ({@code
   * followLast} decides for the last component). Absolute targets are relative to the tree root;
   * nothing can climb above it.
   */
  static String resolve(FileTree tree, String path, boolean followLast) {
    Deque<String> todo = new ArrayDeque<>(Arrays.asList(split(path)));
    Deque<String> done = new ArrayDeque<>();
    int links = 0;
    while (!todo.isEmpty()) {
      String seg = todo.pollFirst();
      if (seg.isEmpty() || seg.equals(".")) {
        continue;
      }
      if (seg.equals("..")) {
        done.pollLast();
        continue;
      }
      String candidate = done.isEmpty() ? seg : String.join("/", done) + "/" + seg;
      Optional<LayerEntry> e = tree.get(candidate);
      boolean last = todo.isEmpty();
      if (e.isPresent() && e.get().type() == EntryType.SYMLINK && (!last || followLast)) {
        if (++links > MAX_LINKS) {
          throw new SlimbuildException("too many levels of symbolic links at /" + candidate);
        }
        String target = e.get().linkTarget();
        String[] parts = split(target);
        if (target.startsWith("/")) {
          done.clear();
        }
        for (int i = parts.length - 1; i >= 0; i--) {
          todo.addFirst(parts[i]);
        }
      } else {
        done.addLast(seg);
      }
    }
    return String.join("/", done);
  }

  private static String[] split(String p) {
    return p.isEmpty() ? new String[0] : p.split("/");
  }
}
