package dev.slimbuild.core.erofs;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes a layer as an uncompressed EROFS image in one pass: each file's bytes go to the image as
 * they stream out of the tar (block-aligned, read back later as plain ranges), and the metadata
 * (inodes, directories, symlink targets, extended attributes) follows at the end. One file on disk
 * instead of one per entry: on file systems where creating inodes is the slow part, this is most of
 * a base image's unpack time. The kernel mounts it read-only (root only) as an overlay lower layer,
 * the way containerd's EROFS snapshotter does; whiteouts are written as overlayfs expects them (0/0
 * character devices) and opaque directories carry {@code user.overlay.opaque} (the overlays are
 * mounted with {@code userxattr}).
 *
 * <p>Layout: the superblock in block 0; file data from block 1 on; then the blocks of directories
 * and symlinks too large to sit inline; then the metadata area, root inode first (its node number
 * must fit in 16 bits). Inodes are the 64-byte extended kind (32-bit ids, 64-bit sizes). Not
 * thread-safe.
 */
public final class ErofsWriter implements Closeable {
  static final int BLOCK = 4096;
  static final int MAGIC = 0xE0F5E1E2;
  private static final int INODE = 64;
  private static final int SLOT = 32;
  private static final int DIRENT = 12;
  private static final int LAYOUT_PLAIN = 0;
  private static final int LAYOUT_INLINE = 2;
  private static final int S_IFREG = 0100000;
  private static final int S_IFDIR = 0040000;
  private static final int S_IFLNK = 0120000;
  private static final int S_IFCHR = 0020000;
  private static final int FT_REG = 1;
  private static final int FT_DIR = 2;
  private static final int FT_CHR = 3;
  private static final int FT_LNK = 7;

  /** A layer this format cannot hold as the layer means it (the caller unpacks it otherwise). */
  public static final class UnsupportedLayer extends IOException {
    private static final long serialVersionUID = 1L;

    public UnsupportedLayer(String message) {
      super(message);
    }
  }

  private static final class Node {
    final int format; // S_IF* type bits
    int mode;
    int uid;
    int gid;
    long size;
    long dataBlock; // first data block (plain files; spilled directories and symlinks)
    byte[] data; // directory or symlink bytes, made at the end
    byte[] xattrs = new byte[0];
    HashMap<String, Node> children; // directories
    Node parent; // directories: the one that lists it (the root: itself)
    List<Dirent> dirents; // directories: every name with ".." and ".", in EROFS's order
    boolean implicit; // a directory made up for an entry whose parent the layer did not list
    boolean opaque;
    int nlink = 1;
    long mtime;
    long nid;
    int ino;
    boolean inline;

    Node(int format) {
      this.format = format;
      if (format == S_IFDIR) {
        children = new HashMap<>();
      }
    }
  }

  /** A directory entry: the name's bytes and what it names. */
  private record Dirent(byte[] name, Node node) {}

  private final FileChannel out;
  private final long mtime;
  private final Node root;
  private final byte[] chunk = new byte[64 * 1024];
  private long nextBlock = 1;
  private boolean finished;

  /**
   * A writer filling {@code out} (empty); {@code mtime} (seconds since the epoch) is the time of
   * the image and of the directories and whiteouts it makes up.
   */
  public ErofsWriter(FileChannel out, long mtime) {
    this.out = out;
    this.mtime = mtime;
    this.root = dir(0755, 0, 0);
  }

  private Node dir(int mode, int uid, int gid) {
    Node n = new Node(S_IFDIR);
    n.mtime = mtime;
    n.mode = mode;
    n.uid = uid;
    n.gid = gid;
    return n;
  }

  /** Whether a directory had to be made up for an entry whose parent the layer does not list. */
  public boolean hasImplicitDirectories() {
    Deque<Node> dirs = new ArrayDeque<>(List.of(root));
    while (!dirs.isEmpty()) {
      for (Node c : dirs.poll().children.values()) {
        if (c.format == S_IFDIR) {
          if (c.implicit) {
            return true;
          }
          dirs.add(c);
        }
      }
    }
    return false;
  }

