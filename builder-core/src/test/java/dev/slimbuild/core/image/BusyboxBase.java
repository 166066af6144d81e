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
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real two-platform base image (linux/amd64 and linux/arm64) made from Debian's {@code
 * busybox-static} packages with slimbuild's own layer writer: {@code /bin/busybox}, an applet
 * symlink for every line of {@code busybox --list-full} (the arm64 binary listed through {@code
 * qemu-aarch64-static}), {@code /etc/passwd} and {@code /etc/group} with root, nobody and app
 * (1000:1000), {@code /tmp} 1777, {@code /root}, {@code /home/app}. One gzip layer per platform
 * (base layers in the wild are gzip), config with {@code PATH} and {@code Cmd ["sh"]}, an OCI index
 * of both.
 *
 * <p>The .debs and the built image are cached under {@code $SLIMBUILD_TEST_CACHE} (default {@code
 * ~/.cache/slimbuild-test}) in {@code busybox/}, so a test run downloads and builds them once.
 * Needs {@code apt-get}, {@code dpkg}, {@code dpkg-deb} and {@code qemu-aarch64-static} (package
 * qemu-user-static, see scripts/install-test-deps.sh); when any of them is missing, or apt cannot
 * download the packages, it fails with a message saying what to install. It never skips.
 */
public final class BusyboxBase {
  /** The platforms of the index, in index order. */
  public static final List<Platform> PLATFORMS =
      List.of(Platform.parse("linux/amd64"), Platform.parse("linux/arm64"));

  /** The users in /etc/passwd. */
  public static final String PASSWD =
      "root:x:0:0:root:/root:/bin/sh\n"
          + "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"
          + "app:x:1000:1000:app:/home/app:/bin/sh\n";

  /** The groups in /etc/group. */
  public static final String GROUP = "root:x:0:\nnogroup:x:65534:\napp:x:1000:\n";

  private static final String PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

  private BusyboxBase() {}

  /** The cache directory ({@code $SLIMBUILD_TEST_CACHE/busybox}). */
  public static Path cacheDir() {
    String env = System.getenv("SLIMBUILD_TEST_CACHE");
    Path base =
        env != null && !env.isEmpty()
            ? Path.of(env)
            : Path.of(System.getProperty("user.home"), ".cache", "slimbuild-test");
    return base.resolve("busybox");
  }

  /**
   * The two-platform index, its blobs copied (hard-linked when possible) into {@code store}. Built
   * once per cache directory; later calls read the cached image.
   */
  public static ImageIndex build(BlobStore store) throws IOException {
    return (ImageIndex) CachedImage.get(cacheDir(), store, BusyboxBase::make);
  }

  /**
   * Builds the image into a temporary store and pushes it to {@code repository} under {@code tag}.
   */
  public static PushReport push(Registry registry, String repository, String tag)
      throws IOException {
    return CachedImage.push(BusyboxBase::build, registry, repository, tag);
  }

  private static ImageIndex make(BlobStore store) throws IOException {
    Path cache = cacheDir();
    Map<String, Path> debs = debs(cache);
    List<BuiltImage> images = new ArrayList<>();
    for (Platform p : PLATFORMS) {
      images.add(platformImage(store, cache, p, debs.get(p.architecture())));
    }
    return ImageIndex.assemble(store, images, Map.of());
  }

  private static BuiltImage platformImage(BlobStore store, Path cache, Platform p, Path deb)
      throws IOException {
    Path rootfs = Files.createTempDirectory(cache, "rootfs-" + p.architecture() + "-");
    try {
      run(cache, List.of("dpkg-deb", "-x", deb.toString(), rootfs.toString()));
      Path busybox = rootfs.resolve("bin/busybox");
      if (!Files.isExecutable(busybox)) {
        throw new IllegalStateException(deb + " has no executable bin/busybox");
      }
      List<String> list =
          p.architecture().equals("amd64")
              ? List.of(busybox.toString(), "--list-full")
              : List.of(
                  requireTool("qemu-aarch64-static", "qemu-user-static"),
                  busybox.toString(),
                  "--list-full");
      List<String> applets =
          run(cache, list).lines().map(String::trim).filter(s -> !s.isEmpty()).toList();
      if (!applets.contains("bin/sh")) {
        throw new IllegalStateException(
            "busybox --list-full (" + p + ") lists no bin/sh: " + applets);
      }
      List<LayerEntry> entries = entries(busybox, applets);
      Layer digests;
      Digest info;
      try (BlobWriter w = store.newWriter()) {
        digests = LayerWriter.write(entries, Compression.GZIP, 6, 0, w);
        info = w.commit();
      }
      if (!info.equals(digests.descriptor().digest())) {
        throw new IllegalStateException("layer digest differs from the stored blob");
      }
      Descriptor layer = digests.descriptor();
      ImageConfig.ContainerConfig cc =
          ImageConfig.ContainerConfig.builder()
              .env(List.of("PATH=" + PATH))
              .cmd(List.of("sh"))
              .build();
      ImageConfig config =
          ImageConfig.of(p, cc, List.of(digests.diffId()))
              .withCreated(Instant.EPOCH)
              .withHistory(
                  List.of(
                      new ImageConfig.History(
                          Instant.EPOCH,
                          "busybox-static " + deb.getFileName(),
                          null,
                          null,
                          false)));
      return BuiltImage.assemble(store, config, List.of(layer), Map.of());
    } finally {
      Dirs.deleteRecursively(rootfs);
    }
  }

