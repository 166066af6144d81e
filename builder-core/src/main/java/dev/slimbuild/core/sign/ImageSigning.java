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

  /**
   * Signs the image {@code top} (the exact bytes just pushed, not read back), pushed under {@code
   * names}, once in each of their repositories, in {@code format}.
   */
  public static void signPushed(
      RegistryProvider session,
      List<ImageReference> names,
      RawManifest top,
      PrivateKey key,
      SignFormat format,
      EventSink events)
      throws IOException {
    Set<String> done = new LinkedHashSet<>();
    for (ImageReference n : names) {
      if (done.add(n.name())) {
        sign(
            new ImageSignatures(session.forHost(n.registry()), n.repository()),
            n.name(),
            top,
            key,
            format,
            events);
      }
    }
  }

  /**
   * Signs the manifest or index {@code reference} (tag or digest) names in {@code image}'s
   * repository, and each platform manifest of an index, in {@code format}; returns the signed top
   * digest.
   */
  public static Digest sign(
      RegistryProvider session,
      ImageReference image,
      String reference,
      PrivateKey key,
      SignFormat format,
      EventSink events)
      throws IOException {
    ImageSignatures signatures =
        new ImageSignatures(session.forHost(image.registry()), image.repository());
    RawManifest top = signatures.resolve(reference);
    sign(signatures, image.name(), top, key, format, events);
    return top.digest();
  }

  private static void sign(
      ImageSignatures signatures,
      String name,
      RawManifest top,
      PrivateKey key,
      SignFormat format,
      EventSink events)
      throws IOException {
    List<ImageSignatures.Target> targets = ImageSignatures.targets(top);
    if (format.legacy()) {
      List<CosignSignatures.SignResult> results = signatures.sign(top, key);
      for (int i = 0; i < results.size(); i++) {
        int n = results.get(i).signatures();
        report(
            events,
            results.get(i).outcome(),
            what(name, targets.get(i)),
            " (" + n + " signature" + (n == 1 ? "" : "s") + ")",
            "");
      }
    }
    if (format.bundle()) {
      List<BundleSignatures.SignResult> results = signatures.signBundles(top, key);
      for (int i = 0; i < results.size(); i++) {
        report(
            events,
            results.get(i).outcome(),
            what(name, targets.get(i)),
            " with a sigstore bundle (referrer " + results.get(i).referrer() + ")",
            " with a sigstore bundle");
      }
    }
  }

  /** "signed WHAT ADDED", or "already signed by this key FORMAT: WHAT". */
  private static void report(
      EventSink events,
      CosignSignatures.Outcome outcome,
      String what,
      String added,
      String format) {
    events.accept(
        new BuildEvent.Info(
            outcome == CosignSignatures.Outcome.ADDED
                ? "signed " + what + added
                : "already signed by this key" + format + ": " + what));
  }

  private static String what(String name, ImageSignatures.Target t) {
    return name + "@" + t.digest() + (t.platform() == null ? "" : " (" + t.platform() + ")");
  }

  /** The tag or digest {@code image} names (a digest wins over a tag). */
  public static String reference(ImageReference image) {
    return image.digest() != null ? image.digest().toString() : image.tagOrLatest();
  }
}
