package dev.slimbuild.core.run;

import dev.slimbuild.core.erofs.ErofsWriter;
import dev.slimbuild.core.fs.Privileges;
import dev.slimbuild.core.fs.Trees;
import java.io.ByteArrayInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;

/**
 * A layer image ({@link ErofsWriter}) mounted read-only: the kernel serves the layer's files
 * straight from the one image file, so a base image is never unpacked into files before a RUN. Only
 * root can mount (a file-backed EROFS mount on Linux 6.12+, a loop device before).
 */
public final class ErofsMount implements Closeable {
  private final Path dir;
  private boolean mounted = true;

  private ErofsMount(Path dir) {
    this.dir = dir;
    Overlay.track(dir);
  }

  /** Where the layer's files are. */
  public Path dir() {
    return dir;
  }

  /** Mounts {@code image} read-only at {@code dir} (an empty directory). */
  public static ErofsMount mount(Path image, Path dir) throws IOException {
    Host.mustRun(List.of("mount", "-t", "erofs", "-o", "ro", image.toString(), dir.toString()));
    return new ErofsMount(dir);
  }

  /**
   * Null when this process can mount layer images (it is root, the kernel has EROFS and a small
   * image written by {@link ErofsWriter} mounts and reads back), else why not. {@code scratch} is
   * an empty directory, deleted afterwards whatever the answer.
   */
  public static String unavailable(Path scratch) {
    return Trees.deletingAfter(scratch, () -> probe(scratch));
  }

  private static String probe(Path scratch) {
    if (!Privileges.isRoot()) {
      return "not root";
    }
    try {
      if (!Files.readString(Path.of("/proc/filesystems")).contains("erofs")) {
        return "the kernel has no EROFS";
      }
    } catch (IOException e) {
      return "cannot read /proc/filesystems";
    }
    if (Host.which("mount").isEmpty() || Host.which("umount").isEmpty()) {
      return "no mount(8)";
    }
    try {
      Path image = scratch.resolve("probe.erofs");
      byte[] text = "slimbuild".getBytes(StandardCharsets.UTF_8);
      try (FileChannel ch =
              FileChannel.open(image, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
          ErofsWriter w = new ErofsWriter(ch, 0)) {
        w.directory("d", 0755, 0, 0, 0, Map.of());
        w.file("d/f", 0644, 0, 0, 0, text.length, new ByteArrayInputStream(text), Map.of());
        w.finish();
      }
      Path dir = Files.createDirectory(scratch.resolve("m"));
      try (ErofsMount m = mount(image, dir)) {
        if (!Files.readString(m.dir().resolve("d/f")).equals("slimbuild")) {
          return "a mounted layer image read back wrong";
        }
      }
      return null;
    } catch (IOException | RuntimeException e) {
      return "layer image mount failed: " + e.getMessage();
    }
  }

  @Override
  public void close() throws IOException {
    if (mounted) {
      mounted = false;
      Overlay.unmount(dir);
    }
  }
}
