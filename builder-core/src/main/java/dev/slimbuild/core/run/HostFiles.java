package dev.slimbuild.core.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;

/**
 * The host files a RUN with the host's network sees read-only (name resolution), and the {@code
 * /etc/hostname} a RUN sees when the image has none.
 */
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

  /**
   * A file naming the host the RUN sees ({@code hostname}), to be bound over {@code /etc/hostname}
   * for the RUN when the image has none (or only an empty one: a mount point an earlier RUN of the
   * stage left), as buildah and Docker's classic builder give one: the mount point is made and
   * listed in {@code created}, so what the RUN writes there goes with the file, never into the
   * layer. Null when the image has its own, or its {@code /etc} or {@code /etc/hostname} is a
   * symbolic link (a bind would follow it). The caller deletes the file.
   */
  static Path hostname(Path rootfs, List<String> created) throws IOException {
    if (!RootPaths.resolve(rootfs, HOSTNAME).equals(HOSTNAME.substring(1))) {
      return null;
    }
    Path inRoot = rootfs.resolve(HOSTNAME.substring(1));
    if (Files.exists(inRoot, LinkOption.NOFOLLOW_LINKS)
        && !(Files.isRegularFile(inRoot, LinkOption.NOFOLLOW_LINKS) && Files.size(inRoot) == 0)) {
      return null;
    }
    RootPaths.ensure(rootfs, HOSTNAME, false, created);
    Path file = Files.createTempFile("slimbuild-hostname-", "");
    Files.writeString(file, hostName() + "\n");
    return file;
  }

  static final String HOSTNAME = "/etc/hostname";

  /** The host's name, which every sandbox's RUN sees (bwrap's uts namespace starts with it). */
  static String hostName() {
    try {
      String n = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
      return n.isEmpty() ? "localhost" : n;
    } catch (IOException e) {
      return "localhost";
    }
  }
}
