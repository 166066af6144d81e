package dev.slimbuild.core.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slimbuild.core.fs.Privileges;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/** {@link BwrapSandbox} against a real busybox rootfs, and what it keeps a RUN from. */
class BwrapSandboxIT extends SandboxContract {
  /** Docker's default capability set as a mask (CapEff of a default container's root). */
  static final String DOCKER_CAPS = "00000000a80425fb";

  @Override
  Sandbox sandbox() {
    return new BwrapSandbox(Host.which("bwrap").orElseThrow());
  }

  @Test
  void rootHasDockersCapabilitiesInItsOwnUserNamespaceAndKeepsRealOwners() throws Exception {
    Lines lines = new Lines();
    RunResult r =
        run(
            sh(
                "grep -E '^Cap(Eff|Bnd)' /proc/self/status; cat /proc/self/uid_map;"
                    + " touch /owned && chown 1234:5678 /owned && echo chowned"),
            lines);
    assertThat(r.exitCode()).as(lines.err.toString()).isZero();
    assertThat(lines.out).contains("CapEff:\t" + DOCKER_CAPS, "CapBnd:\t" + DOCKER_CAPS, "chowned");
    String map = lines.out.stream().filter(l -> l.trim().startsWith("0 ")).findFirst().orElse("");
    if (Privileges.isRoot()) {
      assertThat(map.trim().split("\\s+")).containsExactly("0", "0", "4294967295");
      assertThat(Files.getAttribute(rootfs.resolve("owned"), "unix:uid")).isEqualTo(1234);
      assertThat(Files.getAttribute(rootfs.resolve("owned"), "unix:gid")).isEqualTo(5678);
    }
  }

  @Test
  void anotherUserHasNoCapabilities() throws Exception {
    Lines lines = new Lines();
    RunResult r = run(sh("grep -E '^CapEff' /proc/self/status").withUser(65534, 65534), lines);
    assertThat(r.exitCode()).as(lines.err.toString()).isZero();
    assertThat(lines.out).containsExactly("CapEff:\t0000000000000000");
  }

  @Test
  void procSysIsReadOnlyDevicesMountsNamespacesAndTheKeyringAreRefused() throws Exception {
    for (int uid : new int[] {0, 65534}) {
      Lines lines = new Lines();
      String script =
          "(true >> /proc/sys/kernel/domainname) 2>/dev/null && echo procsys-writable;"
              + " (true >> /proc/sysrq-trigger) 2>/dev/null && echo sysrq-writable;"
              + " mkdir -p /tmp && mknod /tmp/blk b 7 0 2>/dev/null && echo mknod;"
              + " mkdir -p /mnt && mount -t tmpfs none /mnt 2>/dev/null && echo mounted;"
              + " unshare -U true 2>/dev/null && echo userns; unshare -r true 2>/dev/null &&"
              + " echo userns; ls /dev; [ -e /sys/kernel ] && echo sys; echo done";
      RunResult r = run(sh(script).withUser(uid, uid), lines);
      assertThat(r.exitCode()).as(lines.err.toString()).isZero();
      assertThat(lines.out)
          .as("uid " + uid)
          .contains("done")
          .doesNotContain("procsys-writable", "sysrq-writable", "mknod", "mounted", "userns", "sys")
          .noneMatch(
              l ->
                  l.startsWith("sd")
                      || l.startsWith("vd")
                      || l.startsWith("nvme")
                      || l.equals("mem")
                      || l.equals("kmsg"));
    }
  }
}
