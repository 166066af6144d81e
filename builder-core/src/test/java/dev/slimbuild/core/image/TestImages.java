package dev.slimbuild.core.image;

import dev.slimbuild.compress.Decompressors;
import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.core.oci.ImageConfig;
import dev.slimbuild.core.oci.MediaType;
import dev.slimbuild.core.oci.Platform;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/** Small images made by code for tests (shared through the test-jar). */
public final class TestImages {
  private TestImages() {}

  /** A stored gzip layer and the diff_id of its tar. */
  public record Layer(Descriptor descriptor, Digest diffId, byte[] tar) {}

  /** A deterministic tar of {@code files} (path to text), gzip-compressed into {@code store}. */
  public static Layer gzipLayer(BlobStore store, Map<String, String> files) {
    try {
      byte[] tar = tar(files);
      ByteArrayOutputStream gz = new ByteArrayOutputStream();
      try (GZIPOutputStream z = new GZIPOutputStream(gz)) {
        z.write(tar);
      }
      Descriptor d = store.putBytes(gz.toByteArray(), MediaType.OCI_LAYER_TAR_GZIP);
      return new Layer(d, Digest.sha256Of(tar), tar);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A tar with the files in sorted order, mtime 0, root-owned. */
  public static byte[] tar(Map<String, String> files) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (TarArchiveOutputStream t = new TarArchiveOutputStream(out)) {
      t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      for (var e : new TreeMap<>(files).entrySet()) {
        byte[] b = e.getValue().getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry te = new TarArchiveEntry(e.getKey());
        te.setSize(b.length);
        te.setMode(0100644);
        te.setModTime(0);
        t.putArchiveEntry(te);
        t.write(b);
        t.closeArchiveEntry();
      }
    }
    return out.toByteArray();
  }

  /** A one-layer image for {@code platform} holding {@code files}, assembled into {@code store}. */
  public static BuiltImage image(BlobStore store, Platform platform, Map<String, String> files) {
    Layer l = gzipLayer(store, files);
    ImageConfig.ContainerConfig cc =
        ImageConfig.ContainerConfig.builder()
            .env(List.of("PATH=/bin"))
            .cmd(List.of("/hello"))
            .workingDir("/")
            .labels(Map.of("a", "b"))
            .build();
    ImageConfig config =
        ImageConfig.of(platform, cc, List.of(l.diffId()))
            .withCreated(Instant.EPOCH)
            .withHistory(
                List.of(
                    new ImageConfig.History(
                        Instant.EPOCH, "COPY hello /hello", null, null, false)));
    try {
      return BuiltImage.assemble(store, config, List.of(l.descriptor()), Map.of());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The size of {@code layer}'s uncompressed tar, counted by decompressing the stored blob. */
  public static long tarSize(BlobStore store, Descriptor layer) throws IOException {
    try (InputStream in = Decompressors.open(store.open(layer.digest()), layer.mediaType())) {
      return in.transferTo(OutputStream.nullOutputStream());
    }
  }
}
