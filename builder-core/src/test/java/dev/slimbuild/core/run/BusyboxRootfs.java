package dev.slimbuild.core.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A tiny rootfs made from Debian's busybox-static (downloaded once into
 * ~/.cache/slimbuild-test/busybox, extracted into a template there, copied per test).
 */
final class BusyboxRootfs {
  private static final Path CACHE =
      Path.of(System.getProperty("user.home"), ".cache", "slimbuild-test", "busybox");

  private BusyboxRootfs() {}

  /** A fresh copy of the busybox rootfs for {@code arch} (amd64 or arm64) at {@code dest}. */
  static Path create(String arch, Path dest) throws Exception {
    Path template = template(arch);
    sh(List.of("cp", "-a", template.toString(), dest.toString()), CACHE);
    return dest;
  }

  private static synchronized Path template(String arch) throws Exception {
    Path template = CACHE.resolve("rootfs-" + arch);
    if (Files.isDirectory(template.resolve("bin"))) {
      return template;
    }
    Files.createDirectories(CACHE);
    Path deb = findDeb(arch);
    if (deb == null) {
      String pkg = "busybox-static:" + arch;
      if (sh(List.of("apt-get", "download", pkg), CACHE) != 0) {
        // the arm64 package list is there only after adding the architecture
        assertThat(sh(List.of("dpkg", "--add-architecture", arch), CACHE)).isZero();
        assertThat(sh(List.of("apt-get", "update", "-qq"), CACHE)).isZero();
        assertThat(sh(List.of("apt-get", "download", pkg), CACHE)).as("apt-get download").isZero();
      }
      deb = findDeb(arch);
    }
    assertThat(deb).as("busybox-static " + arch + " package").isNotNull();
    Path tmp = Files.createTempDirectory(CACHE, "rootfs-");
    assertThat(sh(List.of("dpkg-deb", "-x", deb.toString(), tmp.toString()), CACHE)).isZero();
    List<String> list =
        arch.equals("amd64")
            ? List.of(tmp.resolve("bin/busybox").toString(), "--list-full")
            : List.of("qemu-aarch64-static", tmp.resolve("bin/busybox").toString(), "--list-full");
    Process p = new ProcessBuilder(list).redirectErrorStream(true).start();
    List<String> applets =
        new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("busybox --list-full").isZero();
    for (String a : applets) {
      Path link = tmp.resolve(a);
      if (!Files.exists(link, LinkOption.NOFOLLOW_LINKS)) {
        Files.createDirectories(link.getParent());
        Files.createSymbolicLink(link, Path.of("/bin/busybox"));
      }
    }
    Files.createDirectories(tmp.resolve("tmp"));
    sh(List.of("chmod", "1777", tmp.resolve("tmp").toString()), CACHE);
    Files.createDirectories(tmp.resolve("root"));
    Files.move(tmp, template);
    return template;
  }

  private static Path findDeb(String arch) throws IOException {
    try (Stream<Path> s = Files.list(CACHE)) {
      return s.filter(
              f -> {
                String n = f.getFileName().toString();
                return n.startsWith("busybox-static_") && n.endsWith("_" + arch + ".deb");
              })
          .findFirst()
          .orElse(null);
    }
  }

  static int sh(List<String> command, Path dir) throws Exception {
    Process p =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    assertThat(p.waitFor(300, TimeUnit.SECONDS)).as(String.join(" ", command)).isTrue();
    return p.exitValue();
  }

  /** Mount points (from /proc/self/mountinfo) at or under {@code dir}. */
  static List<String> mountsUnder(Path dir) throws IOException {
    String prefix = dir.toRealPath().toString();
    return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
        .map(l -> l.split(" ")[4])
        .filter(m -> m.equals(prefix) || m.startsWith(prefix + "/"))
        .toList();
  }
}
