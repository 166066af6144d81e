package dev.slimbuild.core.run;

import dev.slimbuild.core.fs.Trees;
import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A build's work directories under the temporary directory carry their owner: the name is {@code
 * PREFIX<pid>-<random>} and the directory holds {@link #LOCK}, locked while the build lives. A
 * build killed before it could clean up leaves its directories (and the overlay and layer-image
 * mounts below them, and under chroot or proot, processes); the next build {@link #sweep sweeps}
 * those whose owner is dead: a lock nobody holds, or, for a directory without a lock file, a
 * process id that no longer exists. A directory of a live build, in this JVM or another, is never
 * touched.
 */
public final class WorkDirs {
  public static final String LOCK = "owner.lock";

  /** The prefixes of the work directories slimbuild makes under the temporary directory. */
  static final List<String> PREFIXES = List.of("slimbuild-run-", "slimbuild-overlay-probe-");

  private static final Pattern NAME =
      Pattern.compile("(slimbuild-run-|slimbuild-overlay-probe-)(\\d+)-.+");

  private WorkDirs() {}

  /** A work directory and the lock that marks its owner alive. */
  public static final class Owned implements Closeable {
    private final Path dir;
    private final FileChannel channel;

    private Owned(Path dir, FileChannel channel) {
      this.dir = dir;
      this.channel = channel;
    }

    public Path dir() {
      return dir;
    }

    /** Releases the lock (after the directory is deleted). */
    @Override
    public void close() throws IOException {
      channel.close();
    }
  }

  /** A new directory {@code PREFIX<pid>-<random>} under {@code tempDir}, locked by this build. */
  public static Owned create(Path tempDir, String prefix) throws IOException {
    Files.createDirectories(tempDir);
    Path dir = Files.createTempDirectory(tempDir, prefix + ProcessHandle.current().pid() + "-");
    FileChannel ch =
        FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    try {
      ch.lock();
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
    return new Owned(dir, ch);
  }

  /** {@code PREFIX<pid>-} for an unlocked directory of this process (a short-lived probe). */
  public static String ownPrefix(String prefix) {
    return prefix + ProcessHandle.current().pid() + "-";
  }

  /**
   * Removes what killed builds left under {@code tempDir}: their processes, mounts and work
   * directories. Returns the directories removed.
   */
  public static List<Path> sweep(Path tempDir) {
    List<Path> removed = new ArrayList<>();
    if (!Files.isDirectory(tempDir)) {
      return removed;
    }
    List<Path> candidates = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(tempDir)) {
      for (Path p : ds) {
        candidates.add(p);
      }
    } catch (IOException e) {
      return removed;
    }
    for (Path p : candidates) {
      Matcher m = NAME.matcher(p.getFileName().toString());
      if (!m.matches() || !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
        continue;
      }
      long pid;
      try {
        pid = Long.parseLong(m.group(2));
      } catch (NumberFormatException e) {
        continue;
      }
      if (pid == ProcessHandle.current().pid()) {
        continue; // this JVM's own: its builds clean up after themselves
      }
      Path lock = p.resolve(LOCK);
      if (Files.exists(lock)) {
        try (FileChannel ch = FileChannel.open(lock, StandardOpenOption.WRITE)) {
          FileLock l;
          try {
            l = ch.tryLock();
          } catch (OverlappingFileLockException e) {
            continue;
          }
          if (l == null) {
            continue; // its build is alive
          }
          if (clean(p)) {
            removed.add(p);
          }
        } catch (IOException e) {
          // gone meanwhile, or not ours to open
        }
      } else if (ProcessHandle.of(pid).isEmpty() && clean(p)) {
        removed.add(p);
      }
    }
    return removed;
  }

  /**
   * Kills the processes a killed build's RUN left (their root or working directory is below {@code
   * dir}, as under chroot, or an argument names a path below it, as proot's {@code -r ROOTFS}: with
   * everything it traces), unmounts what is mounted below it, deletes it.
   */
  private static boolean names(String[] args, Path dir) {
    String prefix = dir + "/";
    for (String a : args) {
      if (a.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  private static boolean clean(Path dir) {
    Path real;
    try {
      real = dir.toRealPath();
    } catch (IOException e) {
      return false;
    }
    ProcessHandle.allProcesses()
        .filter(
            h -> {
              try {
                if (h.info().arguments().map(a -> names(a, real)).orElse(false)) {
                  return true;
                }
                Path proc = Path.of("/proc", Long.toString(h.pid()));
                return Files.readSymbolicLink(proc.resolve("root")).startsWith(real)
                    || Files.readSymbolicLink(proc.resolve("cwd")).startsWith(real);
              } catch (IOException | RuntimeException e) {
                return false;
              }
            })
        .forEach(ProcessRunner::killTree);
    try {
      List<Path> mounts = new ArrayList<>();
      for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
        String[] f = line.split(" ", 6);
        if (f.length > 4) {
          Path mp = Path.of(Overlay.unescape(f[4]));
          if (mp.startsWith(real) && !mp.equals(real)) {
            mounts.add(mp);
          }
        }
      }
      mounts.sort(Comparator.comparingInt(Path::getNameCount).reversed());
      for (Path mp : mounts) {
        Host.probe(List.of("umount", "-l", mp.toString()));
      }
      Trees.delete(dir);
      return true;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }
}
