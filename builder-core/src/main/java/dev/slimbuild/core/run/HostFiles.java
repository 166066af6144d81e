package dev.slimbuild.core.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;

/** The host files a RUN with the host's network sees read-only: name resolution. */
final class HostFiles {
  static final List<String> NETWORK_FILES = List.of("/etc/resolv.conf", "/etc/hosts");

  /** PATH for the sandbox tools themselves (never the image's). */
  static final String HOST_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

  private HostFiles() {}

  /**
   * Whether host file {@code file} can be bound over the same path in the rootfs; creates an empty
   * target when missing. A target that is a symlink in the image is left alone (binding over it
   * would follow the link) and noted.
   */
  static boolean prepare(Path rootfs, String file, List<String> created, List<String> notes)
      throws IOException {
    if (!Files.isRegularFile(Path.of(file))) {
      return false;
    }
    if (!RootPaths.resolve(rootfs, file).equals(file.substring(1))) {
      notes.add(file + " is a symbolic link in the image; the host's copy is not bound over it");
      return false;
    }
    Path inRoot = rootfs.resolve(file.substring(1));
    if (Files.exists(inRoot, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(inRoot)) {
      notes.add(file + " is not a regular file in the image; the host's copy is not bound");
      return false;
    }
    RootPaths.ensure(rootfs, file, false, created);
    return true;
  }
}
