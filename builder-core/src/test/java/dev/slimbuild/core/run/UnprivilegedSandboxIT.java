package dev.slimbuild.core.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sandboxes started by a user without any privileges (nobody, through setpriv). */
class UnprivilegedSandboxIT {
  private static final String NOBODY = "65534";

  @TempDir Path tmp;
  Path rootfs;

  @BeforeEach
  void rootfsOwnedByNobody() throws Exception {
    rootfs = BusyboxRootfs.create("amd64", tmp.resolve("rootfs"));
    assertThat(BusyboxRootfs.sh(List.of("chmod", "755", tmp.toString()), tmp)).isZero();
    assertThat(
            BusyboxRootfs.sh(List.of("chown", "-R", NOBODY + ":" + NOBODY, rootfs.toString()), tmp))
        .isZero();
  }

  /** Runs {@link SandboxMain} as nobody; returns its output lines and exit status last. */
  private List<String> asNobody(String mode, int uid, String script) throws Exception {
    String java = ProcessHandle.current().info().command().orElseThrow();
    String cp =
        Path.of(SandboxSelector.class.getProtectionDomain().getCodeSource().getLocation().toURI())
            + ":"
            + Path.of(
                SandboxMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<String> cmd =
        List.of(
            "setpriv",
            "--reuid=" + NOBODY,
            "--regid=" + NOBODY,
            "--clear-groups",
            java,
            "-Xmx64m",
            "-cp",
            cp,
            SandboxMain.class.getName(),
            mode,
            rootfs.toString(),
            "linux/amd64",
            Integer.toString(uid),
            Integer.toString(uid),
            script);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    List<String> lines =
        new ArrayList<>(
            new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    lines.add("status " + p.exitValue());
    return lines;
  }

  @Test
  void autoPicksBwrapWithUserNamespaces() throws Exception {
    List<String> out = asNobody("auto", 1000, "id -u; echo hi > /written; pwd");
    assertThat(out)
        .containsExactly(
            "sandbox: bwrap",
            "why: bwrap: installed and user namespaces work",
            "out: 1000",
            "out: /",
            "exit: 0",
            "status 0");
    assertThat(Files.readString(rootfs.resolve("written"))).isEqualTo("hi\n");
    // one-id user namespace: what uid 1000 wrote belongs to the invoking user on disk
    assertThat(Files.getAttribute(rootfs.resolve("written"), "unix:uid")).isEqualTo(65534);
  }

  @Test
  void prootWorksWithoutPrivileges() throws Exception {
    List<String> out = asNobody("proot", 0, "id -u; echo hi > /written");
    assertThat(out)
        .containsExactly(
            "sandbox: proot", "why: proot: needs no privileges", "out: 0", "exit: 0", "status 0");
    assertThat(Files.getAttribute(rootfs.resolve("written"), "unix:uid")).isEqualTo(65534);
  }

  @Test
  void chrootIsRefusedWithTheReason() throws Exception {
    assertThat(asNobody("chroot", 0, "true"))
        .containsExactly("error: --sandbox=chroot cannot be used: chroot: not root", "status 2");
  }
}
