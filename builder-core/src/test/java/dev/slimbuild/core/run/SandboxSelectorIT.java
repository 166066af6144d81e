package dev.slimbuild.core.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slimbuild.core.SlimbuildException;
import dev.slimbuild.core.fs.Privileges;
import dev.slimbuild.core.oci.Platform;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sandbox selection on this machine (root, user namespaces allowed) and arm64 through qemu. */
class SandboxSelectorIT {
  static final Platform ARM64 = Platform.parse("linux/arm64");

  @TempDir Path tmp;

  @Test
  void autoPrefersBwrap() {
    SandboxSelector.Selection s = SandboxSelector.select(SandboxMode.AUTO, SandboxContract.AMD64);
    assertThat(s.sandbox()).isInstanceOf(BwrapSandbox.class);
    assertThat(s.why()).isEqualTo("bwrap: installed and user namespaces work");
    assertThat(s.skipped()).isEmpty();
  }

  /**
   * The old probe bound the host's whole root and failed when a mount below it went away while
   * bwrap copied it (an overlay probe of the same build): auto then fell back to chroot. Now auto
   * takes bwrap every time while overlay probes mount and unmount next to it.
   */
  @Test
  void autoIsDeterministicWhileOverlayProbesMountAndUnmount() throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger probes = new AtomicInteger();
    Thread churn =
        new Thread(
            () -> {
              for (int i = 0; i < 10_000 && !stop.get(); i++) {
                try {
                  Path scratch = Files.createTempDirectory(tmp, "overlay-probe-");
                  String why =
                      Privileges.isRoot()
                          ? Overlay.unavailable(scratch)
                          : Overlay.unavailableInUserNamespace(scratch);
                  if (why == null) {
                    probes.incrementAndGet();
                  }
                } catch (IOException e) {
                  return;
                }
              }
            },
            "overlay-probes");
    churn.start();
    try {
      for (int i = 0; i < 15; i++) {
        SandboxSelector.Selection s =
            SandboxSelector.select(SandboxMode.AUTO, SandboxContract.AMD64);
        assertThat(s.sandbox().name()).as("round " + i + ": " + s.skipped()).isEqualTo("bwrap");
        assertThat(s.warning()).isEmpty();
      }
    } finally {
      stop.set(true);
      churn.join();
    }
    assertThat(probes.get()).as("overlay probes that ran meanwhile").isPositive();
  }

  @Test
  void aSandboxThatDoesNotIsolateSaysWhatARunCanReach() {
    SandboxSelector.Selection chroot =
        SandboxSelector.select(SandboxMode.CHROOT, SandboxContract.AMD64);
    assertThat(chroot.sandbox().isolates()).isFalse();
    assertThat(chroot.warning())
        .startsWith("RUN sandbox chroot does not isolate RUN from this machine: ")
        .contains("read and write any host file", "see and signal host processes");
    SandboxSelector.Selection proot =
        SandboxSelector.select(SandboxMode.PROOT, SandboxContract.AMD64);
    assertThat(proot.warning())
        .startsWith("RUN sandbox proot does not isolate RUN")
        .contains("openat2");
  }

  @Test
  void forcedModes() {
    assertThat(SandboxSelector.select(SandboxMode.CHROOT, SandboxContract.AMD64).sandbox())
        .isInstanceOf(ChrootSandbox.class);
    assertThat(SandboxSelector.select(SandboxMode.PROOT, SandboxContract.AMD64).sandbox())
        .isInstanceOf(ProotSandbox.class);
    assertThatThrownBy(() -> SandboxMode.parse("docker", "--sandbox"))
        .isInstanceOf(SlimbuildException.class)
        .hasMessage("invalid --sandbox 'docker': expected auto, bwrap, chroot or proot");
  }

  @Test
  void missingQemuNamesThePackage() {
    assertThat(Emulation.missingQemu(ARM64).getMessage())
        .isEqualTo(
            "RUN for linux/arm64 on this amd64 machine needs qemu-user-static"
                + " (apt-get install qemu-user-static) or binfmt_misc");
  }

  @Test
  void arm64RunsThroughProotAndQemu() throws Exception {
    Path rootfs = BusyboxRootfs.create("arm64", tmp.resolve("rootfs"));
    SandboxContract.Lines lines = new SandboxContract.Lines();
    RunSpec spec =
        RunSpec.of(rootfs, List.of("sh", "-c", "uname -m; id -u"), ARM64)
            .withEnv(SandboxContract.ENV)
            .withUser(1000, 1000);
    RunResult r = new ProotSandbox(Host.which("proot").orElseThrow()).run(spec, lines);
    assertThat(r.exitCode()).as(lines.err.toString()).isZero();
    assertThat(lines.out).containsExactly("aarch64", "1000");

    SandboxSelector.Selection auto = SandboxSelector.select(SandboxMode.AUTO, ARM64);
    SandboxContract.Lines viaAuto = new SandboxContract.Lines();
    assertThat(auto.sandbox().run(spec, viaAuto).exitCode()).isZero();
    assertThat(viaAuto.out).containsExactly("aarch64", "1000");
    if (Emulation.binfmtProblem(null, ARM64) == null) {
      assertThat(auto.sandbox()).isInstanceOf(BwrapSandbox.class);
    } else {
      // no binfmt_misc qemu-aarch64 here: auto explains why bwrap and chroot were passed over
      assertThat(auto.sandbox()).isInstanceOf(ProotSandbox.class);
      assertThat(auto.why())
          .isEqualTo("proot: runs linux/arm64 binaries through qemu-aarch64-static");
      assertThat(auto.skipped())
          .hasSize(2)
          .allMatch(s -> s.contains("foreign binaries need binfmt_misc: no binfmt_misc entry"));
      assertThat(auto.skipped().get(0)).startsWith("bwrap: ");
      assertThat(auto.skipped().get(1)).startsWith("chroot: ");
      assertThatThrownBy(() -> SandboxSelector.select(SandboxMode.BWRAP, ARM64))
          .isInstanceOf(SlimbuildException.class)
          .hasMessageStartingWith("--sandbox=bwrap cannot be used: bwrap: foreign binaries need")
          .hasMessageContaining("qemu-aarch64");
      assertThatThrownBy(
              () -> new BwrapSandbox(Host.which("bwrap").orElseThrow()).run(spec, viaAuto))
          .isInstanceOf(SlimbuildException.class)
          .hasMessageContaining("the proot sandbox runs it through qemu-user-static");
    }
  }
}
