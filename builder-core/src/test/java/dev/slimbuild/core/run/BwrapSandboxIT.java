package dev.slimbuild.core.run;

/** {@link BwrapSandbox} against a real busybox rootfs. */
class BwrapSandboxIT extends SandboxContract {
  @Override
  Sandbox sandbox() {
    return new BwrapSandbox(Host.which("bwrap").orElseThrow());
  }
}
