package dev.slimbuild.core.run;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A seccomp filter for RUN, in the spirit of Docker's default profile: the system calls a container
 * has no business making (mounting, loading kernel modules or BPF programs, the kernel keyring,
 * tracing other processes, new user or other namespaces, changing the clock, swap, reboot,
 * io_uring...) fail with {@code EPERM}; everything else is allowed. Written as a classic BPF
 * program ({@code struct sock_filter[]}, what bubblewrap's {@code --seccomp FD} reads) for x86_64
 * (and i386 calls made from it), and aarch64; the architecture is checked first, x32 calls and
 * calls of any other architecture fail with {@code ENOSYS}.
 */
final class Seccomp {
  static final int AUDIT_ARCH_X86_64 = 0xc000003e;
  static final int AUDIT_ARCH_I386 = 0x40000003;
  static final int AUDIT_ARCH_AARCH64 = 0xc00000b7;

  static final int RET_ALLOW = 0x7fff0000;
  static final int RET_ERRNO = 0x00050000;
  static final int EPERM = 1;
  static final int ENOSYS = 38;
  static final int X32_SYSCALL_BIT = 0x40000000;

  /** CLONE_NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET: Docker's mask. */
  static final int CLONE_NAMESPACES = 0x7e020000;

  // struct seccomp_data: int nr; __u32 arch; __u64 instruction_pointer; __u64 args[6]
  static final int OFF_NR = 0;
  static final int OFF_ARCH = 4;
  static final int OFF_ARG0 = 16;

  private static final short LD_W_ABS = 0x20;
  private static final short JEQ_K = 0x15;
  private static final short JGE_K = 0x35;
  private static final short JSET_K = 0x45;
  private static final short JA = 0x05;
  private static final short RET_K = 0x06;

  /** One architecture's numbers: the denied calls, clone and clone3. */
  record Arch(int audit, Map<String, Integer> denied, int cloneNr, int clone3Nr, boolean x32) {}

  /** The calls denied everywhere they exist (numbers per architecture below). */
  static final List<String> DENIED =
      List.of(
          "mount",
          "umount",
          "umount2",
          "pivot_root",
          "fsopen",
          "fsconfig",
          "fsmount",
          "fspick",
          "move_mount",
          "open_tree",
          "mount_setattr",
          "swapon",
          "swapoff",
          "reboot",
          "kexec_load",
          "kexec_file_load",
          "init_module",
          "finit_module",
          "delete_module",
          "create_module",
          "get_kernel_syms",
          "query_module",
          "bpf",
          "perf_event_open",
          "userfaultfd",
          "keyctl",
          "add_key",
          "request_key",
          "ptrace",
          "kcmp",
          "open_by_handle_at",
          "setns",
          "unshare",
          "acct",
          "settimeofday",
          "stime",
          "clock_settime",
          "clock_settime64",
          "clock_adjtime",
          "clock_adjtime64",
          "adjtimex",
          "syslog",
          "iopl",
          "ioperm",
          "vm86",
          "vm86old",
          "lookup_dcookie",
          "quotactl",
          "quotactl_fd",
          "vhangup",
          "nfsservctl",
          "uselib",
          "_sysctl",
          "sysfs",
          "ustat",
          "io_uring_setup",
          "io_uring_enter",
          "io_uring_register");

  static final Arch X86_64 =
      new Arch(
          AUDIT_ARCH_X86_64,
          numbers(
              "mount",
              165,
              "umount2",
              166,
              "pivot_root",
              155,
              "fsopen",
              430,
              "fsconfig",
              431,
              "fsmount",
              432,
              "fspick",
              433,
              "move_mount",
              429,
              "open_tree",
              428,
              "mount_setattr",
              442,
              "swapon",
              167,
              "swapoff",
              168,
              "reboot",
              169,
              "kexec_load",
              246,
              "kexec_file_load",
              320,
              "init_module",
              175,
              "finit_module",
              313,
              "delete_module",
              176,
              "create_module",
              174,
              "get_kernel_syms",
              177,
              "query_module",
              178,
              "bpf",
              321,
              "perf_event_open",
              298,
              "userfaultfd",
              323,
              "keyctl",
              250,
              "add_key",
              248,
              "request_key",
              249,
              "ptrace",
              101,
              "kcmp",
              312,
              "open_by_handle_at",
              304,
              "setns",
              308,
              "unshare",
              272,
              "acct",
              163,
              "settimeofday",
              164,
              "clock_settime",
              227,
              "clock_adjtime",
              305,
              "adjtimex",
              159,
              "syslog",
              103,
              "iopl",
              172,
              "ioperm",
              173,
              "lookup_dcookie",
              212,
              "quotactl",
              179,
              "quotactl_fd",
              443,
              "vhangup",
              153,
              "nfsservctl",
              180,
              "uselib",
              134,
              "_sysctl",
              156,
              "sysfs",
              139,
              "ustat",
              136,
              "io_uring_setup",
              425,
              "io_uring_enter",
              426,
              "io_uring_register",
              427),
          56,
          435,
          true);

  static final Arch I386 =
      new Arch(
          AUDIT_ARCH_I386,
          numbers(
              "mount",
              21,
              "umount",
              22,
              "umount2",
              52,
              "pivot_root",
              217,
              "fsopen",
              430,
              "fsconfig",
              431,
              "fsmount",
              432,
              "fspick",
              433,
              "move_mount",
              429,
              "open_tree",
              428,
              "mount_setattr",
              442,
              "swapon",
              87,
              "swapoff",
              115,
              "reboot",
              88,
              "kexec_load",
              283,
              "init_module",
              128,
              "finit_module",
              350,
              "delete_module",
              129,
              "create_module",
              127,
              "get_kernel_syms",
              130,
              "query_module",
              167,
              "bpf",
              357,
              "perf_event_open",
              336,
              "userfaultfd",
              374,
              "keyctl",
              288,
              "add_key",
              286,
              "request_key",
              287,
              "ptrace",
              26,
              "kcmp",
              349,
              "open_by_handle_at",
              342,
              "setns",
              346,
              "unshare",
              310,
              "acct",
              51,
              "settimeofday",
              79,
              "stime",
              25,
              "clock_settime",
              264,
              "clock_settime64",
              404,
              "clock_adjtime",
              343,
              "clock_adjtime64",
              405,
              "adjtimex",
              124,
              "syslog",
              103,
              "iopl",
              110,
              "ioperm",
              101,
              "vm86",
              166,
              "vm86old",
              113,
              "lookup_dcookie",
              253,
              "quotactl",
              131,
              "quotactl_fd",
              443,
              "vhangup",
              111,
              "nfsservctl",
              169,
              "uselib",
              86,
              "_sysctl",
              149,
              "sysfs",
              135,
              "ustat",
              62,
              "io_uring_setup",
              425,
              "io_uring_enter",
              426,
              "io_uring_register",
              427),
          120,
          435,
          false);

  static final Arch AARCH64 =
      new Arch(
          AUDIT_ARCH_AARCH64,
          numbers(
              "mount",
              40,
              "umount2",
              39,
              "pivot_root",
              41,
              "fsopen",
              430,
              "fsconfig",
              431,
              "fsmount",
              432,
              "fspick",
              433,
              "move_mount",
              429,
              "open_tree",
              428,
              "mount_setattr",
              442,
              "swapon",
              224,
              "swapoff",
              225,
              "reboot",
              142,
              "kexec_load",
              104,
              "kexec_file_load",
              294,
              "init_module",
              105,
              "finit_module",
              273,
              "delete_module",
              106,
              "bpf",
              280,
              "perf_event_open",
              241,
              "userfaultfd",
              282,
              "keyctl",
              219,
              "add_key",
              217,
              "request_key",
              218,
              "ptrace",
              117,
              "kcmp",
              272,
              "open_by_handle_at",
              265,
              "setns",
              268,
              "unshare",
              97,
              "acct",
              89,
              "settimeofday",
              170,
              "clock_settime",
              112,
              "clock_adjtime",
              266,
              "adjtimex",
              171,
              "syslog",
              116,
              "lookup_dcookie",
              18,
              "quotactl",
              60,
              "quotactl_fd",
              443,
              "vhangup",
              58,
              "nfsservctl",
              42,
              "io_uring_setup",
              425,
              "io_uring_enter",
              426,
              "io_uring_register",
              427),
          220,
          435,
          false);

  static final List<Arch> ARCHES = List.of(X86_64, I386, AARCH64);

  private Seccomp() {}

  private static Map<String, Integer> numbers(Object... pairs) {
    Map<String, Integer> m = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      String name = (String) pairs[i];
      if (!DENIED.contains(name)) {
        throw new IllegalArgumentException("not a denied call: " + name);
      }
      m.put(name, (Integer) pairs[i + 1]);
    }
    return m;
  }

  /** One BPF instruction. */
  record Insn(short code, int jt, int jf, int k) {}

  /** The filter as instructions (for tests: they run it through an interpreter). */
  static List<Insn> program() {
    List<List<Insn>> blocks = new ArrayList<>();
    for (Arch a : ARCHES) {
      blocks.add(block(a));
    }
    List<Insn> head = new ArrayList<>();
    head.add(new Insn(LD_W_ABS, 0, 0, OFF_ARCH));
    // per arch: jeq ARCH (next: ja BLOCK) else skip the ja
    int headLen = 1 + 2 * ARCHES.size() + 1;
    int blockStart = headLen;
    for (int i = 0; i < ARCHES.size(); i++) {
      head.add(new Insn(JEQ_K, 0, 1, ARCHES.get(i).audit()));
      int jaIndex = head.size();
      head.add(new Insn(JA, 0, 0, blockStart - (jaIndex + 1)));
      blockStart += blocks.get(i).size();
    }
    head.add(ret(RET_ERRNO | ENOSYS));
    List<Insn> all = new ArrayList<>(head);
    blocks.forEach(all::addAll);
    if (all.size() > 4096) {
      throw new IllegalStateException("seccomp program too long: " + all.size());
    }
    return all;
  }

  private static List<Insn> block(Arch a) {
    List<Insn> b = new ArrayList<>();
    b.add(new Insn(LD_W_ABS, 0, 0, OFF_NR));
    if (a.x32()) {
      b.add(new Insn(JGE_K, 0, 1, X32_SYSCALL_BIT));
      b.add(ret(RET_ERRNO | ENOSYS));
    }
    for (int nr : a.denied().values()) {
      b.add(new Insn(JEQ_K, 0, 1, nr));
      b.add(ret(RET_ERRNO | EPERM));
    }
    // glibc falls back to clone when clone3 is missing; clone's flags can be inspected
    b.add(new Insn(JEQ_K, 0, 1, a.clone3Nr()));
    b.add(ret(RET_ERRNO | ENOSYS));
    b.add(new Insn(JEQ_K, 0, 3, a.cloneNr()));
    int arg0Low = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? OFF_ARG0 : OFF_ARG0 + 4;
    b.add(new Insn(LD_W_ABS, 0, 0, arg0Low));
    b.add(new Insn(JSET_K, 0, 1, CLONE_NAMESPACES));
    b.add(ret(RET_ERRNO | EPERM));
    b.add(ret(RET_ALLOW));
    return b;
  }

  private static Insn ret(int k) {
    return new Insn(RET_K, 0, 0, k);
  }

  /** The filter as {@code struct sock_filter[]} in this machine's byte order. */
  static byte[] bpf() {
    List<Insn> p = program();
    ByteBuffer buf = ByteBuffer.allocate(p.size() * 8).order(ByteOrder.nativeOrder());
    for (Insn i : p) {
      buf.putShort(i.code()).put((byte) i.jt()).put((byte) i.jf()).putInt(i.k());
    }
    return buf.array();
  }
}
