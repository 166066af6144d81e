package dev.slimbuild.core.sbom;

import dev.slimbuild.core.layer.EntryType;
import dev.slimbuild.core.layer.LayerEntry;
import dev.slimbuild.core.layer.LayerFlattener;
import dev.slimbuild.core.layer.LayerPaths;
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
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the final file system of an image as {@link LayerFlattener} streams it (a file deleted or
 * replaced by a later layer is seen as the image has it) and collects what an SBOM needs: the
 * package databases and manifests (held: they are small, and capped), what Java archives and Go
 * programs say about themselves (read from the stream), and the checksums of the files the build
 * added. Each file is read once.
 */
final class ImageScan implements LayerFlattener.LayeredSink {
  /** The largest package database read (dpkg status, apk's database, a lock file). */
  static final int MAX_DATABASE = 64 * 1024 * 1024;
  /** The largest manifest read (package.json, METADATA, os-release). */
  static final int MAX_MANIFEST = 1024 * 1024;
  private static final byte[] ELF = {0x7f, 'E', 'L', 'F'};

  private final int baseLayers;
  private final Map<String, SbomFile> added = new LinkedHashMap<>();
  private final Map<String, byte[]> osRelease = new HashMap<>();
  private final Map<String, String> symlinks = new HashMap<>();
  private final List<Database> databases = new ArrayList<>();
  private final List<SbomPackage> packages = new ArrayList<>();
  private final List<Npm.LockEntry> locked = new ArrayList<>();
  private final List<String> warnings = new ArrayList<>();

  /** A package database kept for the end, when the distribution is known. */
  private record Database(String path, int layer, byte[] bytes) {}

  ImageScan(int baseLayers) {
    this.baseLayers = baseLayers;
  }

  @Override
  public void accept(LayerEntry e, long mtime, int layer) throws IOException {
    String path = e.path();
    boolean fromBuild = layer >= baseLayers;
    if (e.type() == EntryType.SYMLINK) {
      symlinks.put(path, e.linkTarget());
      return;
    }
    if (e.type() == EntryType.HARDLINK && fromBuild) {
      SbomFile target = added.get(e.linkTarget());
      if (target != null) {
        added.put(path, new SbomFile(path, target.sha256(), target.sha1(), layer));
      }
      return;
    }
    if (e.type() != EntryType.FILE) {
      return;
    }
    Guarded source = new Guarded(e.content().open());
    Hashing hashing = fromBuild ? new Hashing(source) : null;
    InputStream in = fromBuild ? hashing : source;
    try {
      read(e, layer, in);
    } catch (IOException ex) {
      if (source.failed) {
        throw ex; // the layer itself, not the file's format
      }
      warnings.add("/" + path + ": not read (" + ex.getMessage() + ")");
    } catch (RuntimeException ex) {
      warnings.add("/" + path + ": not read (" + ex.getMessage() + ")");
    }
    if (fromBuild) {
      hashing.transferTo(OutputStream.nullOutputStream());
      added.put(path, new SbomFile(path, hashing.sha256(), hashing.sha1(), layer));
    }
  }