  /**
   * Adds a regular file, copying exactly {@code size} bytes of {@code content} into the image;
   * returns the offset of its first byte in the image.
   */
  public long file(
      String path,
      int mode,
      int uid,
      int gid,
      long mtime,
      long size,
      InputStream content,
      Map<String, String> xattrs)
      throws IOException {
    Node n = new Node(S_IFREG);
    attrs(n, mode, uid, gid, mtime, xattrs);
    n.size = size;
    n.dataBlock = size == 0 ? 0 : nextBlock;
    long offset = nextBlock * BLOCK;
    long copied = copy(content, size, offset);
    if (copied != size) {
      throw new IOException("'" + path + "': " + copied + " bytes, the tar says " + size);
    }
    nextBlock += (size + BLOCK - 1) / BLOCK;
    put(path, n);
    return offset;
  }

  /** Adds (or updates the attributes of) a directory. */
  public void directory(
      String path, int mode, int uid, int gid, long mtime, Map<String, String> xattrs)
      throws IOException {
    Node existing = path.isEmpty() ? root : lookup(path);
    if (existing != null && existing.format == S_IFDIR) {
      attrs(existing, mode, uid, gid, mtime, xattrs);
      existing.implicit = false;
      return;
    }
    Node n = new Node(S_IFDIR);
    attrs(n, mode, uid, gid, mtime, xattrs);
    put(path, n);
  }

  /** Adds a symbolic link to {@code target}. */
  public void symlink(
      String path, String target, int uid, int gid, long mtime, Map<String, String> xattrs)
      throws IOException {
    Node n = new Node(S_IFLNK);
    attrs(n, 0777, uid, gid, mtime, xattrs);
    n.data = target.getBytes(StandardCharsets.UTF_8);
    n.size = n.data.length;
    put(path, n);
  }

  /** Adds {@code path} as another name of the file at {@code target} (earlier in this layer). */
  public void hardlink(String path, String target) throws IOException {
    Node t = lookup(target);
    if (t == null || t.format != S_IFREG) {
      throw new UnsupportedLayer(
          "hard link '" + path + "' to '" + target + "', which is not a file of this layer");
    }
    if (lookup(path) == t) {
      return;
    }
    t.nlink++;
    put(path, t);
  }

  /** Records the deletion of {@code path} from the layers below (an overlayfs whiteout). */
  public void whiteout(String path) throws IOException {
    Node n = new Node(S_IFCHR); // mode 0, device 0/0
    n.mtime = mtime;
    put(path, n);
  }

  /** Hides whatever the layers below hold in directory {@code path}. */
  public void opaque(String path) throws IOException {
    Node d = path.isEmpty() ? root : lookup(path);
    if (d == null || d.format != S_IFDIR) {
      d = dir(0755, 0, 0);
      put(path, d);
      d.implicit = true;
    }
    d.opaque = true;
  }

  private void attrs(Node n, int mode, int uid, int gid, long mtime, Map<String, String> xattrs)
      throws IOException {
    n.mtime = mtime;
    n.mode = mode & 07777;
    n.uid = uid;
    n.gid = gid;
    n.xattrs = xattrBody(xattrs, false);
  }

  private Node lookup(String path) {
    Node n = root;
    for (String part : path.split("/", -1)) {
      if (n.children == null) {
        return null;
      }
      n = n.children.get(part);
      if (n == null) {
        return null;
      }
    }
    return n;
  }

