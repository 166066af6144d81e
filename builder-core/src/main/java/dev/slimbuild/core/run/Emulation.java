package dev.slimbuild.core.run;

import dev.slimbuild.core.SlimbuildException;
import dev.slimbuild.core.oci.Platform;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** Running binaries of a foreign architecture: binfmt_misc entries and qemu user emulators. */
final class Emulation {
  static final Path BINFMT_DIR = Path.of("/proc/sys/fs/binfmt_misc");

  private Emulation() {}

  /** The platform of this JVM's machine. */
  static Platform host() {
    return Platform.of("linux", System.getProperty("os.arch").toLowerCase(Locale.ROOT), null)
        .normalize();
  }

  /** Whether {@code target} binaries cannot run natively here. */
  static boolean isForeign(Platform target) {
    Platform host = host();
    Platform t = target.normalize();
    if (t.architecture().equals(host.architecture())) {
      return false;
    }
    // 64-bit x86 runs 32-bit x86 natively
    return !(host.architecture().equals("amd64") && t.architecture().equals("386"));
  }

  /** qemu's name for the target architecture ({@code aarch64} for arm64). */
  static String qemuArch(Platform target) {
    String arch = target.normalize().architecture();
    return switch (arch) {
      case "arm64" -> "aarch64";
      case "amd64" -> "x86_64";
      case "386" -> "i386";
      case "arm", "ppc64le", "s390x", "riscv64", "mips64le" -> arch;
      default ->
          throw new SlimbuildException(
              "RUN for " + target + " is not supported: no qemu emulator is known for " + arch);
    };
  }

  /**
   * Null when the kernel runs {@code target} binaries inside {@code rootfs} through an enabled
   * binfmt_misc qemu entry (whose interpreter is preloaded, flag F, or visible in the rootfs);
   * otherwise why not.
   */
  static String binfmtProblem(Path rootfs, Platform target) {
    String name = "qemu-" + qemuArch(target);
    Path entry = BINFMT_DIR.resolve(name);
    if (!Files.isRegularFile(entry)) {
      return "no binfmt_misc entry " + name + " (" + BINFMT_DIR + " has none registered)";
    }
    List<String> lines;
    try {
      lines = Files.readAllLines(entry);
    } catch (IOException e) {
      return "cannot read " + entry + ": " + e.getMessage();
    }
    if (lines.isEmpty() || !lines.get(0).equals("enabled")) {
      return "binfmt_misc entry " + name + " is disabled";
    }
    String interpreter = null;
    String flags = "";
    for (String l : lines) {
      if (l.startsWith("interpreter ")) {
        interpreter = l.substring("interpreter ".length()).trim();
      } else if (l.startsWith("flags:")) {
        flags = l.substring("flags:".length()).trim();
      }
    }
    if (flags.contains("F")) {
      return null;
    }
    if (interpreter != null
        && rootfs != null
        && Files.isExecutable(rootfs.resolve(interpreter.substring(1)))) {
      return null;
    }
    return "binfmt_misc entry "
        + name
        + " has no F flag and its interpreter "
        + interpreter
        + " is not in the rootfs";
  }

  /**
   * For sandboxes that run binaries directly (bwrap, chroot): a foreign platform needs a registered
   * binfmt_misc emulator, else an error pointing at the proot sandbox.
   */
  static void requireBinfmt(RunSpec spec, String sandbox) {
    if (isForeign(spec.platform())) {
      // where the host sees the image's files: the merged root of a wrapped (user namespace)
      // overlay exists only inside the wrapper, its lower directory on the host
      String problem = binfmtProblem(spec.prepareRoot(), spec.platform());
      if (problem != null) {
        throw new SlimbuildException(
            "RUN for "
                + spec.platform()
                + " with "
                + sandbox
                + " needs binfmt_misc ("
                + problem
                + "); the proot sandbox runs it through qemu-user-static");
      }
    }
  }

  /** The {@code qemu-ARCH-static} emulator, or an error naming the package to install. */
  static Path qemuStatic(Platform target) {
    String arch = qemuArch(target);
    return Host.which("qemu-" + arch + "-static").orElseThrow(() -> missingQemu(target));
  }

  static SlimbuildException missingQemu(Platform target) {
    return new SlimbuildException(
        "RUN for "
            + target.normalize()
            + " on this "
            + host().architecture()
            + " machine needs qemu-user-static (apt-get install qemu-user-static) or binfmt_misc");
  }
}
