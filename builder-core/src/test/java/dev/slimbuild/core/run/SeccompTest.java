package dev.slimbuild.core.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The seccomp program, run through a small classic-BPF interpreter. */
class SeccompTest {
  private static final int ALLOW = Seccomp.RET_ALLOW;
  private static final int EPERM = Seccomp.RET_ERRNO | Seccomp.EPERM;
  private static final int ENOSYS = Seccomp.RET_ERRNO | Seccomp.ENOSYS;
  private static final int CLONE_NEWUSER = 0x10000000;
  private static final int CLONE_THREAD_FLAGS = 0x003d0f00; // what glibc's pthread_create passes

  /** Runs the filter on one call: {@code nr} with {@code arg0}'s low word, for {@code arch}. */
  static int decide(int arch, int nr, int arg0) {
    List<Seccomp.Insn> p = Seccomp.program();
    int a = 0;
    for (int pc = 0, steps = 0; steps < 10_000; steps++) {
      Seccomp.Insn i = p.get(pc);
      switch (i.code()) {
        case 0x20 -> {
          a =
              switch (i.k()) {
                case Seccomp.OFF_NR -> nr;
                case Seccomp.OFF_ARCH -> arch;
                case Seccomp.OFF_ARG0 -> arg0;
                default -> throw new AssertionError("load at " + i.k());
              };
          pc++;
        }
        case 0x15 -> pc += 1 + (a == i.k() ? i.jt() : i.jf());
        case 0x35 -> pc += 1 + (Integer.compareUnsigned(a, i.k()) >= 0 ? i.jt() : i.jf());
        case 0x45 -> pc += 1 + ((a & i.k()) != 0 ? i.jt() : i.jf());
        case 0x05 -> pc += 1 + i.k();
        case 0x06 -> {
          return i.k();
        }
        default -> throw new AssertionError("opcode " + i.code());
      }
    }
    throw new AssertionError("no return");
  }

  @Test
  void deniesWhatDockersDefaultDeniesPerArchitecture() {
    int x86 = Seccomp.AUDIT_ARCH_X86_64;
    assertThat(decide(x86, 165, 0)).as("mount").isEqualTo(EPERM);
    assertThat(decide(x86, 166, 0)).as("umount2").isEqualTo(EPERM);
    assertThat(decide(x86, 250, 0)).as("keyctl").isEqualTo(EPERM);
    assertThat(decide(x86, 101, 0)).as("ptrace").isEqualTo(EPERM);
    assertThat(decide(x86, 272, 0)).as("unshare").isEqualTo(EPERM);
    assertThat(decide(x86, 313, 0)).as("finit_module").isEqualTo(EPERM);
    assertThat(decide(x86, 0, 0)).as("read").isEqualTo(ALLOW);
    assertThat(decide(x86, 257, 0)).as("openat").isEqualTo(ALLOW);
    assertThat(decide(x86, 435, 0)).as("clone3").isEqualTo(ENOSYS);
    assertThat(decide(x86, 56, CLONE_THREAD_FLAGS)).as("clone of a thread").isEqualTo(ALLOW);
    assertThat(decide(x86, 56, 17)).as("fork").isEqualTo(ALLOW);
    assertThat(decide(x86, 56, CLONE_NEWUSER | 17)).as("clone NEWUSER").isEqualTo(EPERM);
    assertThat(decide(x86, 0x40000000 | 165, 0)).as("x32").isEqualTo(ENOSYS);
    int i386 = Seccomp.AUDIT_ARCH_I386;
    assertThat(decide(i386, 21, 0)).as("i386 mount").isEqualTo(EPERM);
    assertThat(decide(i386, 26, 0)).as("i386 ptrace").isEqualTo(EPERM);
    assertThat(decide(i386, 3, 0)).as("i386 read").isEqualTo(ALLOW);
    assertThat(decide(i386, 120, CLONE_NEWUSER)).as("i386 clone NEWUSER").isEqualTo(EPERM);
    int arm = Seccomp.AUDIT_ARCH_AARCH64;
    assertThat(decide(arm, 40, 0)).as("arm64 mount").isEqualTo(EPERM);
    assertThat(decide(arm, 97, 0)).as("arm64 unshare").isEqualTo(EPERM);
    assertThat(decide(arm, 63, 0)).as("arm64 read").isEqualTo(ALLOW);
    assertThat(decide(arm, 220, CLONE_NEWUSER)).as("arm64 clone NEWUSER").isEqualTo(EPERM);
    assertThat(decide(arm, 220, 17)).as("arm64 fork").isEqualTo(ALLOW);
    assertThat(decide(0x40000028, 3, 0)).as("another architecture").isEqualTo(ENOSYS);
  }

  /** The numbers match the kernel headers of this machine, where they are installed. */
  @Test
  void numbersMatchTheKernelHeaders() throws Exception {
    check(Seccomp.X86_64, Path.of("/usr/include/x86_64-linux-gnu/asm/unistd_64.h"));
    check(Seccomp.I386, Path.of("/usr/include/x86_64-linux-gnu/asm/unistd_32.h"));
    check(Seccomp.AARCH64, Path.of("/usr/include/asm-generic/unistd.h"));
  }

  private static void check(Seccomp.Arch arch, Path header) throws Exception {
    Assumptions.assumeTrue(
        Files.isRegularFile(header), "no " + header + " (package linux-libc-dev)");
    Map<String, Integer> defined = new HashMap<>();
    Matcher m =
        Pattern.compile("#define\\s+__NR_(\\w+)\\s+(\\d+)").matcher(Files.readString(header));
    while (m.find()) {
      defined.put(m.group(1), Integer.parseInt(m.group(2)));
    }
    arch.denied()
        .forEach((name, nr) -> assertThat(defined.get(name)).as(header + " " + name).isEqualTo(nr));
    assertThat(defined.get("clone")).isEqualTo(arch.cloneNr());
    assertThat(defined.get("clone3")).isEqualTo(arch.clone3Nr());
  }

  @Test
  void everyDeniedCallHasANumberWhereItExistsAndTheProgramFitsTheKernelsLimit() {
    assertThat(Seccomp.X86_64.denied()).containsKeys("mount", "bpf", "keyctl", "open_by_handle_at");
    assertThat(Seccomp.AARCH64.denied())
        .containsKeys("mount", "bpf", "keyctl", "open_by_handle_at");
    assertThat(Seccomp.program().size()).isLessThan(4096);
    assertThat(Seccomp.bpf()).hasSize(Seccomp.program().size() * 8);
  }
}