  /** Puts {@code n} at {@code path}, making missing parents; a later entry replaces an earlier. */
  private void put(String path, Node n) throws IOException {
    if (path.isEmpty()) {
      throw new UnsupportedLayer("an entry for the root directory that is not a directory");
    }
    String[] parts = path.split("/", -1);
    Node d = root;
    for (int i = 0; i < parts.length - 1; i++) {
      Node c = d.children.get(parts[i]);
      if (c == null || c.format != S_IFDIR) {
        if (c != null) {
          release(c);
        }
        c = dir(0755, 0, 0);
        c.implicit = true;
        d.children.put(parts[i], c);
      }
      d = c;
    }
    String name = parts[parts.length - 1];
    if (name.isEmpty() || name.equals(".") || name.equals("..")) {
      throw new UnsupportedLayer("entry name '" + path + "'");
    }
    Node old = d.children.put(name, n);
    if (old != null && old != n) {
      if (old.format == S_IFDIR && n.format == S_IFDIR) {
        n.children.putAll(old.children); // a directory listed twice keeps its contents
      } else {
        release(old);
      }
    }
  }

  private static void release(Node n) {
    n.nlink--;
  }

  /** Copies {@code size} bytes of {@code in} to the image at {@code offset}, zero-padded. */
  private long copy(InputStream in, long size, long offset) throws IOException {
    long copied = 0;
    long pos = offset;
    while (copied < size) {
      int r = in.read(chunk, 0, (int) Math.min(chunk.length, size - copied));
      if (r < 0) {
        break;
      }
      copied += r;
      pos += write(ByteBuffer.wrap(chunk, 0, r), pos);
    }
    return copied;
  }

  private long write(ByteBuffer b, long pos) throws IOException {
    long n = 0;
    while (b.hasRemaining()) {
      n += out.write(b, pos + n);
    }
    return n;
  }

  /** Writes the directories, the metadata and the superblock. */
  public void finish() throws IOException {
    if (finished) {
      return;
    }
    finished = true;
    // every inode once, root first, breadth first: parents before children
    List<Node> inodes = new ArrayList<>();
    Deque<Node> queue = new ArrayDeque<>();
    queue.add(root);
    root.parent = root;
    IdentityHashMap<Node, Boolean> seen = new IdentityHashMap<>();
    seen.put(root, true);
    while (!queue.isEmpty()) {
      Node n = queue.poll();
      inodes.add(n);
      if (n.children != null) {
        for (Node c : n.children.values()) {
          if (seen.put(c, true) == null) {
            c.parent = n; // hard links name files only: a directory has one parent
            queue.add(c);
          }
        }
      }
    }
    // directory sizes (names only) decide which data goes inline, which decides the node numbers
    for (Node n : inodes) {
      if (n.format == S_IFDIR) {
        n.nlink = 2;
        for (Node c : n.children.values()) {
          if (c.format == S_IFDIR) {
            n.nlink++;
          }
        }
        n.dirents = dirents(n);
        n.size = dirSize(n.dirents);
        if (n.opaque) {
          Map<String, String> x = new TreeMap<>();
          x.put("user.overlay.opaque", "y");
          n.xattrs = concat(n.xattrs, xattrBody(x, true));
        }
      }
    }
    long pos = 0;
    int ino = 1;
    for (Node n : inodes) {
      int fixed = INODE + n.xattrs.length;
      int tail = 0;
      if (n.format == S_IFDIR || n.format == S_IFLNK) {
        tail = (int) (n.size % BLOCK);
        n.inline = tail > 0 && fixed + tail <= BLOCK;
        if (!n.inline) {
          tail = 0;
        }
      }
      int total = fixed + tail;
      if ((pos % BLOCK) + total > BLOCK) {
        pos = (pos / BLOCK + 1) * BLOCK; // an inode with its inline data never crosses a block
      }
      n.nid = pos / SLOT;
      n.ino = ino++;
      pos += ((long) total + SLOT - 1) / SLOT * SLOT;
    }
    if (root.nid != 0) {
      throw new IllegalStateException("root inode not first");
    }
    // directory contents, now that every node number is known; full blocks go to the data area
    for (Node n : inodes) {
      if (n.format == S_IFDIR) {
        n.data = dirBytes(n);
      }
      if (n.data != null) {
        int full = n.inline ? (int) (n.size / BLOCK) * BLOCK : n.data.length;
        if (full > 0) {
          n.dataBlock = nextBlock;
          write(ByteBuffer.wrap(n.data, 0, full), nextBlock * BLOCK);
          nextBlock += (full + BLOCK - 1) / BLOCK;
        }
      }
    }
    long metaBlock = nextBlock;
    long metaStart = metaBlock * BLOCK;
    ByteBuffer ib = ByteBuffer.allocate(BLOCK).order(ByteOrder.LITTLE_ENDIAN);
    for (Node n : inodes) {
      ib.clear();
      int layout = n.inline ? LAYOUT_INLINE : LAYOUT_PLAIN;
      ib.putShort((short) (1 | layout << 1)); // extended inode
      ib.putShort((short) (n.xattrs.length == 0 ? 0 : (n.xattrs.length - 12) / 4 + 1));
      ib.putShort((short) (n.format | n.mode));
      ib.putShort((short) 0);
      ib.putLong(n.size);
      ib.putInt(n.format == S_IFCHR ? 0 : (int) n.dataBlock); // a whiteout's device is 0/0
      ib.putInt(n.ino);
      ib.putInt(n.uid);
      ib.putInt(n.gid);
      ib.putLong(n.mtime);
      ib.putInt(0);
      ib.putInt(n.nlink);
      ib.put(new byte[16]);
      ib.put(n.xattrs);
      if (n.inline) {
        int full = (int) (n.size / BLOCK) * BLOCK;
        ib.put(n.data, full, n.data.length - full);
      }
      ib.flip();
      write(ib, metaStart + n.nid * SLOT);
    }
    long end = metaStart + pos;
    long blocks = (end + BLOCK - 1) / BLOCK;
    if (blocks > 0xFFFFFFFFL) {
      throw new UnsupportedLayer("layer too large for a 32-bit block count");
    }
    ByteBuffer sb = ByteBuffer.allocate(128).order(ByteOrder.LITTLE_ENDIAN);
    sb.putInt(MAGIC);
    sb.putInt(0); // checksum: not used (no SB_CHKSUM feature)
    sb.putInt(0); // compatible features
    sb.put((byte) 12); // 4 KiB blocks
    sb.put((byte) 0);
    sb.putShort((short) root.nid);
    sb.putLong(inodes.size());
    sb.putLong(mtime);
    sb.putInt(0);
    sb.putInt((int) blocks);
    sb.putInt((int) metaBlock);
    sb.putInt(0); // no shared xattrs
    sb.put(new byte[32]); // uuid, volume name
    sb.putInt(0); // incompatible features: none
    sb.flip();
    write(sb, 1024);
    // the file's length is whole blocks
    write(ByteBuffer.wrap(new byte[1]), blocks * BLOCK - 1);
  }

