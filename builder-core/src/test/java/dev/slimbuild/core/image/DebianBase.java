package dev.slimbuild.core.image;

import dev.slimbuild.compress.Compression;
import dev.slimbuild.core.layer.ContentSource;
import dev.slimbuild.core.layer.Layer;
import dev.slimbuild.core.layer.LayerEntry;
import dev.slimbuild.core.layer.LayerWriter;
import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.core.oci.ImageConfig;
import dev.slimbuild.core.oci.Platform;
import dev.slimbuild.core.push.PushReport;
import dev.slimbuild.core.registry.Registry;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A Debian 12 base image with a working {@code apt-get}, made with {@code debootstrap
 * --variant=minbase bookworm} (package debootstrap; needs root and Debian's archive) and turned
 * into a one-layer linux/amd64 image by slimbuild's own layer writer. Built once per machine and
 * cached under {@code $SLIMBUILD_TEST_CACHE/debian} (default {@code ~/.cache/slimbuild-test}); the
 * rootfs itself is deleted once the layer is written. Device nodes, FIFOs and sockets are left out
 * (an image holds none). Never skips: a missing tool fails naming its package.
 */
public final class DebianBase {
  private static final String PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

  private DebianBase() {}

  /** The cache directory ({@code $SLIMBUILD_TEST_CACHE/debian}). */
  public static Path cacheDir() {
    return BusyboxBase.cacheDir().resolveSibling("debian");
  }

  /** The image (built once per cache), its blobs linked into {@code store}. */
  public static BuiltImage build(BlobStore store) throws IOException {
    return (BuiltImage) CachedImage.get(cacheDir(), store, DebianBase::make);
  }

  /** Builds (or reads from the cache) and pushes the image to {@code repository:tag}. */
  public static PushReport push(Registry registry, String repository, String tag)
      throws IOException {
    return CachedImage.push(DebianBase::build, registry, repository, tag);
  }

  private static BuiltImage make(BlobStore store) throws IOException {
    Path cache = cacheDir();
    BusyboxBase.requireTool("debootstrap", "debootstrap");
    Path rootfs = Files.createTempDirectory(cache, "rootfs-");
    try {
      BusyboxBase.run(
          cache, List.of("debootstrap", "--variant=minbase", "bookworm", rootfs.toString()));
      List<LayerEntry> entries = new ArrayList<>();
      walk(rootfs, "", entries, new HashMap<>());
      Layer digests;
      Digest info;
      try (BlobWriter w = store.newWriter()) {
        digests = LayerWriter.write(entries, Compression.ZSTD, 3, 0, w);
        info = w.commit();
      }
      Descriptor layer = digests.descriptor();
      if (!info.equals(digests.descriptor().digest())) {
        throw new IllegalStateException("layer digest differs from the stored blob");
      }
      ImageConfig.ContainerConfig cc =
          ImageConfig.ContainerConfig.builder()
              .env(List.of("PATH=" + PATH))
              .cmd(List.of("bash"))
              .build();
      ImageConfig config =
          ImageConfig.of(Platform.parse("linux/amd64"), cc, List.of(digests.diffId()))
              .withCreated(Instant.EPOCH)
              .withHistory(
                  List.of(
                      new ImageConfig.History(
                          Instant.EPOCH,
                          "debootstrap --variant=minbase bookworm",
                          null,
                          null,
                          false)));
      return BuiltImage.assemble(store, config, List.of(layer), Map.of());
    } finally {
      Dirs.deleteRecursively(rootfs);
    }
  }

  /** The directory tree as layer entries in tar order, hard links to the first path seen. */
  private static void walk(Path dir, String rel, List<LayerEntry> out, Map<Object, String> inodes)
      throws IOException {
    List<Path> children = new ArrayList<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
      s.forEach(children::add);
    }
    children.sort((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()));
    for (Path p : children) {
      String path = rel.isEmpty() ? p.getFileName().toString() : rel + "/" + p.getFileName();
      Map<String, Object> a =
          Files.readAttributes(
              p, "unix:mode,uid,gid,size,ino,dev,nlink", LinkOption.NOFOLLOW_LINKS);
      int mode = (Integer) a.get("mode");
      int uid = (Integer) a.get("uid");
      int gid = (Integer) a.get("gid");
      switch (mode & 0170000) {
        case 0040000 -> {
          out.add(LayerEntry.dir(path, mode & 07777, uid, gid));
          walk(p, path, out, inodes);
        }
        case 0120000 ->
            out.add(LayerEntry.symlink(path, Files.readSymbolicLink(p).toString(), uid, gid));
        case 0100000 -> {
          Object key = a.get("dev") + ":" + a.get("ino");
          String first = (Integer) a.get("nlink") > 1 ? inodes.putIfAbsent(key, path) : null;
          if (first != null) {
            out.add(LayerEntry.hardlink(path, first, mode & 07777, uid, gid));
          } else {
            out.add(
                LayerEntry.file(
                    path, mode & 07777, uid, gid, (Long) a.get("size"), ContentSource.ofPath(p)));
          }
        }
        default -> {
          // device nodes, FIFOs, sockets: not in an image
        }
      }
    }
  }
}
