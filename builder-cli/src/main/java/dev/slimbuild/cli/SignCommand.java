package dev.slimbuild.cli;

import dev.slimbuild.core.event.BuildEvent;
import dev.slimbuild.core.oci.ImageReference;
import dev.slimbuild.core.sign.ImageSigning;
import dev.slimbuild.core.sign.SignFormat;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code slimbuild sign --key KEY IMAGE}: cosign-compatible signatures for a registry image. */
@Command(
    mixinStandardHelpOptions = true,
    name = "sign",
    description = {
      "Sign an image in a registry as cosign does.",
      "The manifest or index IMAGE names and, for an index, every platform manifest get a"
          + " signature: in the tag sha256-HEX.sig (legacy), as a sigstore bundle attached as an"
          + " OCI referrer (bundle), or both. A new signature is added beside earlier ones;"
          + " signing again with the same key adds nothing. The key's password comes from"
          + " COSIGN_PASSWORD, else it is asked for."
    })
final class SignCommand implements Callable<Integer> {
  @CommandLine.ParentCommand Main main;
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--key",
      required = true,
      paramLabel = "KEY",
      description = "The private key (cosign's encrypted format, or a plain PEM EC key).")
  Path key;

  @Option(
      names = "--sign-format",
      paramLabel = "legacy|bundle|both",
      description = "Which signatures to write. Default: both.")
  String signFormat = "both";

  @Parameters(
      index = "0",
      paramLabel = "IMAGE",
      description = "HOST/REPO:TAG or HOST/REPO@sha256:HEX.")
  String image;

  @CommandLine.Mixin RegistryFlags registryFlags;

  @Override
  public Integer call() throws IOException {
    ImageReference ref = ImageReference.parse(image);
    SignFormat format = SignFormat.forSigning(signFormat);
    PrivateKey privateKey = SigningKeys.loadPrivate(key, "--key", main.env());
    PrintWriter out = spec.commandLine().getOut();
    try (RegistryFlags.Session registries = registryFlags.session(main.env())) {
      ImageSigning.sign(
          registries,
          ref,
          ImageSigning.reference(ref),
          privateKey,
          format,
          e -> {
            if (e instanceof BuildEvent.Info i) {
              out.println(i.message());
            }
          });
    }
    out.flush();
    return 0;
  }
}
