package dev.slimbuild.cli;

import dev.slimbuild.core.SlimbuildException;
import dev.slimbuild.core.image.LocalStore;
import dev.slimbuild.json.Json;
import dev.slimbuild.json.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code slimbuild inspect IMAGE}: the top descriptor, platforms, each platform's manifest, config
 * and layers (media types and sizes) and the total size, from an OCI layout ({@code oci:DIR[:REF]})
 * or the local store; registry names go through {@link RegistryOpener}.
 */
@Command(
    mixinStandardHelpOptions = true,
    name = "inspect",
    description = "Show an image's manifests, configs and layers.")
final class InspectCommand implements Callable<Integer> {

  enum Format {
    table,
    json
  }

  @CommandLine.ParentCommand Main main;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(
      index = "0",
      paramLabel = "IMAGE",
      description = "oci:DIR[:REF], a name in the local store, or a registry image HOST/REPO:TAG.")
  String image;

  @Option(names = "--format", description = "Output format: ${COMPLETION-CANDIDATES}.")
  Format format = Format.table;

  @Option(
      names = "--sbom",
      description =
          "Print the image's SBOM attestation (the predicate of each platform's, by"
              + " platform) instead.")
  boolean sbom;

  @Option(
      names = "--provenance",
      description =
          "Print the image's provenance attestation (each platform's, by platform)" + " instead.")
  boolean provenance;

  @CommandLine.Mixin StoreFlag storeFlag;

  @CommandLine.Mixin RegistryFlags registryFlags;

  @Override
  public Integer call() throws IOException {
    LocalStore local = storeFlag.open(main.env());
    PrintWriter out = spec.commandLine().getOut();
    if (sbom && provenance) {
      throw new SlimbuildException("--sbom and --provenance: choose one");
    }
    if (sbom || provenance) {
      JsonObject found;
      try (ImageSource source =
          ImageSources.resolve(image, local, registryFlags.opener(main.env()))) {
        found = Attestations.predicates(source, sbom ? Attestations.SBOM : Attestations.PROVENANCE);
      }
      if (found.size() == 0) {
        throw new SlimbuildException(
            image
                + " has no "
                + (sbom ? "SBOM" : "provenance")
                + " attestation (built with --"
                + (sbom ? "sbom" : "provenance")
                + "=false, kept"
                + " only in a docker-archive or the local store, or by a builder that attaches none)");
      }
      out.println(Json.writeString(found));
      out.flush();
      return 0;
    }
    ImageInspection inspection;
    try (ImageSource source =
        ImageSources.resolve(image, local, registryFlags.opener(main.env()))) {
      inspection = ImageInspection.of(source);
    }
    if (format == Format.json) {
      out.println(inspection.toJson().toJson());
    } else {
      inspection.toTable().forEach(out::println);
    }
    out.flush();
    return 0;
  }
}
