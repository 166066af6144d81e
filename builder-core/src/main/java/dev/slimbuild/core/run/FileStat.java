package dev.slimbuild.core.run;

import dev.slimbuild.core.layer.EntryType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A cheap stat signature of one path (one {@code lstat}, plus {@code readlink} for a symlink): what
 * the snapshot compares before it would ever read content.
 *
 * @param type FILE, DIRECTORY or SYMLINK; null for sockets, FIFOs and devices
 * @param size length in bytes
 * @param mtimeNanos modification time in nanoseconds since the epoch
 * @param ctimeNanos status change time in nanoseconds since the epoch
 * @param inode inode number
 * @param nlink hard link count
 * @param mode permission bits with setuid/setgid/sticky ({@code 07777} at most)
 * @param uid owner user id on disk
 * @param gid owner group id on disk
 * @param linkTarget a symlink's target as read back, else null
 */
public record FileStat(
    EntryType type,
    long size,
    long mtimeNanos,
    long ctimeNanos,
    long inode,
    int nlink,
    int mode,
    int uid,
    int gid,
    String linkTarget) {

  // Only the attributes we need: "unix:*" would also resolve user and group names.
  private static final String ATTRIBUTES =
      "unix:mode,ino,nlink,uid,gid,size,lastModifiedTime,ctime";
  private static final int S_IFMT = 0170000;
  private static final int S_IFDIR = 0040000;
  private static final int S_IFREG = 0100000;
  private static final int S_IFLNK = 0120000;
  private static final int S_IFCHR = 0020000;

  /** Reads the signature of {@code path} without following a symlink. */
  static FileStat read(Path path) throws IOException {
    Map<String, Object> a = Files.readAttributes(path, ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
    int raw = (Integer) a.get("mode");
    EntryType type;
    switch (raw & S_IFMT) {
      case S_IFDIR:
        type = EntryType.DIRECTORY;
        break;
      case S_IFREG:
        type = EntryType.FILE;
        break;
      case S_IFLNK:
        type = EntryType.SYMLINK;
        break;
      default:
        type = null;
    }
    String target = type == EntryType.SYMLINK ? Files.readSymbolicLink(path).toString() : null;
    return new FileStat(
        type,
        (Long) a.get("size"),
        nanos((FileTime) a.get("lastModifiedTime")),
        nanos((FileTime) a.get("ctime")),
        (Long) a.get("ino"),
        (Integer) a.get("nlink"),
        raw & 07777,
        (Integer) a.get("uid"),
        (Integer) a.get("gid"),
        target);
  }

  /** Whether {@code path} is an overlayfs whiteout: a character device numbered 0/0. */
  public static boolean isWhiteout(Path path) throws IOException {
    Map<String, Object> a = Files.readAttributes(path, "unix:mode,rdev", LinkOption.NOFOLLOW_LINKS);
    return ((Integer) a.get("mode") & S_IFMT) == S_IFCHR && (Long) a.get("rdev") == 0L;
  }

  private static long nanos(FileTime t) {
    return t.to(TimeUnit.NANOSECONDS);
  }

  /**
   * Whether {@code other} has this stat's cheap signature: modification time (ns), size, mode,
   * owner and, for a symlink, target. The same signature can still hide new bytes.
   */
  boolean sameSignature(FileStat other) {
    return mtimeNanos() == other.mtimeNanos()
        && size() == other.size()
        && mode() == other.mode()
        && sameOwner(other)
        && (type() != EntryType.SYMLINK || linkTarget().equals(other.linkTarget()));
  }

  /** Whether the owner on disk is the one recorded in {@code other}. */
  boolean sameOwner(FileStat other) {
    return uid == other.uid && gid == other.gid;
  }
}
