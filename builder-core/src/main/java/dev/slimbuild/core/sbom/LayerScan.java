package dev.slimbuild.core.sbom;

import dev.slimbuild.core.layer.LayerEntry;
import dev.slimbuild.core.layer.LayerReader;
import dev.slimbuild.core.oci.Digest;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PushbackInputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one layer holds that an SBOM needs, read in one streamed pass over the layer: its whiteouts,
 * and for each non-directory entry what it says (a package database or manifest, held: they are
 * small and capped; the packages a Java archive or Go program names, read from the stream) and, for
 * a layer the build added, its checksums. Java archives are found by name ({@link Jars#isArchive}),
 * Go programs among the executable files that start as ELF files do. {@link ImageScan} stacks the
 * layers' scans as the final image has them. Every entry is recorded, interesting or not, so a file
 * that replaces a database or a program in a lower layer also replaces what was read from it.
 */
final class LayerScan {
  /** The largest package database read (dpkg status, apk's database, a lock file). */
  static final int MAX_DATABASE = 64 * 1024 * 1024;

  /** The largest manifest read (package.json, METADATA, os-release). */
  static final int MAX_MANIFEST = 1024 * 1024;

  private static final byte[] ELF = {0x7f, 'E', 'L', 'F'};

  /**
   * What an entry of the layer says; all fields but {@code dir} may be null.
   *
   * @param layer the layer's index (-1 for the shared plain and directory items)
   * @param dir whether the entry is a directory (it replaces a lower non-directory)
   * @param file the checksums of a regular file of a layer the build added
   * @param packages the packages read from the file
   * @param database the bytes of a package database (dpkg, apk), read at the end
   * @param osRelease the bytes of an os-release file
   * @param locked the packages an npm lock file lists
   * @param symlink a symlink's target
   */
  record Item(
      int layer,
      boolean dir,
      SbomFile file,
      List<SbomPackage> packages,
      byte[] database,
      byte[] osRelease,
      List<Npm.LockEntry> locked,
      String symlink) {
    static final Item PLAIN = new Item(-1, false, null, null, null, null, null, null);
    static final Item DIR = new Item(-1, true, null, null, null, null, null, null);

    Item withFile(SbomFile f) {
      return new Item(f.layer(), dir, f, packages, database, osRelease, locked, symlink);
    }
  }

  final int layer;
  final List<String> whiteouts = new ArrayList<>();
  final List<String> opaques = new ArrayList<>();
  final Map<String, Item> items = new LinkedHashMap<>();
  final List<String> warnings = new ArrayList<>();
  private final boolean hash;

  private LayerScan(int layer, boolean hash) {
    this.layer = layer;
    this.hash = hash;
  }

  /**
   * Reads the layer {@code blob} (any supported compression), the {@code layer}-th from the bottom;
   * {@code hash} for a layer the build added: its regular files get checksums.
   */
  static LayerScan read(InputStream blob, int layer, boolean hash) throws IOException {
    LayerScan scan = new LayerScan(layer, hash);
    try (LayerReader r = new LayerReader(blob)) {
      for (LayerEntry e = r.next(); e != null; e = r.next()) {
        scan.accept(e);
      }
    }
    return scan;
  }

  private void accept(LayerEntry e) throws IOException {
    String path = e.path();
    switch (e.type()) {
      case WHITEOUT -> whiteouts.add(path);
      case OPAQUE -> opaques.add(path);
      case DIRECTORY -> items.put(path, Item.DIR);
      case SYMLINK ->
          items.put(path, new Item(layer, false, null, null, null, null, null, e.linkTarget()));
      case HARDLINK -> items.put(path, hardlink(path, items.get(e.linkTarget())));
      case FILE -> items.put(path, file(e));
      default -> throw new IllegalStateException(e.type().name());
    }
  }

  /** A hard link says what its target says, at its own path. */
  private Item hardlink(String path, Item target) {
    if (target == null || target.dir()) {
      return Item.PLAIN;
    }
    SbomFile file =
        target.file() == null
            ? null
            : new SbomFile(path, target.file().sha256(), target.file().sha1(), layer);
    List<SbomPackage> packages = null;
    if (target.packages() != null) {
      packages = new ArrayList<>();
      for (SbomPackage p : target.packages()) {
        packages.add(
            new SbomPackage(
                p.type(),
                p.name(),
                p.version(),
                p.purl(),
                p.license(),
                path + p.location().substring(p.file().length()),
                layer));
      }
    }
    return new Item(
        layer, false, file, packages, target.database(), target.osRelease(), target.locked(), null);
  }

  private Item file(LayerEntry e) throws IOException {
    String path = e.path();
    Guarded source = new Guarded(e.content().open());
    Hashing hashing = hash ? new Hashing(source) : null;
    InputStream in = hash ? hashing : source;
    Item item = Item.PLAIN;
    try {
      item = read(e, in);
    } catch (IOException ex) {
      if (source.failed) {
        throw ex; // the layer itself, not the file's format
      }
      warnings.add("/" + path + ": not read (" + ex.getMessage() + ")");
    } catch (RuntimeException ex) {
      warnings.add("/" + path + ": not read (" + ex.getMessage() + ")");
    }
    if (hash) {
      hashing.transferTo(OutputStream.nullOutputStream());
      item = item.withFile(new SbomFile(path, hashing.sha256(), hashing.sha1(), layer));
    }
    return item;
  }

  private Item read(LayerEntry e, InputStream in) throws IOException {
    String path = e.path();
    if (Dpkg.isDatabase(path) || path.equals(Apk.INSTALLED)) {
      byte[] b = bounded(in, MAX_DATABASE, path);
      return b == null ? Item.PLAIN : new Item(layer, false, null, null, b, null, null, null);
    }
    if (path.equals("etc/os-release") || path.equals("usr/lib/os-release")) {
      byte[] b = bounded(in, MAX_MANIFEST, path);
      return b == null ? Item.PLAIN : new Item(layer, false, null, null, null, b, null, null);
    }
    if (Npm.isPackageJson(path)) {
      byte[] b = bounded(in, MAX_MANIFEST, path);
      SbomPackage p = b == null ? null : Npm.fromPackageJson(b, path, layer);
      return packages(p == null ? List.of() : List.of(p));
    }
    if (Npm.isLock(path)) {
      byte[] b = bounded(in, MAX_DATABASE, path);
      return b == null
          ? Item.PLAIN
          : new Item(layer, false, null, null, null, null, Npm.fromLock(b, path, layer), null);
    }
    if (Python.isMetadata(path)) {
      byte[] b = bounded(in, MAX_MANIFEST, path);
      SbomPackage p =
          b == null ? null : Python.parse(new String(b, StandardCharsets.UTF_8), path, layer);
      return packages(p == null ? List.of() : List.of(p));
    }
    if (Jars.isArchive(path)) {
      List<SbomPackage> found = new ArrayList<>();
      for (Jars.Artifact a : Jars.read(in, path)) {
        String purl = Purls.of("maven", a.group(), a.artifact(), a.version(), Map.of());
        if (purl != null) {
          found.add(
              new SbomPackage(
                  "maven",
                  a.group() + ":" + a.artifact(),
                  a.version(),
                  purl,
                  null,
                  a.location(),
                  layer));
        }
      }
      return packages(found);
    }
    if ((e.mode() & 0111) != 0 && e.size() > ELF.length) {
      PushbackInputStream pin = new PushbackInputStream(in, ELF.length);
      byte[] head = pin.readNBytes(ELF.length);
      pin.unread(head);
      if (Arrays.equals(head, ELF)) {
        GoBuildInfo.Info info = GoBuildInfo.read(pin);
        if (info != null) {
          return packages(go(info, path));
        }
      }
    }
    return Item.PLAIN;
  }

  private Item packages(List<SbomPackage> packages) {
    return packages.isEmpty()
        ? Item.PLAIN
        : new Item(layer, false, null, List.copyOf(packages), null, null, null, null);
  }

  /** The Go standard library at the toolchain's version, the main module and its dependencies. */
  private List<SbomPackage> go(GoBuildInfo.Info info, String path) {
    List<SbomPackage> out = new ArrayList<>();
    if (info.goVersion().startsWith("go1")) {
      String v = info.goVersion().substring(2);
      out.add(new SbomPackage("golang", "stdlib", v, Purls.golang("stdlib", v), null, path, layer));
    }
    List<GoBuildInfo.Module> modules = new ArrayList<>();
    if (info.main() != null) {
      modules.add(info.main());
    }
    modules.addAll(info.deps());
    for (GoBuildInfo.Module m : modules) {
      String version = m.version().isEmpty() || m.version().equals("(devel)") ? null : m.version();
      String purl = Purls.golang(m.path(), version);
      if (purl != null) {
        out.add(new SbomPackage("golang", m.path(), version, purl, null, path, layer));
      }
    }
    return out;
  }

  private byte[] bounded(InputStream in, int max, String path) throws IOException {
    byte[] b = in.readNBytes(max + 1);
    if (b.length > max) {
      warnings.add("/" + path + ": not read (larger than " + max + " bytes)");
      return null;
    }
    return b;
  }

  /** A layer's file stream that remembers whether reading the layer itself failed. */
  private static final class Guarded extends FilterInputStream {
    boolean failed;

    Guarded(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      try {
        return super.read();
      } catch (IOException e) {
        failed = true;
        throw e;
      }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      try {
        return super.read(b, off, len);
      } catch (IOException e) {
        failed = true;
        throw e;
      }
    }

    @Override
    public long skip(long n) throws IOException {
      try {
        return super.skip(n);
      } catch (IOException e) {
        failed = true;
        throw e;
      }
    }
  }

  /** SHA-256 and SHA-1 of everything read through it (skipping reads, so nothing is missed). */
  private static final class Hashing extends FilterInputStream {
    private final MessageDigest sha256 = Digest.newSha256();
    private final MessageDigest sha1;

    Hashing(InputStream in) {
      super(in);
      try {
        sha1 = MessageDigest.getInstance("SHA-1");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        sha256.update((byte) b);
        sha1.update((byte) b);
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        sha256.update(b, off, n);
        sha1.update(b, off, n);
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      byte[] buf = new byte[8192];
      long done = 0;
      while (done < n) {
        int r = read(buf, 0, (int) Math.min(buf.length, n - done));
        if (r < 0) {
          break;
        }
        done += r;
      }
      return done;
    }

    @Override
    public boolean markSupported() {
      return false;
    }

    String sha256() {
      return HexFormat.of().formatHex(sha256.digest());
    }

    String sha1() {
      return HexFormat.of().formatHex(sha1.digest());
    }
  }
}
