package dev.slimbuild.core.run;

import dev.slimbuild.core.SlimbuildException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Paths inside a rootfs, resolved the way a process chrooted there would see them, so that a
 * symlink in an image can never make a host-side mount or file creation escape the rootfs.
 */
final class RootPaths {
  private static final int MAX_LINKS = 40;

  private RootPaths() {}

  static String checkAbsolute(String path, String what) {
    if (path == null || !path.startsWith("/")) {
      throw new IllegalArgumentException(what + " must be absolute: " + path);
    }
    for (String c : path.split("/")) {
      if (c.equals("..")) {
        throw new IllegalArgumentException(what + " must not contain '..': " + path);
      }
    }
    return path;
  }

  /**
   * {@code target} relative to the rootfs with every symlink resolved inside the rootfs ({@code ..}
   * stops at its top); missing trailing components are kept as written.
   */
  static String resolve(Path rootfs, String target) throws IOException {
    Deque<String> todo = new ArrayDeque<>(List.of(target.split("/")));
    List<String> done = new ArrayList<>();
    int links = 0;
    while (!todo.isEmpty()) {
      String c = todo.pollFirst();
      if (c.isEmpty() || c.equals(".")) {
        continue;
      }
      if (c.equals("..")) {
        if (!done.isEmpty()) {
          done.remove(done.size() - 1);
        }
        continue;
      }
      Path p = rootfs.resolve(String.join("/", done)).resolve(c);
      if (Files.isSymbolicLink(p)) {
        if (++links > MAX_LINKS) {
          throw new SlimbuildException("too many symbolic links in " + target + " in the image");
        }
        String link = Files.readSymbolicLink(p).toString();
        List<String> parts = List.of(link.split("/"));
        for (int i = parts.size() - 1; i >= 0; i--) {
          todo.addFirst(parts.get(i));
        }
        if (link.startsWith("/")) {
          done.clear();
        }
      } else {
        done.add(c);
      }
    }
    return String.join("/", done);
  }

  /**
   * Makes sure {@code target} exists inside the rootfs as a directory (or, when {@code directory}
   * is false, as a file), creating what is missing and adding each created path (relative) to
   * {@code created}.
   *
   * @return the host path of the (resolved) target
   */
  static Path ensure(Path rootfs, String target, boolean directory, List<String> created)
      throws IOException {
    String rel = resolve(rootfs, target);
    if (rel.isEmpty()) {
      return rootfs;
    }
    String[] parts = rel.split("/");
    StringBuilder sofar = new StringBuilder();
    for (int i = 0; i < parts.length; i++) {
      if (i > 0) {
        sofar.append('/');
      }
      sofar.append(parts[i]);
      Path p = rootfs.resolve(sofar.toString());
      if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
        continue;
      }
      if (i == parts.length - 1 && !directory) {
        Files.createFile(p);
      } else {
        Files.createDirectory(p);
      }
      created.add(sofar.toString());
    }
    return rootfs.resolve(rel);
  }
}
