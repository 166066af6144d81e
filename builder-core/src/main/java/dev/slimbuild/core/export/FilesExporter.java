package dev.slimbuild.core.export;

import dev.slimbuild.core.SlimbuildException;
import dev.slimbuild.core.fs.Privileges;
import dev.slimbuild.core.fs.Trees;
import dev.slimbuild.core.image.BlobStore;
import dev.slimbuild.core.image.BuiltImage;
import dev.slimbuild.core.layer.LayerFlattener;
import dev.slimbuild.core.oci.Descriptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code type=local} (the image's files in a directory) and {@code type=tar} (the same files as one
 * tar): the final stage's filesystem, every layer applied, base layers included, as buildx's local
 * and tar exporters write it. With several platforms each gets its own directory, named like {@code
 * linux_arm64}.
 */
final class FilesExporter implements Exporter {
  private final boolean tar;
  private final Path dest;
  private final OutputStream stdout;

  FilesExporter(OutputSpec spec, OutputStream stdout) {
    this.tar = spec.type() == OutputSpec.Type.TAR;
    this.dest = spec.dest().orElseThrow();
    this.stdout = stdout;
  }

  @Override
  public String describe() {
    return (tar ? "tar" : "local")
        + " output to "
        + (toStdout() ? "standard output" : dest.toString());
  }

  @Override
  public boolean toStdout() {
    return dest.toString().equals("-");
  }

  @Override
  public void check() throws IOException {
    Path target = dest.toAbsolutePath().normalize();
    if (tar) {
      AtomicFile.checkFile(dest, "--output type=tar (type=local writes a directory)");
    } else if (Files.exists(target, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(target)) {
      throw new SlimbuildException(
          "output "
              + target
              + " exists and is not a directory;"
              + " type=local writes the image's files into a directory");
    }
  }

  @Override
  public void export(ExportContext c) throws IOException {
    List<BuiltImage> images = c.result().image().images();
    boolean split = images.size() > 1;
    if (tar) {
      AtomicFile.write(
          dest,
          stdout,
          out -> {
            LayerFlattener.TarSink sink = LayerFlattener.tarSink(out, "");
            for (BuiltImage i : images) {
              if (split) {
                sink.prefix(dirName(i) + "/", c.epoch());
              }
              LayerFlattener.flatten(layers(c.blobs(), i), sink);
            }
            sink.finish();
          });
      return;
    }
    Path target = dest.toAbsolutePath().normalize();
    Files.createDirectories(target.getParent());
    Path staged = Files.createTempDirectory(target.getParent(), "." + target.getFileName() + ".");
    Files.setPosixFilePermissions(staged, PosixFilePermissions.fromString("rwxr-xr-x"));
    try {
      boolean owners = Privileges.isRoot();
      for (BuiltImage i : images) {
        Path root = split ? Files.createDirectory(staged.resolve(dirName(i))) : staged;
        LayerFlattener.DirSink sink = LayerFlattener.dirSink(root, owners);
        LayerFlattener.flatten(layers(c.blobs(), i), sink);
        sink.finish();
      }
      moveInto(staged, target);
    } finally {
      if (Files.exists(staged, LinkOption.NOFOLLOW_LINKS)) {
        Trees.delete(staged);
      }
    }
  }

  /**
   * Puts the staged files at {@code target}: the staged directory itself when {@code target} is
   * absent, else each top-level entry, replacing one of the same name (as buildx writes into an
   * existing directory).
   */
  private static void moveInto(Path staged, Path target) throws IOException {
    if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE);
      return;
    }
    try (Stream<Path> s = Files.list(staged)) {
      for (Path p : s.toList()) {
        Path to = target.resolve(p.getFileName().toString());
        if (Files.isDirectory(to, LinkOption.NOFOLLOW_LINKS)) {
          Trees.delete(to);
        } else {
          Files.deleteIfExists(to);
        }
        Files.move(p, to, StandardCopyOption.ATOMIC_MOVE);
      }
    }
    Files.setPosixFilePermissions(target, Files.getPosixFilePermissions(staged));
  }

  private static String dirName(BuiltImage i) {
    return i.platform().toString().replace('/', '_');
  }

  private static LayerFlattener.Layers layers(BlobStore blobs, BuiltImage image) {
    List<Descriptor> layers = image.layers();
    return new LayerFlattener.Layers() {
      @Override
      public int count() {
        return layers.size();
      }

      @Override
      public InputStream open(int index) throws IOException {
        return blobs.open(layers.get(index).digest());
      }
    };
  }
}