  /** Every name of {@code d}, with "." and "..", sorted as EROFS looks them up: by bytes. */
  private static List<Dirent> dirents(Node d) {
    List<Dirent> out = new ArrayList<>(d.children.size() + 2);
    out.add(new Dirent(utf8("."), d));
    out.add(new Dirent(utf8(".."), d.parent));
    d.children.forEach((name, c) -> out.add(new Dirent(utf8(name), c)));
    out.sort((a, b) -> Arrays.compareUnsigned(a.name(), b.name()));
    return out;
  }

  /**
   * Where the block of dirents starting at {@code i} ends (exclusive): as many entries and their
   * names as fit in one block.
   */
  private static int blockEnd(List<Dirent> all, int i) {
    int used = 0;
    int j = i;
    while (j < all.size() && used + DIRENT + all.get(j).name().length <= BLOCK) {
      used += DIRENT + all.get(j).name().length;
      j++;
    }
    return j;
  }

  /** The bytes dirents {@code i} to {@code j} (exclusive) and their names take. */
  private static int blockBytes(List<Dirent> all, int i, int j) {
    int used = 0;
    for (int k = i; k < j; k++) {
      used += DIRENT + all.get(k).name().length;
    }
    return used;
  }

  /** The directory's bytes: full blocks, then the last one's used part. */
  private static int dirSize(List<Dirent> dirents) {
    int blocks = 0;
    int last = 0;
    for (int i = 0; i < dirents.size(); ) { // "." and "..": at least one block
      int j = blockEnd(dirents, i);
      last = blockBytes(dirents, i, j);
      blocks++;
      i = j;
    }
    return (blocks - 1) * BLOCK + last;
  }

