package dev.slimbuild.core.export;

import dev.slimbuild.core.SlimbuildException;
import dev.slimbuild.core.build.BuildResult;
import dev.slimbuild.core.event.BuildEvent;
import dev.slimbuild.core.image.AttestationManifest;
import dev.slimbuild.core.image.ImageOutput;
import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.core.oci.ImageReference;
import dev.slimbuild.core.push.ImagePush;
import dev.slimbuild.core.registry.RawManifest;
import dev.slimbuild.core.registry.RegistryProvider;
import dev.slimbuild.core.sign.CosignAttestations;
import dev.slimbuild.core.sign.ImageSigning;
import dev.slimbuild.core.sign.SignFormat;
import java.io.IOException;
import java.security.PrivateKey;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code --push}, {@code type=registry} and {@code type=image,push=true}: every platform, then the
 * index, under each name; base layers are mounted from their repository when it is on the same
 * host. With a key, the pushed image is then signed in cosign's formats ({@code --sign-format}).
 */
final class PushExporter implements Exporter {
  private final RegistryProvider registries;
  private final List<ImageReference> names;
  private final PrivateKey signKey;
  private final SignFormat signFormat;

  PushExporter(
      RegistryProvider registries,
      List<ImageReference> names,
      PrivateKey signKey,
      SignFormat signFormat) {
    this.registries = registries;
    this.names = List.copyOf(names);
    this.signKey = signKey;
    this.signFormat = signFormat;
  }

  @Override
  public String describe() {
    return "push to " + String.join(", ", names.stream().map(ImageReference::toString).toList());
  }

  @Override
  public String done() {
    return null; // the push reports each name and blob itself
  }

  @Override
  public boolean needsLocalBlobs() {
    return false;
  }

  /** Each repository answers and takes these credentials for push, before any work. */
  @Override
  public void check() throws IOException {
    Set<String> seen = new LinkedHashSet<>();
    for (ImageReference n : names) {
      if (seen.add(n.name())) {
        try {
          registries.forHost(n.registry()).checkPush(n.repository());
        } catch (IOException e) {
          throw new SlimbuildException(
              "cannot push to " + n.name() + " (checked before" + " building): " + e.getMessage(),
              e);
        }
      }
    }
  }

  @Override
  public void export(ExportContext c) throws IOException {
    BuildResult result = c.result();
    Map<Digest, List<String>> sources = new LinkedHashMap<>();
    result
        .baseLayers()
        .forEach((d, l) -> l.sourceRepository().ifPresent(r -> sources.put(d, List.of(r))));
    ImageOutput image = c.image();
    ImagePush.push(
        registries,
        c.blobs(),
        image,
        names,
        sources,
        blob -> c.builder().openBaseLayer(result, blob.digest()),
        c.events());
    if (signKey != null) {
      ImageSigning.signPushed(
          registries,
          names,
          new RawManifest(
              image.topBytes(), image.descriptor().mediaType(), image.descriptor().digest()),
          signKey,
          signFormat,
          c.events());
      Set<String> done = new LinkedHashSet<>();
      for (ImageReference n : names) {
        if (!done.add(n.name())) {
          continue;
        }
        for (AttestationManifest a : image.attestations()) {
          int signed =
              CosignAttestations.sign(
                  registries.forHost(n.registry()), n.repository(), c.blobs(), a, signKey);
          c.events()
              .accept(
                  new BuildEvent.Info(
                      "signed "
                          + signed
                          + " attestation"
                          + (signed == 1 ? "" : "s")
                          + " of "
                          + n.name()
                          + "@"
                          + a.subject()));
        }
      }
    }
  }
}
