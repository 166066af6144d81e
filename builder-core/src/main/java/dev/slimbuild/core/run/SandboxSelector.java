package dev.slimbuild.core.run;

import dev.slimbuild.core.SlimbuildException;
import dev.slimbuild.core.fs.Privileges;
import dev.slimbuild.core.oci.Platform;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Picks the sandbox for RUN: {@code auto} prefers bwrap (installed and user namespaces work), then
 * chroot (only as root), then proot; a foreign platform needs binfmt_misc for bwrap and chroot,
 * otherwise proot with qemu. A forced mode that cannot work here is an error saying why.
 */
public final class SandboxSelector {

  /**
   * The chosen sandbox, why it was chosen, and why each better one was skipped (e.g. {@code bwrap:
   * user namespaces blocked (probe failed: ...)}).
   */
  public record Selection(Sandbox sandbox, String why, List<String> skipped) {
    public Selection {
      skipped = List.copyOf(skipped);
    }

    /**
     * The one warning a build prints when this sandbox cannot keep a RUN from the host (chroot as
     * root, proot), saying what a RUN can reach; empty for an isolating sandbox.
     */
    public String warning() {
      if (sandbox.isolates()) {
        return "";
      }
      return "RUN sandbox "
          + sandbox.name()
          + " does not isolate RUN from this machine: "
          + sandbox.reaches()
          + (skipped.isEmpty() ? "" : " (" + String.join("; ", skipped) + ")");
    }
  }

  private SandboxSelector() {}

  /**
   * The sandbox RUN uses.
   *
   * @param mode which sandbox: the first that works here ({@code auto}), or the one named
   * @param target the platform the RUN's binaries are for
   */
  public static Selection select(SandboxMode mode, Platform target) {
    List<String> skipped = new ArrayList<>();
    boolean foreign = Emulation.isForeign(target);
    String binfmt = foreign ? Emulation.binfmtProblem(null, target) : null;
    switch (mode) {
      case AUTO -> {
        Optional<Sandbox> s = bwrap(foreign, binfmt, skipped);
        if (s.isPresent()) {
          return new Selection(s.get(), "bwrap: installed and user namespaces work", skipped);
        }
        s = chroot(foreign, binfmt, skipped);
        if (s.isPresent()) {
          return new Selection(s.get(), "chroot: running as root", skipped);
        }
        s = proot(target, foreign, skipped);
        if (s.isPresent()) {
          return new Selection(s.get(), prootWhy(target, foreign), skipped);
        }
        if (foreign && Host.which(qemuName(target)).isEmpty()) {
          throw new SlimbuildException(
              Emulation.missingQemu(target).getMessage() + skippedText(skipped));
        }
        throw new SlimbuildException(
            "RUN needs bubblewrap, root (chroot) or proot; none works here" + skippedText(skipped));
      }
      case BWRAP -> {
        return forced(bwrap(foreign, binfmt, skipped), "bwrap", skipped);
      }
      case CHROOT -> {
        return forced(chroot(foreign, binfmt, skipped), "chroot", skipped);
      }
      case PROOT -> {
        if (foreign) {
          Emulation.qemuStatic(target);
        }
        Optional<Sandbox> s = proot(target, foreign, skipped);
        if (s.isEmpty()) {
          throw new SlimbuildException("--sandbox=proot cannot be used: " + skipped.get(0));
        }
        return new Selection(s.get(), prootWhy(target, foreign), skipped);
      }
      default -> throw new IllegalStateException("sandbox " + mode);
    }
  }

  private static Selection forced(Optional<Sandbox> s, String mode, List<String> skipped) {
    if (s.isEmpty()) {
      throw new SlimbuildException("--sandbox=" + mode + " cannot be used: " + skipped.get(0));
    }
    return new Selection(s.get(), mode + ": asked for", skipped);
  }

  private static Optional<Sandbox> bwrap(boolean foreign, String binfmt, List<String> skipped) {
    Optional<Path> bwrap = Host.which("bwrap");
    if (bwrap.isEmpty()) {
      skipped.add("bwrap: not installed (package bubblewrap)");
    } else if (foreign && binfmt != null) {
      skipped.add("bwrap: foreign binaries need binfmt_misc: " + binfmt);
    } else {
      String problem = BwrapSandbox.probe(bwrap.get());
      if (problem == null) {
        return Optional.of(new BwrapSandbox(bwrap.get()));
      }
      skipped.add(
          "bwrap: cannot isolate a RUN here: user namespaces, seccomp or namespaces"
              + " refused (probe failed: "
              + problem
              + ")");
    }
    return Optional.empty();
  }

  private static Optional<Sandbox> chroot(boolean foreign, String binfmt, List<String> skipped) {
    Optional<Path> chroot = Host.which("chroot");
    if (!Privileges.isRoot()) {
      skipped.add("chroot: not root");
    } else if (chroot.isEmpty()) {
      skipped.add("chroot: not installed (package coreutils)");
    } else if (foreign && binfmt != null) {
      skipped.add("chroot: foreign binaries need binfmt_misc: " + binfmt);
    } else {
      String problem = Host.probe(List.of(chroot.get().toString(), "/", "true"));
      if (problem == null) {
        return Optional.of(new ChrootSandbox(chroot.get()));
      }
      skipped.add("chroot: not permitted (probe failed: " + problem + ")");
    }
    return Optional.empty();
  }

  private static Optional<Sandbox> proot(Platform target, boolean foreign, List<String> skipped) {
    Optional<Path> proot = Host.which("proot");
    if (proot.isEmpty()) {
      skipped.add("proot: not installed (package proot)");
    } else if (foreign && Host.which(qemuName(target)).isEmpty()) {
      skipped.add("proot: " + qemuName(target) + " not installed (package qemu-user-static)");
    } else {
      return Optional.of(new ProotSandbox(proot.get()));
    }
    return Optional.empty();
  }

  private static String prootWhy(Platform target, boolean foreign) {
    return foreign
        ? "proot: runs " + target.normalize() + " binaries through " + qemuName(target)
        : "proot: needs no privileges";
  }

  private static String qemuName(Platform target) {
    return "qemu-" + Emulation.qemuArch(target) + "-static";
  }

  private static String skippedText(List<String> skipped) {
    return skipped.isEmpty() ? "" : "\n  " + String.join("\n  ", skipped);
  }
}
