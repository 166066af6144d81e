package dev.slimbuild.core.run;

/** {@link ChrootSandbox} against a real busybox rootfs (the tests run as root). */
class ChrootSandboxIT extends SandboxContract {
  @Override
  Sandbox sandbox() {
    return new ChrootSandbox(Host.which("chroot").orElseThrow());
  }
}