  /** The layer entries: busybox, applet links, users, groups and the usual directories. */
  static List<LayerEntry> entries(Path busybox, List<String> applets) throws IOException {
    TreeMap<String, LayerEntry> byPath = new TreeMap<>();
    for (String d :
        List.of(
            "bin",
            "sbin",
            "usr",
            "usr/bin",
            "usr/sbin",
            "etc",
            "home",
            "dev",
            "proc",
            "sys",
            "var")) {
      byPath.put(d, LayerEntry.dir(d, 0755, 0, 0));
    }
    byPath.put("root", LayerEntry.dir("root", 0700, 0, 0));
    byPath.put("tmp", LayerEntry.dir("tmp", 01777, 0, 0));
    byPath.put("home/app", LayerEntry.dir("home/app", 0755, 1000, 1000));
    byPath.put(
        "bin/busybox",
        LayerEntry.file(
            "bin/busybox", 0755, 0, 0, Files.size(busybox), ContentSource.ofPath(busybox)));
    byte[] passwd = PASSWD.getBytes(StandardCharsets.UTF_8);
    byte[] group = GROUP.getBytes(StandardCharsets.UTF_8);
    byPath.put(
        "etc/passwd",
        LayerEntry.file("etc/passwd", 0644, 0, 0, passwd.length, ContentSource.ofBytes(passwd)));
    byPath.put(
        "etc/group",
        LayerEntry.file("etc/group", 0644, 0, 0, group.length, ContentSource.ofBytes(group)));
    for (String a : applets) {
      String path = a.startsWith("/") ? a.substring(1) : a;
      // linuxrc is an init for initramfs images; not useful in a container
      if (!path.contains("/") || byPath.containsKey(path)) {
        continue;
      }
      byPath.put(path, LayerEntry.symlink(path, "/bin/busybox", 0, 0));
    }
    return List.copyOf(byPath.values());
  }

  /** Downloads (once) the amd64 and arm64 busybox-static .debs; returns them by architecture. */
  private static Map<String, Path> debs(Path cache) throws IOException {
    Path dir = cache.resolve("debs");
    Map<String, Path> found = findDebs(dir);
    if (found.size() == 2) {
      return found;
    }
    requireTool("apt-get", "apt");
    requireTool("dpkg", "dpkg");
    requireTool("dpkg-deb", "dpkg");
    String foreign = run(cache, List.of("dpkg", "--print-foreign-architectures"));
    if (!foreign.lines().toList().contains("arm64")) {
      run(cache, List.of("dpkg", "--add-architecture", "arm64"));
      run(cache, List.of("apt-get", "update", "-qq"));
    }
    Path tmp = Files.createTempDirectory(cache, "debs-");
    try {
      List<String> download =
          List.of("apt-get", "download", "busybox-static:amd64", "busybox-static:arm64");
      try {
        run(tmp, download);
      } catch (IllegalStateException e) {
        // package lists may be stale or lack arm64: refresh once
        run(cache, List.of("apt-get", "update", "-qq"));
        run(tmp, download);
      }
      Map<String, Path> got = findDebs(tmp);
      if (got.size() != 2) {
        throw new IllegalStateException("apt-get download gave " + got + " in " + tmp);
      }
      Files.createDirectories(dir);
      for (Path p : got.values()) {
        Files.move(p, dir.resolve(p.getFileName()), StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Dirs.deleteRecursively(tmp);
    }
    return findDebs(dir);
  }

  private static Map<String, Path> findDebs(Path dir) throws IOException {
    Map<String, Path> out = new TreeMap<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.sorted().toList()) {
        String n = p.getFileName().toString();
        if (n.startsWith("busybox-static_") && n.endsWith("_amd64.deb")) {
          out.put("amd64", p);
        } else if (n.startsWith("busybox-static_") && n.endsWith("_arm64.deb")) {
          out.put("arm64", p);
        }
      }
    }
    return out;
  }

  /** The absolute path of {@code tool} on PATH; fails naming the Debian package otherwise. */
  public static String requireTool(String tool, String debianPackage) {
    for (String d : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
      if (d.isEmpty()) {
        continue;
      }
      Path p = Path.of(d, tool);
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    throw new IllegalStateException(
        tool
            + " is not installed (Debian package "
            + debianPackage
            + "): run scripts/install-test-deps.sh as root");
  }

  /**
   * Runs {@code cmd} in {@code dir}; returns its stdout, fails with its output on non-zero exit.
   */
  static String run(Path dir, List<String> cmd) throws IOException {
    Path errFile = Files.createTempFile("busybox-base-", ".err");
    try {
      Process p =
          new ProcessBuilder(cmd)
              .directory(dir.toFile())
              .redirectError(errFile.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
              .start();
      String out;
      try (InputStream in = p.getInputStream()) {
        out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      int code;
      try {
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
          p.destroyForcibly();
          throw new IllegalStateException(String.join(" ", cmd) + " did not finish");
        }
        code = p.exitValue();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
        throw new InterruptedIOException("interrupted: " + cmd);
      }
      if (code != 0) {
        throw new IllegalStateException(
            String.join(" ", cmd)
                + " failed (exit "
                + code
                + "): "
                + Files.readString(errFile).strip()
                + (cmd.get(0).startsWith("apt")
                    ? " (is the Debian archive reachable? run as root)"
                    : ""));
      }
      return out;
    } finally {
      Files.deleteIfExists(errFile);
    }
  }
}
