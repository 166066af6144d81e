package dev.slimbuild.cli;

import dev.slimbuild.core.SlimbuildException;
import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.core.oci.ImageReference;
import dev.slimbuild.core.oci.MediaType;
import dev.slimbuild.core.registry.RawManifest;
import dev.slimbuild.core.sign.CosignAttestations;
import dev.slimbuild.core.sign.ImageSignatures;
import dev.slimbuild.core.sign.ImageSigning;
import dev.slimbuild.core.sign.SignFormat;
import dev.slimbuild.json.Json;
import dev.slimbuild.json.JsonArray;
import dev.slimbuild.json.JsonNull;
import dev.slimbuild.json.JsonObject;
import dev.slimbuild.json.JsonString;
import dev.slimbuild.json.JsonValue;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code slimbuild verify --key PUB IMAGE}: checks an image's cosign signatures. */
@Command(
    mixinStandardHelpOptions = true,
    name = "verify",
    description = {
      "Check the cosign signatures of an image in a registry.",
      "Of the manifest or index IMAGE names and, for an index, of every platform manifest, in"
          + " sha256-HEX.sig tags and sigstore bundle referrers: each needs at least one"
          + " signature that verifies with the public key and claims exactly its digest (cosign's"
          + " rule); invalid signatures beside a valid one are reported but accepted. Exit 0 when"
          + " all are signed, 1 with the reason otherwise."
    })
