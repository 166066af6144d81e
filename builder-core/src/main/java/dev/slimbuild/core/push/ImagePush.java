package dev.slimbuild.core.push;

import dev.slimbuild.core.event.EventSink;
import dev.slimbuild.core.image.BlobStore;
import dev.slimbuild.core.image.ImageOutput;
import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.core.oci.ImageReference;
import dev.slimbuild.core.registry.Registry;
import dev.slimbuild.core.registry.RegistryProvider;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Pushes one image under several names, one push per registry repository. */
public final class ImagePush {
  private ImagePush() {}

  /**
   * Pushes {@code image} to every repository {@code names} mention, with their tags.
   *
   * @param sources for blobs held elsewhere (base layers), {@code host/repository} names to mount
   *     from when the destination is on the same host
   * @param remote reads blobs the local store lacks (null: all must be local)
   */
  public static List<PushReport> push(
      RegistryProvider session,
      BlobStore blobs,
      ImageOutput image,
      List<ImageReference> names,
      Map<Digest, List<String>> sources,
      Pusher.RemoteContent remote,
      EventSink events)
      throws IOException {
    Map<String, List<ImageReference>> byRepo = new LinkedHashMap<>();
    for (ImageReference n : names) {
      byRepo.computeIfAbsent(n.name(), k -> new ArrayList<>()).add(n);
    }
    List<PushReport> reports = new ArrayList<>();
    for (List<ImageReference> group : byRepo.values()) {
      ImageReference first = group.get(0);
      Registry registry = session.forHost(first.registry());
      List<String> tags = new ArrayList<>();
      for (ImageReference n : group) {
        if (n.tag() != null && n.digest() == null) {
          tags.add(n.tag());
        }
      }
      Map<Digest, List<String>> mountFrom = new LinkedHashMap<>();
      String prefix = first.registry() + "/";
      sources.forEach(
          (digest, repos) -> {
            for (String r : repos) {
              if (r.startsWith(prefix)) {
                mountFrom
                    .computeIfAbsent(digest, d -> new ArrayList<>())
                    .add(r.substring(prefix.length()));
              }
            }
          });
      reports.add(
          new Pusher(registry, blobs, Pusher.DEFAULT_PARALLELISM, events)
              .push(image, first.repository(), tags, mountFrom, remote));
    }
    return reports;
  }
}
