package dev.slimbuild.core.sign;

import dev.slimbuild.core.event.BuildEvent;
import dev.slimbuild.core.event.EventSink;
import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.core.oci.ImageReference;
import dev.slimbuild.core.registry.RawManifest;
import dev.slimbuild.core.registry.RegistryProvider;
import java.io.IOException;
import java.security.PrivateKey;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Signs images in registries for {@code sign} and {@code build --push --sign-key}. */
public final class ImageSigning {
  private ImageSigning() {}

  /** Signs the image {@code top}, pushed under {@code names}, once in each of their repositories. */
  public static void signPushed(
      RegistryProvider session,
      List<ImageReference> names,
      Digest top,
      PrivateKey key,
      EventSink events)
      throws IOException {
    Set<String> done = new LinkedHashSet<>();
    for (ImageReference n : names) {
      if (done.add(n.name())) {
        sign(session, n, top.toString(), key, events);
      }
    }
  }

  /**
   * Signs the manifest or index {@code reference} (tag or digest) names in {@code image}'s
   * repository, and each platform manifest of an index; returns the signed top digest.
   */
  public static Digest sign(
      RegistryProvider session,
      ImageReference image,
      String reference,
      PrivateKey key,
      EventSink events)
      throws IOException {
    ImageSignatures signatures =
        new ImageSignatures(session.forHost(image.registry()), image.repository());
    RawManifest top = signatures.resolve(reference);
    List<ImageSignatures.Target> targets = ImageSignatures.targets(top);
    List<CosignSignatures.SignResult> results = signatures.sign(top, key);
    String name = image.name();
    for (int i = 0; i < results.size(); i++) {
      CosignSignatures.SignResult r = results.get(i);
      String platform = targets.get(i).platform();
      String what = name + "@" + r.image() + (platform == null ? "" : " (" + platform + ")");
      events.accept(new BuildEvent.Info(
          r.outcome() == CosignSignatures.Outcome.ADDED
              ? "signed " + what + " (" + r.signatures() + " signature"
                  + (r.signatures() == 1 ? "" : "s") + ")"
              : "already signed by this key: " + what));
    }
    return top.digest();
  }

  /** The tag or digest {@code image} names (a digest wins over a tag). */
  public static String reference(ImageReference image) {
    return image.digest() != null ? image.digest().toString() : image.tagOrLatest();
  }
}
