package dev.slimbuild.cli;

import dev.slimbuild.core.image.LocalStore;
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

  @CommandLine.Mixin StoreFlag storeFlag;

  @CommandLine.Mixin RegistryFlags registryFlags;

  @Override
  public Integer call() throws IOException {
    LocalStore local = storeFlag.open(main.env());
    ImageInspection inspection;
    try (ImageSource source = ImageSources.resolve(image, local, registryFlags.opener(main.env()))) {
      inspection = ImageInspection.of(source);
    }
    PrintWriter out = spec.commandLine().getOut();
    if (format == Format.json) {
      out.println(inspection.toJson().toJson());
    } else {
      inspection.toTable().forEach(out::println);
    }
    out.flush();
    return 0;
  }
}
