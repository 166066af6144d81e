package dev.slimbuild.core.push;

import dev.slimbuild.core.SlimbuildException;
import dev.slimbuild.core.event.BuildEvent;
import dev.slimbuild.core.event.EventSink;
import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.ImageConfig;
import dev.slimbuild.core.oci.ImageReference;
import dev.slimbuild.core.oci.Index;
import dev.slimbuild.core.oci.Manifest;
import dev.slimbuild.core.oci.MediaType;
import dev.slimbuild.core.oci.Platform;
import dev.slimbuild.core.oci.RawJson;
import dev.slimbuild.core.registry.RawManifest;
import dev.slimbuild.core.registry.Registry;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Merges images already in registries into one OCI index, as {@code docker buildx imagetools
 * create} does: for images pushed by separate runners (an arm64 runner and an amd64 runner). Only
 * manifests and configs are read; layers are mounted from their repository on the same registry
 * (streamed across when the source is another registry), never downloaded to disk.
 */
public final class IndexCreator {
  /** Opens the registry of a host. */
  @FunctionalInterface
  public interface Registries {
    Registry forHost(String host) throws IOException;
  }

  private final Registries registries;
  private final EventSink events;

  public IndexCreator(Registries registries, EventSink events) {
    this.registries = registries;
    this.events = events;
  }

  /** One platform's manifest, and where it is. */
  private record Entry(ImageReference source, Descriptor descriptor, byte[] bytes) {}

  /**
   * Puts an index of every platform of {@code sources} (single-platform images or indexes) under
   * each of {@code targets} (same repository); returns the index's digest. Two sources for one
   * platform are an error.
   */
  public RawJson<Index> create(List<ImageReference> sources, List<ImageReference> targets)
      throws IOException {
    if (sources.isEmpty() || targets.isEmpty()) {
      throw new SlimbuildException("index create needs at least one -t NAME and one IMAGE");
    }
    ImageReference target = targets.get(0);
    for (ImageReference t : targets) {
      if (!t.registry().equals(target.registry()) || !t.repository().equals(target.repository())) {
        throw new SlimbuildException(
            "every -t must name the same repository: "
                + t
                + " is not in "
                + target.registry()
                + "/"
                + target.repository());
      }
    }
    Map<Platform, Entry> byPlatform = new LinkedHashMap<>();
    for (ImageReference s : sources) {
      for (Entry e : platforms(s)) {
        Platform p = e.descriptor().platform().key();
        Entry seen = byPlatform.putIfAbsent(p, e);
        if (seen != null && !seen.descriptor().digest().equals(e.descriptor().digest())) {
          throw new SlimbuildException(
              "two images for " + p + ": " + seen.source() + " and " + e.source());
        }
      }
    }
    Registry to = registries.forHost(target.registry());
    List<Descriptor> manifests = new ArrayList<>();
    Map<Registry.PushResult, Integer> blobs = new EnumMap<>(Registry.PushResult.class);
    for (Entry e : byPlatform.values()) {
      copy(e, to, target.repository(), blobs);
      manifests.add(e.descriptor());
    }
    events.accept(
        new BuildEvent.Info(
            "blobs: "
                + blobs.getOrDefault(Registry.PushResult.EXISTED, 0)
                + " there already, "
                + blobs.getOrDefault(Registry.PushResult.MOUNTED, 0)
                + " mounted, "
                + blobs.getOrDefault(Registry.PushResult.UPLOADED, 0)
                + " copied"));
    RawJson<Index> index = RawJson.of(Index.oci(manifests));
    for (ImageReference t : targets) {
      to.putManifest(t.repository(), t.tagOrLatest(), index.bytes(), MediaType.OCI_INDEX);
      events.accept(
          new BuildEvent.Info(
              "pushed "
                  + t.registry()
                  + "/"
                  + t.repository()
                  + ":"
                  + t.tagOrLatest()
                  + " ("
                  + index.digest()
                  + ", "
                  + manifests.size()
                  + " platforms)"));
    }
    return index;
  }

  /** The platform manifests of {@code ref}: an index's, or the one manifest's with its config's. */
  private List<Entry> platforms(ImageReference ref) throws IOException {
    Registry r = registries.forHost(ref.registry());
    String reference = ref.digest() != null ? ref.digest().toString() : ref.tagOrLatest();
    RawManifest m = r.getManifest(ref.repository(), reference);
    List<Entry> out = new ArrayList<>();
    if (MediaType.isIndex(m.mediaType())) {
      for (Descriptor d : Index.parse(m.bytes()).manifests()) {
        if (d.platform() == null || d.platform().os().equals("unknown")) {
          continue; // attestations and the like: not a platform
        }
        RawManifest child = r.getManifest(ref.repository(), d.digest().toString());
        out.add(new Entry(ref, d, child.bytes()));
      }
      return out;
    }
    Manifest manifest = Manifest.parse(m.bytes());
    byte[] config;
    try (InputStream in = r.getBlob(ref.repository(), manifest.config().digest())) {
      config = in.readNBytes((int) Math.min(manifest.config().size(), 8L << 20));
    }
    ImageConfig c = ImageConfig.parse(config);
    Platform p = new Platform(c.os(), c.architecture(), c.variant(), c.osVersion(), c.osFeatures());
    out.add(new Entry(ref, m.descriptor().withPlatform(p), m.bytes()));
    return out;
  }

  /** Makes the platform manifest and its blobs present in {@code repository} of {@code to}. */
  private void copy(
      Entry e, Registry to, String repository, Map<Registry.PushResult, Integer> results)
      throws IOException {
    Registry from = registries.forHost(e.source().registry());
    boolean sameHost = from.host().equals(to.host());
    Manifest m = Manifest.parse(e.bytes());
    List<Descriptor> blobs = new ArrayList<>();
    blobs.add(m.config());
    blobs.addAll(m.layers());
    for (Descriptor b : blobs) {
      results.merge(
          to.pushBlob(
              repository,
              b,
              () -> from.getBlob(e.source().repository(), b.digest()),
              sameHost ? List.of(e.source().repository()) : List.of()),
          1,
          Integer::sum);
    }
    to.putManifest(
        repository, e.descriptor().digest().toString(), e.bytes(), e.descriptor().mediaType());
  }
}