  private void read(LayerEntry e, int layer, InputStream in) throws IOException {
    String path = e.path();
    if (Dpkg.isDatabase(path) || path.equals(Apk.INSTALLED)) {
      byte[] b = bounded(in, MAX_DATABASE, path);
      if (b != null) {
        databases.add(new Database(path, layer, b));
      }
    } else if (path.equals("etc/os-release") || path.equals("usr/lib/os-release")) {
      byte[] b = bounded(in, MAX_MANIFEST, path);
      if (b != null) {
        osRelease.put(path, b);
      }
    } else if (Npm.isPackageJson(path)) {
      byte[] b = bounded(in, MAX_MANIFEST, path);
      SbomPackage p = b == null ? null : Npm.fromPackageJson(b, path, layer);
      if (p != null) {
        packages.add(p);
      }
    } else if (Npm.isLock(path)) {
      byte[] b = bounded(in, MAX_DATABASE, path);
      if (b != null) {
        locked.addAll(Npm.fromLock(b, path, layer));
      }
    } else if (Python.isMetadata(path)) {
      byte[] b = bounded(in, MAX_MANIFEST, path);
      SbomPackage p = b == null ? null
          : Python.parse(new String(b, StandardCharsets.UTF_8), path, layer);
      if (p != null) {
        packages.add(p);
      }
    } else if (Jars.isArchive(path)) {
      for (Jars.Artifact a : Jars.read(in, path)) {
        String purl = Purls.of("maven", a.group(), a.artifact(), a.version(), Map.of());
        if (purl != null) {
          packages.add(new SbomPackage("maven", a.group() + ":" + a.artifact(), a.version(), purl,
              null, a.location(), layer));
        }
      }
    } else if ((e.mode() & 0111) != 0 && e.size() > ELF.length) {
      PushbackInputStream pin = new PushbackInputStream(in, ELF.length);
      byte[] head = pin.readNBytes(ELF.length);
      pin.unread(head);
      if (java.util.Arrays.equals(head, ELF)) {
        GoBuildInfo.Info info = GoBuildInfo.read(pin);
        if (info != null) {
          go(info, path, layer);
        }
      }
    }
  }

  /** The Go standard library at the toolchain's version, the main module and its dependencies. */
  private void go(GoBuildInfo.Info info, String path, int layer) {
    if (info.goVersion().startsWith("go1")) {
      String v = info.goVersion().substring(2);
      packages.add(new SbomPackage("golang", "stdlib", v, Purls.golang("stdlib", v), null, path,
          layer));
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
        packages.add(new SbomPackage("golang", m.path(), version, purl, null, path, layer));
      }
    }
  }

  private byte[] bounded(InputStream in, int max, String path) throws IOException {
    byte[] b = in.readNBytes(max + 1);
    if (b.length > max) {
      warnings.add("/" + path + ": not read (larger than " + max + " bytes)");
      return null;
    }
    return b;
  }

  /** The packages, once every layer was read. */
  List<SbomPackage> packages() {
    OsRelease os = os();
    List<SbomPackage> out = new ArrayList<>(packages);
    for (Database d : databases) {
      String text = new String(d.bytes(), StandardCharsets.UTF_8);
      try {
        out.addAll(d.path().equals(Apk.INSTALLED)
            ? Apk.parse(text, d.path(), d.layer(), os)
            : Dpkg.parse(text, d.path(), d.layer(), os));
      } catch (RuntimeException ex) {
        warnings.add("/" + d.path() + ": not read (" + ex.getMessage() + ")");
      }
    }
    java.util.Set<String> installed = new java.util.HashSet<>();
    for (SbomPackage p : packages) {
      if (p.type().equals("npm")) {
        installed.add(p.location() + "\n" + p.purl());
      }
    }
    for (Npm.LockEntry l : locked) {
      if (installed.add(l.installedAt() + "\n" + l.pkg().purl())) {
        out.add(l.pkg());
      }
    }
    return out;
  }

  /** etc/os-release, following a symlink to usr/lib/os-release; else usr/lib/os-release. */
  OsRelease os() {
    String path = "etc/os-release";
    for (int hops = 0; hops < 8 && symlinks.containsKey(path); hops++) {
      String target = symlinks.get(path);
      String resolved = target.startsWith("/") ? target.substring(1)
          : LayerPaths.parent(path) + "/" + target;
      try {
        path = LayerPaths.normalizeOrRoot(resolved);
      } catch (IllegalArgumentException ex) {
        break;
      }
    }
    byte[] b = osRelease.getOrDefault(path, osRelease.get("usr/lib/os-release"));
    return b == null ? OsRelease.UNKNOWN : OsRelease.parse(new String(b, StandardCharsets.UTF_8));
  }

  /** The files the build added, by path. */
  Map<String, SbomFile> added() {
    return added;
  }

  List<String> warnings() {
    return warnings;
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

  /** SHA-256 and SHA-1 of everything read through it. */
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
