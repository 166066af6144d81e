package dev.slimbuild.core.image;

import dev.slimbuild.compress.HashingInputStream;
import dev.slimbuild.compress.NonClosingOutputStream;
import dev.slimbuild.core.SlimbuildException;
import dev.slimbuild.core.fs.Slice;
import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.core.oci.ImageReference;
import dev.slimbuild.json.JsonArray;
import dev.slimbuild.json.JsonObject;
import dev.slimbuild.json.JsonValue;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Writes a docker-archive tar, the format {@code docker load} reads: {@code manifest.json} ({@code
 * [{"Config","RepoTags","Layers"}]}), the config as {@code HEX.json}, one uncompressed {@code
 * DIFFID/layer.tar} per distinct layer and the legacy {@code repositories} file. The tar is
 * deterministic: entries sorted by name, mtime 0, uid/gid 0, fixed modes. Single platform only.
 */
public final class DockerArchiveWriter {

  /** Gives the uncompressed tar stream of a layer (the caller knows the layer's compression). */
  @FunctionalInterface
  public interface LayerSource {
    InputStream openUncompressed(Descriptor layer) throws IOException;
  }

  private DockerArchiveWriter() {}

  /**
   * Writes {@code image} as a docker archive to {@code out}, each layer decompressed straight into
   * it and its diff_id checked on the way. A tar entry needs its size first: the size recorded in
   * {@code blobs} when the layer was written or unpacked, else learnt by one extra decompressing
   * pass (no temporary file either way).
   */
  public static void write(
      BlobStore blobs,
      ImageOutput image,
      List<ImageReference> tags,
      LayerSource layers,
      OutputStream out)
      throws IOException {
    if (image.images().size() != 1) {
      List<String> ps = new ArrayList<>();
      image.images().forEach(i -> ps.add(i.platform().toString()));
      throw new SlimbuildException(
          "a docker archive holds one platform, this build has "
              + ps.size()
              + " ("
              + String.join(", ", ps)
              + "); choose one with --platform or use an OCI output");
    }
    BuiltImage img = image.images().get(0);
    List<Digest> diffIds = img.config().value().diffIds();
    List<Descriptor> layerDescs = img.layers();
    if (diffIds.size() != layerDescs.size()) {
      throw new IllegalArgumentException("config diff_ids do not match the layers");
    }
    String configName = img.config().digest().hex() + ".json";

    List<String> layerPaths = new ArrayList<>();
    TreeMap<String, Integer> firstIndexOfLayer = new TreeMap<>();
    for (int i = 0; i < diffIds.size(); i++) {
      String name = diffIds.get(i).hex() + "/layer.tar";
      layerPaths.add(name);
      firstIndexOfLayer.putIfAbsent(name, i);
    }
    LinkedHashSet<String> repoTags = new LinkedHashSet<>();
    for (ImageReference t : tags) {
      repoTags.add(t.familiarName() + ":" + t.tagOrLatest());
    }

    TreeMap<String, Object> entries = new TreeMap<>();
    entries.put(configName, img.config().bytes());
    for (var e : firstIndexOfLayer.entrySet()) {
      entries.put(e.getKey().substring(0, e.getKey().indexOf('/') + 1), DIR);
      entries.put(e.getKey(), e.getValue());
    }
    entries.put("manifest.json", manifestJson(configName, repoTags, layerPaths));
    entries.put("repositories", repositoriesJson(tags, layerPaths));

    TarArchiveOutputStream tar = new TarArchiveOutputStream(new NonClosingOutputStream(out));
    tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
    tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
    for (var e : entries.entrySet()) {
      String name = e.getKey();
      Object v = e.getValue();
      if (v == DIR) {
        TarArchiveEntry d = entry(name, 0040755, 0);
        tar.putArchiveEntry(d);
        tar.closeArchiveEntry();
      } else if (v instanceof byte[] bytes) {
        tar.putArchiveEntry(entry(name, 0100644, bytes.length));
        tar.write(bytes);
        tar.closeArchiveEntry();
      } else {
        int i = (Integer) v;
        writeLayer(tar, name, layerDescs.get(i), diffIds.get(i), layers, blobs);
      }
    }
    tar.finish();
    tar.flush();
  }