  /** Blocks of dirents followed by their names, as many entries per block as fit. */
  private static byte[] dirBytes(Node d) {
    List<Dirent> all = d.dirents;
    ByteBuffer b = ByteBuffer.allocate((int) d.size).order(ByteOrder.LITTLE_ENDIAN);
    int start = 0;
    for (int i = 0; i < all.size(); ) {
      int j = blockEnd(all, i);
      int nameOff = (j - i) * DIRENT;
      for (int k = i; k < j; k++) {
        Dirent e = all.get(k);
        int at = start + (k - i) * DIRENT;
        b.putLong(at, e.node().nid);
        b.putShort(at + 8, (short) nameOff);
        b.put(at + 10, (byte) fileType(e.node()));
        b.put(start + nameOff, e.name());
        nameOff += e.name().length;
      }
      start += BLOCK;
      i = j;
    }
    return b.array();
  }

  private static int fileType(Node n) {
    switch (n.format) {
      case S_IFDIR:
        return FT_DIR;
      case S_IFLNK:
        return FT_LNK;
      case S_IFCHR:
        return FT_CHR;
      default:
        return FT_REG;
    }
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** The inline xattr body (header and entries) of {@code xattrs}; empty if there are none. */
  private static byte[] xattrBody(Map<String, String> xattrs, boolean overlayOwn)
      throws UnsupportedLayer {
    if (xattrs.isEmpty()) {
      return new byte[0];
    }
    ByteBuffer b =
        ByteBuffer.allocate(12 + xattrs.size() * 8 + totalLength(xattrs))
            .order(ByteOrder.LITTLE_ENDIAN);
    b.put(new byte[12]);
    for (Map.Entry<String, String> x : xattrs.entrySet()) {
      String name = x.getKey();
      if (!overlayOwn
          && (name.startsWith("user.overlay.") || name.startsWith("trusted.overlay."))) {
        throw new UnsupportedLayer("extended attribute " + name + " (overlayfs's own)");
      }
      int index;
      String suffix;
      if (name.equals("system.posix_acl_access")) {
        index = 2;
        suffix = "";
      } else if (name.equals("system.posix_acl_default")) {
        index = 3;
        suffix = "";
      } else if (name.startsWith("user.")) {
        index = 1;
        suffix = name.substring(5);
      } else if (name.startsWith("trusted.")) {
        index = 4;
        suffix = name.substring(8);
      } else if (name.startsWith("security.")) {
        index = 6;
        suffix = name.substring(9);
      } else {
        throw new UnsupportedLayer("extended attribute " + name);
      }
      byte[] n = utf8(suffix);
      byte[] v = x.getValue().getBytes(StandardCharsets.UTF_8);
      if (n.length > 255 || v.length > 0xFFFF) {
        throw new UnsupportedLayer("extended attribute " + name + " too long");
      }
      b.put((byte) n.length).put((byte) index).putShort((short) v.length).put(n).put(v);
      while (b.position() % 4 != 0) {
        b.put((byte) 0);
      }
    }
    if (b.position() + INODE > BLOCK) {
      throw new UnsupportedLayer("extended attributes larger than an inline block");
    }
    return Arrays.copyOf(b.array(), b.position());
  }

  private static int totalLength(Map<String, String> xattrs) {
    int n = 0;
    for (Map.Entry<String, String> x : xattrs.entrySet()) {
      n += utf8(x.getKey()).length + x.getValue().getBytes(StandardCharsets.UTF_8).length;
    }
    return n;
  }

  private static byte[] concat(byte[] existing, byte[] more) {
    if (existing.length == 0) {
      return more;
    }
    // both are whole bodies: keep the first header, append the second's entries
    byte[] out = Arrays.copyOf(existing, existing.length + more.length - 12);
    System.arraycopy(more, 12, out, existing.length, more.length - 12);
    return out;
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
