package dev.slimbuild.core.run;

import dev.slimbuild.core.fs.Privileges;
import dev.slimbuild.core.fs.Trees;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An overlayfs mount for one RUN: read-only lower directories (never written: what the RUN changes
 * is copied up), an upper directory that ends up holding exactly what the RUN wrote, deleted
 * ({@link FileStat#isWhiteout whiteout} devices) or replaced (opaque directories), and the merged
 * view the sandbox runs in. Mounted with {@code userxattr} so opaque markers are {@code user.}
 * attributes this JVM can read, and without metacopy, index or redirects so every copied-up file
 * holds its whole content and a renamed lower directory is copied, not redirected.
 */
public final class Overlay implements Closeable {
  /** Mount data is at most a page; leave room for the fixed options. */
  private static final int MAX_OPTIONS = 3800;

  /** Mounts not yet unmounted: a build stopped by a signal unmounts them on its way out. */
  private static final Set<Path> ACTIVE = ConcurrentHashMap.newKeySet();

  /**
   * Lazily unmounts every overlay still mounted: for a build stopped by a signal, before it deletes
   * its work directories (the build's shutdown hook calls this first).
   */
  public static void unmountAll() {
    for (Path m : List.copyOf(ACTIVE)) {
      if (ACTIVE.remove(m)) {
        Host.probe(List.of("umount", "-l", m.toString()));
      }
    }
  }

  private final Path merged;
  private boolean mounted;

  private Overlay(Path merged) {
    this.merged = merged;
    this.mounted = true;
    track(merged);
  }

  /** The merged view: the root filesystem the sandbox gets. */
  public Path merged() {
    return merged;
  }

  /**
   * Mounts {@code lowers} (topmost first) under {@code upper} at {@code merged}; {@code work} is
   * overlayfs's scratch directory (empty, on the upper's filesystem).
   */
  public static Overlay mount(List<Path> lowers, Path upper, Path work, Path merged)
      throws IOException {
    String options = options(lowers, upper, work);
    if (options == null) {
      throw new IOException("overlay options do not fit or name an unusable path: " + lowers);
    }
    Host.mustRun(List.of("mount", "-t", "overlay", "overlay", "-o", options, merged.toString()));
    return new Overlay(merged);
  }

  /** Whether {@code lowers}, {@code upper} and {@code work} can be one mount's options. */
  public static boolean fits(List<Path> lowers, Path upper, Path work) {
    return options(lowers, upper, work) != null;
  }

  private static String options(List<Path> lowers, Path upper, Path work) {
    String lowerdir = lowerdir(lowers);
    if (lowerdir == null || !usable(upper.toString()) || !usable(work.toString())) {
      return null;
    }
    String o =
        lowerdir
            + ",upperdir="
            + upper
            + ",workdir="
            + work
            + ",userxattr,metacopy=off,index=off,volatile";
    return o.length() <= MAX_OPTIONS ? o : null;
  }

  /** {@code lowerdir=A:B:...}, or null when a directory cannot be named in mount options. */
  private static String lowerdir(List<Path> lowers) {
    List<String> names = new ArrayList<>();
    for (Path p : lowers) {
      if (!usable(p.toString())) {
        return null;
      }
      names.add(p.toString());
    }
    return "lowerdir=" + String.join(":", names);
  }

  /** Mount options separate by commas and lower directories by colons; no escaping here. */
  private static boolean usable(String path) {
    return path.startsWith("/")
        && path.chars().noneMatch(c -> c == ',' || c == ':' || c == '\\' || c < ' ');
  }

  /**
   * The command prefix that mounts the overlay in a new user and mount namespace (the builder
   * mapped to root there, as overlayfs allows since Linux 5.11) and then execs its arguments (the
   * sandbox's command) inside: the way a builder that is not root runs on an overlay. The mount
   * goes away with the namespace, when the command ends.
   */
  public static List<String> inUserNamespace(
      List<Path> lowers, Path upper, Path work, Path merged) {
    String options = options(lowers, upper, work);
    if (options == null) {
      throw new IllegalArgumentException("overlay options do not fit: " + lowers);
    }
    return List.of(
        Host.which("unshare").orElseThrow().toString(),
        "--user",
        "--map-root-user",
        "--mount",
        "--",
        "/bin/sh",
        "-c",
        "\"$0\" -t overlay overlay -o \"$1\" \"$2\" || exit 125; shift 2; exec \"$@\"",
        Host.which("mount").orElseThrow().toString(),
        options,
        merged.toString());
  }

  /**
   * Null when this process (root) can run RUNs on overlay mounts under {@code scratch} (an empty
   * directory on the work directories' filesystem, deleted afterwards), else why not. It mounts a
   * small overlay, deletes a file and replaces a directory through it and checks the whiteout and
   * the opaque marker it finds in the upper directory: CAP_SYS_ADMIN, a kernel with {@code
   * userxattr} (5.11+) and user extended attributes on the upper filesystem are all needed.
   */
  public static String unavailable(Path scratch) {
    return Trees.deletingAfter(
        scratch, () -> Privileges.isRoot() ? probe(scratch, false) : "not root");
  }

  /**
   * Null when this process (not root) can run RUNs on overlay mounts in a user namespace (see
   * {@link #inUserNamespace}), else why not; probed like {@link #unavailable}.
   */
  public static String unavailableInUserNamespace(Path scratch) {
    return Trees.deletingAfter(
        scratch, () -> Host.which("unshare").isEmpty() ? "no unshare(1)" : probe(scratch, true));
  }

  private static String probe(Path scratch, boolean userNamespace) {
    if (Host.which("mount").isEmpty() || Host.which("umount").isEmpty()) {
      return "no mount(8)";
    }
    try {
      Path lower = Files.createDirectories(scratch.resolve("l/d"));
      Files.writeString(lower.resolve("f"), "f");
      Files.writeString(scratch.resolve("l/g"), "g");
      Path upper = Files.createDirectory(scratch.resolve("u"));
      Path work = Files.createDirectory(scratch.resolve("w"));
      Path merged = Files.createDirectory(scratch.resolve("m"));
      List<Path> lowers = List.of(scratch.resolve("l"));
      if (!fits(lowers, upper, work)) {
        return "the work directory's path " + scratch + " cannot be named in mount options";
      }
      if (userNamespace) {
        List<String> cmd = new ArrayList<>(inUserNamespace(lowers, upper, work, merged));
        cmd.addAll(
            List.of(
                "/bin/sh",
                "-c",
                "rm \"$0/d/f\" && rmdir \"$0/d\" && mkdir \"$0/d\" && rm \"$0/g\"",
                merged.toString()));
        String refused = Host.probe(cmd);
        if (refused != null) {
          return "overlay in a user namespace failed: " + refused;
        }
      } else {
        try (Overlay o = mount(lowers, upper, work, merged)) {
          Path d = o.merged().resolve("d");
          Files.delete(d.resolve("f"));
          Files.delete(d);
          Files.createDirectory(d);
          Files.delete(o.merged().resolve("g"));
        }
      }
      if (!FileStat.isWhiteout(upper.resolve("g"))) {
        return "the overlay's upper directory did not record a deletion as a whiteout";
      }
      if (!Snapshot.isOpaque(upper.resolve("d"))) {
        return "opaque directories are not marked with user extended attributes";
      }
      return null;
    } catch (IOException | RuntimeException e) {
      return "overlay probe failed: " + e.getMessage();
    }
  }

  /** Unmounts; lazily if something still holds the mount (a process the sandbox left behind). */
  @Override
  public void close() throws IOException {
    if (!mounted) {
      return;
    }
    mounted = false;
    unmount(merged);
  }

  /** Records a mount this build made, for {@link #unmountAll}. */
  static void track(Path mountPoint) {
    ACTIVE.add(mountPoint);
  }

  /** Unmounts a tracked mount; lazily if something still holds it. */
  static void unmount(Path mountPoint) throws IOException {
    ACTIVE.remove(mountPoint);
    String refused = Host.probe(List.of("umount", mountPoint.toString()));
    if (refused != null) {
      String lazy = Host.probe(List.of("umount", "-l", mountPoint.toString()));
      if (lazy != null && isMountPoint(mountPoint)) {
        throw new IOException("cannot unmount " + mountPoint + ": " + lazy);
      }
    }
  }

  /** Whether something is mounted at {@code dir} in this process's mount namespace. */
  static boolean isMountPoint(Path dir) throws IOException {
    String want = dir.toAbsolutePath().normalize().toString();
    for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
      String[] f = line.split(" ", 6);
      if (f.length > 4 && unescape(f[4]).equals(want)) {
        return true;
      }
    }
    return false;
  }

  /** A mountinfo path: space, tab, newline and backslash are written as octal escapes. */
  static String unescape(String s) {
    if (s.indexOf('\\') < 0) {
      return s;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < b.length; i++) {
      if (b[i] == '\\'
          && i + 3 < b.length
          && isOctal(b[i + 1])
          && isOctal(b[i + 2])
          && isOctal(b[i + 3])) {
        out.write((b[i + 1] - '0') * 64 + (b[i + 2] - '0') * 8 + (b[i + 3] - '0'));
        i += 3;
      } else {
        out.write(b[i]);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static boolean isOctal(byte c) {
    return c >= '0' && c <= '7';
  }

  /**
   * Mounts {@code lowers} (topmost first, at least two) read-only at {@code merged}: the merged
   * view of a stack of layer images, itself the lower directory of the RUNs' overlays.
   */
  public static Overlay mountReadOnly(List<Path> lowers, Path merged) throws IOException {
    String lowerdir = lowerdir(lowers);
    if (lowerdir == null) {
      throw new IOException(
          "overlay lower directories cannot be named in mount options: " + lowers);
    }
    String o = lowerdir + ",userxattr";
    if (lowers.size() < 2 || o.length() > MAX_OPTIONS) {
      throw new IOException("a read-only overlay needs 2 to a page of lower directories");
    }
    Host.mustRun(List.of("mount", "-t", "overlay", "overlay", "-o", o, merged.toString()));
    return new Overlay(merged);
  }
}