final class VerifyCommand implements Callable<Integer> {
  @CommandLine.ParentCommand Main main;
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--key",
      required = true,
      paramLabel = "PUB",
      description = "The public key (PEM PUBLIC KEY, as cosign.pub).")
  Path key;

  @Option(
      names = "--output",
      paramLabel = "text|json",
      description = "How to print the result. Default: text.")
  String output = "text";

  @Option(
      names = "--sign-format",
      paramLabel = "legacy|bundle|both|any",
      description =
          "Which formats must hold a valid signature: legacy (.sig tags), bundle"
              + " (sigstore bundle referrers), both, or any (either one). Default: any.")
  String signFormat = "any";

  @Parameters(
      index = "0",
      paramLabel = "IMAGE",
      description = "HOST/REPO:TAG or HOST/REPO@sha256:HEX.")
  String image;

  @CommandLine.Mixin RegistryFlags registryFlags;

  @Override
  public Integer call() throws IOException {
    if (!output.equals("text") && !output.equals("json")) {
      throw new SlimbuildException("invalid --output '" + output + "': expected text or json");
    }
    SignFormat format = SignFormat.forVerifying(signFormat);
    ImageReference ref = ImageReference.parse(image);
    PublicKey publicKey = SigningKeys.loadPublic(key, "--key");
    String name = ref.name();
    ImageSignatures.Report report;
    // each image's signed attestations (cosign attest's .att), checked when there are any
    Map<Digest, List<CosignAttestations.Checked>> attestations = new LinkedHashMap<>();
    try (RegistryFlags.Session registries = registryFlags.session(main.env())) {
      ImageSignatures signatures =
          new ImageSignatures(registries.forHost(ref.registry()), ref.repository());
      RawManifest top = signatures.resolve(ImageSigning.reference(ref));
      report = signatures.verify(top, publicKey, format);
      for (ImageSignatures.TargetResult t : report.targets()) {
        if (MediaType.isManifest(t.target().mediaType())) {
          List<CosignAttestations.Checked> checked =
              CosignAttestations.verify(
                  registries.forHost(ref.registry()),
                  ref.repository(),
                  t.target().digest(),
                  publicKey);
          if (!checked.isEmpty()) {
            attestations.put(t.target().digest(), checked);
          }
        }
      }
    }
    boolean attestationsOk =
        attestations.values().stream()
            .allMatch(l -> l.stream().allMatch(CosignAttestations.Checked::ok));
    PrintWriter out = spec.commandLine().getOut();
    if (output.equals("json")) {
      out.println(Json.writeString(json(name, report, attestations)));
    } else {
      text(out, name, report);
      attestations.forEach(
          (d, l) ->
              l.forEach(
                  c ->
                      out.println(
                          "  "
                              + (c.ok() ? "ok" : "invalid")
                              + " attestation "
                              + c.predicateType()
                              + " of "
                              + name
                              + "@"
                              + d
                              + ": "
                              + c.reason())));
    }
    out.flush();
    PrintWriter err = spec.commandLine().getErr();
    attestations.forEach(
        (d, l) ->
            l.stream()
                .filter(c -> !c.ok())
                .forEach(
                    c ->
                        err.println(
                            "error: "
                                + name
                                + "@"
                                + d
                                + ": attestation "
                                + c.predicateType()
                                + ": "
                                + c.reason())));
    if (report.ok() && attestationsOk) {
      return 0;
    }
    for (ImageSignatures.TargetResult t : report.targets()) {
      if (!t.ok()) {
        err.println("error: " + name + "@" + t.target().digest() + platform(t) + ": " + t.reason());
      }
    }
    err.flush();
    return ErrorHandler.EXIT_FAILURE;
  }

  private static String platform(ImageSignatures.TargetResult t) {
    return t.target().platform() == null ? "" : " (" + t.target().platform() + ")";
  }

  private static void text(PrintWriter out, String name, ImageSignatures.Report report) {
    for (ImageSignatures.TargetResult t : report.targets()) {
      out.println(
          (t.ok() ? "verified " : "NOT verified ")
              + name
              + "@"
              + t.target().digest()
              + platform(t));
      for (String p : t.problems()) {
        out.println("  " + p);
      }
      for (ImageSignatures.SignatureResult s : t.signatures()) {
        out.println(
            "  "
                + (s.ok() ? "ok " : "invalid ")
                + s.format().cliName()
                + " "
                + s.payload()
                + ": "
                + s.reason());
      }
    }
  }

  private static JsonObject json(
      String name,
      ImageSignatures.Report report,
      Map<Digest, List<CosignAttestations.Checked>> attestations) {
    List<JsonValue> targets = new ArrayList<>();
    for (ImageSignatures.TargetResult t : report.targets()) {
      List<JsonValue> sigs = new ArrayList<>();
      for (ImageSignatures.SignatureResult s : t.signatures()) {
        sigs.add(
            JsonObject.builder()
                .put("format", s.format().cliName())
                .put("payload", s.payload().toString())
                .put(
                    "dockerReference",
                    s.dockerReference() == null
                        ? JsonNull.INSTANCE
                        : new JsonString(s.dockerReference()))
                .put("ok", s.ok())
                .put("reason", s.reason())
                .build());
      }
      JsonObject.Builder b =
          JsonObject.builder()
              .put("digest", t.target().digest().toString())
              .put("mediaType", t.target().mediaType());
      b.putIfPresent(
          "platform", t.target().platform() == null ? null : t.target().platform().toString());
      b.put("ok", t.ok());
      b.putIfPresent("reason", t.reason());
      b.put("signatures", new JsonArray(sigs));
      targets.add(b.build());
    }
    List<JsonValue> atts = new ArrayList<>();
    attestations.forEach(
        (d, l) ->
            l.forEach(
                c ->
                    atts.add(
                        JsonObject.builder()
                            .put("subject", d.toString())
                            .put("predicateType", c.predicateType())
                            .put("ok", c.ok())
                            .put("reason", c.reason())
                            .build())));
    return JsonObject.builder()
        .put("attestations", new JsonArray(atts))
        .put("image", name)
        .put(
            "ok",
            report.ok()
                && attestations.values().stream()
                    .allMatch(l -> l.stream().allMatch(CosignAttestations.Checked::ok)))
        .put("targets", new JsonArray(targets))
        .build();
  }
}
