package dev.slimbuild.core.context;

import dev.slimbuild.core.SlimbuildException;
import dev.slimbuild.core.fs.PosixModes;
import dev.slimbuild.core.layer.ArchiveExtractor;
import dev.slimbuild.core.layer.LayerPaths;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Unpacks a build context sent as a tar (plain, gzip, bzip2, xz or zstd) into a directory, as
 * {@code docker build -} and kaniko's {@code tar://} take one: directories, files with their
 * permission bits, symlinks as they are and hardlinks to earlier files. Nothing is ever written
 * outside the directory: a name that climbs out with {@code ..}, a hardlink that points out, and
 * any entry whose way goes through a symlink are refused naming the entry; absolute names are taken
 * relative to the directory. Device nodes and fifos are skipped (a context directory's are too).
 * The stream is read once.
 */
public final class ContextArchive {
  private ContextArchive() {}

  /**
   * Unpacks {@code in} into {@code dir} (an existing, empty directory). Errors are {@link
   * SlimbuildException}s that start with {@code label} (where the archive came from).
   */
  public static void extract(InputStream in, Path dir, String label) throws IOException {
    try {
      unpack(new Unreadable.Guard(in), dir, label);
    } catch (Unreadable e) {
      throw new SlimbuildException(
          label + ": not a readable tar archive (" + e.getMessage() + ")", e);
    }
  }

  /** A failure to read the archive (as opposed to writing its files). */
  private static final class Unreadable extends IOException {
    private static final long serialVersionUID = 1L;

    Unreadable(IOException cause) {
      super(cause.getMessage(), cause);
    }

    /** Marks what reading {@code in} throws as {@link Unreadable}. */
    static final class Guard extends FilterInputStream {
      Guard(InputStream in) {
        super(in);
      }

      @Override
      public int read() throws IOException {
        try {
          return super.read();
        } catch (Unreadable e) {
          throw e;
        } catch (IOException e) {
          throw new Unreadable(e);
        }
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        try {
          return super.read(b, off, len);
        } catch (Unreadable e) {
          throw e;
        } catch (IOException e) {
          throw new Unreadable(e);
        }
      }
    }
  }

  private static void unpack(InputStream raw, Path dir, String label) throws IOException {
    Map<String, Integer> dirModes = new LinkedHashMap<>();
    InputStream plain;
    try {
      plain = new Unreadable.Guard(ArchiveExtractor.open(raw));
    } catch (Unreadable e) {
      throw e;
    } catch (IOException e) { // a compressed stream whose header is damaged
      throw new Unreadable(e);
    }
    TarArchiveInputStream tar = new TarArchiveInputStream(plain, "UTF-8");
    while (true) {
      TarArchiveEntry e;
      try {
        e = tar.getNextEntry();
      } catch (IOException | IllegalArgumentException x) {
        throw new SlimbuildException(
            label + ": not a readable tar archive (" + x.getMessage() + ")", x);
      }
      if (e == null) {
        break;
      }
      String name = e.getName();
      String rel = inside(label, name, name);
      if (rel.isEmpty()) {
        if (e.isDirectory()) {
          dirModes.put(rel, e.getMode() & 0777);
        }
        continue; // the archive's "./": the directory itself
      }
      Path target = path(dir, rel, label, name);
      try {
        Files.createDirectories(target.getParent());
      } catch (FileAlreadyExistsException x) {
        throw refuse(label, name, "an earlier entry above it is not a directory");
      }
      try {
        if (e.isDirectory()) {
          clear(target, true, label, name);
          if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectory(target);
          }
          dirModes.put(rel, e.getMode() & 0777);
        } else if (e.isSymbolicLink()) {
          String link = e.getLinkName();
          if (link == null || link.isEmpty() || link.indexOf('\0') >= 0) {
            throw refuse(label, name, "symlink without a target");
          }
          clear(target, false, label, name);
          Files.createSymbolicLink(target, Path.of(link));
        } else if (e.isLink()) {
          String linkRel = inside(label, name, e.getLinkName());
          Path source = linkRel.isEmpty() ? dir : path(dir, linkRel, label, name);
          if (linkRel.equals(rel)) {
            continue; // a link to itself adds nothing
          }
          if (!Files.isRegularFile(source, LinkOption.NOFOLLOW_LINKS)) {
            throw refuse(
                label, name, "hardlink to '" + e.getLinkName() + "', which is no earlier file");
          }
          clear(target, false, label, name);
          Files.createLink(target, source);
        } else if (e.isFile()) {
          clear(target, false, label, name);
          Files.copy(new Unreadable.Guard(tar), target); // a cut-off entry: unreadable
          Files.setPosixFilePermissions(target, PosixModes.permissions(e.getMode()));
        }
        // character and block devices, fifos: skipped, as a context directory's are
      } catch (FileAlreadyExistsException x) {
        throw refuse(label, name, "its path exists already");
      }
    }
    // last, deepest first: a directory without write permission still took its entries
    List<String> dirs = new ArrayList<>(dirModes.keySet());
    dirs.sort((a, b) -> b.length() - a.length());
    for (String d : dirs) {
      Files.setPosixFilePermissions(
          d.isEmpty() ? dir : dir.resolve(d), PosixModes.permissions(dirModes.get(d) | 0700));
    }
  }

  /** The entry name as a path relative to the directory ("" for the directory itself). */
  private static String inside(String label, String entry, String name) {
    if (name == null || name.indexOf('\0') >= 0) {
      throw refuse(label, String.valueOf(entry), "invalid name");
    }
    try {
      return LayerPaths.normalizeOrRoot(name);
    } catch (IllegalArgumentException e) {
      throw refuse(label, entry, "'" + name + "' leads out of the context");
    }
  }

  /**
   * {@code dir/rel}, refusing a way through a symlink (one the archive made, there is no other).
   */
  private static Path path(Path dir, String rel, String label, String entry) {
    Path p;
    try {
      p = dir.resolve(rel);
    } catch (InvalidPathException e) {
      throw refuse(label, entry, "invalid name");
    }
    for (Path a = p.getParent(); a != null && !a.equals(dir); a = a.getParent()) {
      if (Files.isSymbolicLink(a)) {
        throw refuse(
            label,
            entry,
            "goes through the symlink '" + dir.relativize(a) + "' the archive created");
      }
    }
    return p;
  }

  /** Removes what an earlier entry left at {@code target}, unless both are directories. */
  private static void clear(Path target, boolean directory, String label, String entry)
      throws IOException {
    if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    boolean isDir = Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS);
    if (isDir && directory) {
      return;
    }
    if (isDir) {
      throw refuse(label, entry, "would replace a directory of an earlier entry");
    }
    Files.delete(target); // a symlink is removed, never followed
  }

  private static SlimbuildException refuse(String label, String entry, String why) {
    return new SlimbuildException(label + ": entry '" + entry + "' refused: " + why);
  }
}
