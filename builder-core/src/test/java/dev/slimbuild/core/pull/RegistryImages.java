package dev.slimbuild.core.pull;

import dev.slimbuild.compress.Compression;
import dev.slimbuild.core.layer.ContentSource;
import dev.slimbuild.core.layer.Layer;
import dev.slimbuild.core.layer.LayerEntry;
import dev.slimbuild.core.layer.LayerWriter;
import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.core.oci.ImageConfig;
import dev.slimbuild.core.oci.ImageConfig.ContainerConfig;
import dev.slimbuild.core.oci.ImageConfig.History;
import dev.slimbuild.core.oci.Index;
import dev.slimbuild.core.oci.Manifest;
import dev.slimbuild.core.oci.MediaType;
import dev.slimbuild.core.oci.Platform;
import dev.slimbuild.core.registry.FakeRegistry;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Base images for tests, made with slimbuild's own layer writer and pushed into a {@link
 * FakeRegistry}: OCI or Docker media types, any layer compression, single images or indexes.
 */
public final class RegistryImages {
  private RegistryImages() {}

  /** A pushed layer: its descriptor as a manifest lists it, and its diff_id. */
  public record PushedLayer(Descriptor descriptor, Digest diffId) {}

  /** A pushed image: its manifest descriptor (with platform) and its layers. */
  public record PushedImage(Descriptor manifest, Descriptor config, List<PushedLayer> layers) {}

  /** Writes one layer of {@code entries} and pushes it to {@code repo}. */
  public static PushedLayer layer(
      FakeRegistry reg, String repo, List<LayerEntry> entries, Compression c, boolean docker)
      throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Layer d = LayerWriter.write(entries, c, c.defaultLevel(), 0, out);
    Descriptor desc =
        docker ? d.descriptor().withMediaType(MediaType.DOCKER_LAYER_TAR_GZIP) : d.descriptor();
    byte[] bytes = out.toByteArray();
    reg.pushBlob(repo, desc, () -> new ByteArrayInputStream(bytes), List.of());
    return new PushedLayer(desc, d.diffId());
  }

  /** Pushes config and manifest of an image of {@code layers} for {@code platform}. */
  public static PushedImage image(
      FakeRegistry reg,
      String repo,
      Platform platform,
      ContainerConfig cc,
      List<PushedLayer> layers,
      boolean docker)
      throws IOException {
    List<History> history = new ArrayList<>();
    for (int i = 0; i < layers.size(); i++) {
      history.add(new History(null, "base layer " + i, null, null, false));
    }
    history.add(new History(null, "base config", null, null, true));
    ImageConfig config =
        ImageConfig.of(platform, cc, layers.stream().map(PushedLayer::diffId).toList())
            .withHistory(history);
    byte[] cb = config.toBytes();
    Descriptor cd =
        Descriptor.of(
            docker ? MediaType.DOCKER_CONFIG : MediaType.OCI_CONFIG,
            Digest.sha256Of(cb),
            cb.length);
    reg.pushBlob(repo, cd, () -> new ByteArrayInputStream(cb), List.of());
    List<Descriptor> ls = layers.stream().map(PushedLayer::descriptor).toList();
    Manifest m = docker ? Manifest.docker(cd, ls) : Manifest.oci(cd, ls);
    byte[] mb = m.toBytes();
    Digest md = reg.putManifest(repo, Digest.sha256Of(mb).toString(), mb, m.mediaType());
    Descriptor desc = Descriptor.of(m.mediaType(), md, mb.length).withPlatform(platform);
    return new PushedImage(desc, cd, layers);
  }

  /** Pushes an index (or Docker manifest list) of {@code images} under {@code tag}. */
  public static Descriptor index(
      FakeRegistry reg, String repo, String tag, List<PushedImage> images, boolean docker)
      throws IOException {
    String type = docker ? MediaType.DOCKER_MANIFEST_LIST : MediaType.OCI_INDEX;
    Index idx =
        new Index(
            2, type, null, images.stream().map(PushedImage::manifest).toList(), null, Map.of());
    byte[] b = idx.toBytes();
    Digest d = reg.putManifest(repo, tag, b, type);
    return Descriptor.of(type, d, b.length);
  }

  /** Tags a single image. */
  public static void tag(FakeRegistry reg, String repo, String tag, PushedImage image)
      throws IOException {
    byte[] mb = reg.getManifest(repo, image.manifest().digest().toString()).bytes();
    reg.putManifest(repo, tag, mb, image.manifest().mediaType());
  }

  /** A small file entry. */
  public static LayerEntry file(String path, String text, int mode, int uid, int gid) {
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    return LayerEntry.file(path, mode, uid, gid, b.length, ContentSource.ofBytes(b));
  }

  /**
   * A small distro-like root: /etc/passwd with {@code app} (1000:1000), /etc/group, /tmp 1777,
   * /bin/sh, a symlink /usr/bin/sh -> /bin/sh.
   */
  public static List<LayerEntry> rootfs(String marker) {
    return List.of(
        LayerEntry.dir("bin", 0755, 0, 0),
        file("bin/sh", "#!fake shell " + marker + "\n", 0755, 0, 0),
        LayerEntry.dir("etc", 0755, 0, 0),
        file("etc/group", "root:x:0:\napp:x:1000:\nstaff:x:50:\n", 0644, 0, 0),
        file("etc/os-release", "ID=" + marker + "\n", 0644, 0, 0),
        file(
            "etc/passwd",
            "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n",
            0644,
            0,
            0),
        LayerEntry.dir("tmp", 01777, 0, 0),
        LayerEntry.dir("usr", 0755, 0, 0),
        LayerEntry.dir("usr/bin", 0755, 0, 0),
        LayerEntry.symlink("usr/bin/sh", "/bin/sh", 0, 0));
  }
}