  private static final Object DIR = new Object();

  private static void writeLayer(
      TarArchiveOutputStream tar,
      String name,
      Descriptor layer,
      Digest diffId,
      LayerSource layers,
      BlobStore blobs)
      throws IOException {
    OptionalLong known = blobs.tarSize(diffId);
    long size;
    if (known.isPresent()) {
      size = known.getAsLong();
    } else {
      // a layer neither built nor unpacked here: one pass to learn its size (and check it)
      size = copyChecked(layers, layer, diffId, -1, OutputStream.nullOutputStream());
      blobs.recordTarSize(diffId, size);
    }
    tar.putArchiveEntry(entry(name, 0100644, size));
    copyChecked(layers, layer, diffId, size, tar);
    tar.closeArchiveEntry();
  }

  /**
   * Copies {@code layer}'s tar to {@code out} checking its diff_id (and, unless {@code size} is -1,
   * that it is {@code size} bytes, before writing more); returns its size.
   */
  private static long copyChecked(
      LayerSource layers, Descriptor layer, Digest diffId, long size, OutputStream out)
      throws IOException {
    MessageDigest md = diffId.newHasher();
    long n;
    boolean longer;
    try (HashingInputStream in = new HashingInputStream(layers.openUncompressed(layer), md)) {
      (size < 0 ? in : new Slice(in, size, false)).transferTo(out);
      n = in.count();
      longer = size >= 0 && in.read() >= 0;
    }
    Digest actual = Digest.of(diffId.algorithm(), md.digest());
    if (size >= 0 && (n != size || longer)) {
      throw new DigestMismatchException(
          "uncompressed layer " + layer.digest() + " (not the " + size + " bytes recorded)",
          diffId,
          actual);
    }
    if (!actual.equals(diffId)) {
      throw new DigestMismatchException("uncompressed layer " + layer.digest(), diffId, actual);
    }
    return n;
  }

  private static TarArchiveEntry entry(String name, int mode, long size) {
    TarArchiveEntry e = new TarArchiveEntry(name);
    e.setMode(mode);
    e.setSize(size);
    e.setModTime(0);
    e.setUserId(0);
    e.setGroupId(0);
    e.setUserName("");
    e.setGroupName("");
    return e;
  }

  private static byte[] manifestJson(
      String configName, Set<String> repoTags, List<String> layerPaths) {
    JsonObject m =
        JsonObject.builder()
            .put("Config", configName)
            .put("RepoTags", JsonArray.ofStrings(repoTags))
            .put("Layers", JsonArray.ofStrings(layerPaths))
            .build();
    return new JsonArray(List.<JsonValue>of(m)).toJson().getBytes(StandardCharsets.UTF_8);
  }

  /** Legacy {@code {"repo":{"tag":"TOP-LAYER-ID"}}}; docker load uses manifest.json instead. */
  private static byte[] repositoriesJson(List<ImageReference> tags, List<String> layerPaths) {
    TreeMap<String, TreeMap<String, String>> repos = new TreeMap<>();
    String top =
        layerPaths.isEmpty() ? "" : layerPaths.get(layerPaths.size() - 1).replace("/layer.tar", "");
    for (ImageReference t : tags) {
      repos.computeIfAbsent(t.familiarName(), k -> new TreeMap<>()).put(t.tagOrLatest(), top);
    }
    JsonObject.Builder b = JsonObject.builder();
    repos.forEach((repo, tagMap) -> b.putIfPresent(repo, tagMap));
    return b.build().toJson().getBytes(StandardCharsets.UTF_8);
  }
}
