package dev.slimbuild.core.run;

/**
 * {@link ProotSandbox} against a real busybox rootfs; proot fakes ids and cannot bind read-only.
 */
class ProotSandboxIT extends SandboxContract {
  @Override
  Sandbox sandbox() {
    return new ProotSandbox(Host.which("proot").orElseThrow());
  }

  @Override
  boolean enforcesReadOnly() {
    return false;
  }
}
