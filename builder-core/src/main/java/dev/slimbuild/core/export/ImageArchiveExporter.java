package dev.slimbuild.core.export;

import dev.slimbuild.compress.Decompressors;
import dev.slimbuild.core.image.BlobStore;
import dev.slimbuild.core.image.DockerArchiveWriter;
import dev.slimbuild.core.image.ImageOutput;
import dev.slimbuild.core.image.OciLayoutWriter;
import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.ImageReference;
import dev.slimbuild.core.oci.OciLayoutHeader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * {@code type=oci} (an OCI layout as a tarball, as buildx writes it, or with {@code tar=false} a
 * directory) and {@code type=docker} (a docker-archive, layers uncompressed so that every Docker
 * loads it).
 */
final class ImageArchiveExporter implements Exporter {
  private final OutputSpec.Type type;
  private final Path dest;
  private final boolean tar;
  private final List<ImageReference> names;
  private final OutputStream stdout;

  ImageArchiveExporter(OutputSpec spec, List<ImageReference> names, OutputStream stdout) {
    this.type = spec.type();
    this.dest = spec.dest().orElseThrow();
    this.tar = spec.tar();
    this.names = List.copyOf(names);
    this.stdout = stdout;
  }

  @Override
  public String describe() {
    String what =
        type.name().toLowerCase(Locale.ROOT)
            + (type == OutputSpec.Type.OCI && !tar ? " layout" : "");
    return what + " output to " + (dest.toString().equals("-") ? "standard output" : dest);
  }

  @Override
  public boolean toStdout() {
    return dest.toString().equals("-");
  }

  @Override
  public void check() throws IOException {
    if (type == OutputSpec.Type.OCI && !tar) {
      OciLayoutWriter.checkDestination(dest);
    } else {
      AtomicFile.checkFile(
          dest,
          "--output type="
              + type.name().toLowerCase(Locale.ROOT)
              + (type == OutputSpec.Type.OCI ? " (tar=false writes a layout directory)" : ""));
    }
  }

  @Override
  public void export(ExportContext c) throws IOException {
    BlobStore blobs = c.blobs();
    // an OCI layout carries what AttestOptions.forLayouts asks; a docker-archive none
    ImageOutput image = type == OutputSpec.Type.OCI ? c.image() : c.result().image();
    if (type == OutputSpec.Type.DOCKER) {
      AtomicFile.write(
          dest,
          stdout,
          out ->
              DockerArchiveWriter.write(
                  blobs,
                  image,
                  names,
                  layer -> Decompressors.open(blobs.open(layer.digest()), layer.mediaType()),
                  out));
    } else if (!tar) {
      OciLayoutWriter.write(blobs, image, names, dest);
    } else {
      AtomicFile.write(dest, stdout, out -> writeOciTar(blobs, image, names, c.epoch(), out));
    }
  }

  /** The layout as a tar: oci-layout, index.json, then each blob once, by digest. */
  static void writeOciTar(
      BlobStore blobs, ImageOutput image, List<ImageReference> names, long epoch, OutputStream out)
      throws IOException {
    TarArchiveOutputStream tar = new TarArchiveOutputStream(out, "UTF-8");
    tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
    tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
    file(tar, "oci-layout", OciLayoutHeader.V1.toBytes(), epoch);
    file(tar, "index.json", OciLayoutWriter.indexJson(image, names).toBytes(), epoch);
    dir(tar, "blobs/", epoch);
    TreeMap<String, Descriptor> byDigest = new TreeMap<>();
    for (Descriptor d : image.blobs()) {
      byDigest.putIfAbsent(d.digest().toString(), d);
    }
    String algorithm = null;
    for (Descriptor d : byDigest.values()) {
      if (!d.digest().algorithm().equals(algorithm)) {
        algorithm = d.digest().algorithm();
        dir(tar, "blobs/" + algorithm + "/", epoch);
      }
      TarArchiveEntry e =
          entry("blobs/" + algorithm + "/" + d.digest().hex(), TarConstants.LF_NORMAL, 0644, epoch);
      e.setSize(d.size());
      tar.putArchiveEntry(e);
      try (InputStream in = blobs.open(d.digest())) {
        long n = in.transferTo(tar);
        if (n != d.size()) {
          throw new IOException(
              "blob " + d.digest() + " has " + n + " bytes, its descriptor says " + d.size());
        }
      }
      tar.closeArchiveEntry();
    }
    tar.finish();
    tar.flush();
  }

  private static void file(TarArchiveOutputStream tar, String name, byte[] bytes, long epoch)
      throws IOException {
    TarArchiveEntry e = entry(name, TarConstants.LF_NORMAL, 0644, epoch);
    e.setSize(bytes.length);
    tar.putArchiveEntry(e);
    tar.write(bytes);
    tar.closeArchiveEntry();
  }

  private static void dir(TarArchiveOutputStream tar, String name, long epoch) throws IOException {
    tar.putArchiveEntry(entry(name, TarConstants.LF_DIR, 0755, epoch));
    tar.closeArchiveEntry();
  }

  private static TarArchiveEntry entry(String name, byte type, int mode, long epoch) {
    TarArchiveEntry e = new TarArchiveEntry(name, type);
    e.setMode(mode);
    e.setUserId(0L);
    e.setGroupId(0L);
    e.setUserName("");
    e.setGroupName("");
    e.setLastModifiedTime(FileTime.from(epoch, TimeUnit.SECONDS));
    return e;
  }
}
