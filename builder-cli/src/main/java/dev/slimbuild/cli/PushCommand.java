package dev.slimbuild.cli;

import dev.slimbuild.core.SlimbuildException;
import dev.slimbuild.core.image.ImageOutput;
import dev.slimbuild.core.image.LocalStore;
import dev.slimbuild.core.image.StoredImages;
import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.ImageReference;
import dev.slimbuild.core.push.ImagePush;
import dev.slimbuild.core.push.PushReport;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code slimbuild push NAME [DEST]}: pushes an image from the local store. */
@Command(
    mixinStandardHelpOptions = true,
    name = "push",
    description = {
      "Push an image from the local store to a registry.",
      "Every blob (skipping what the registry has), then each platform manifest, then the index"
          + " under the tag. DEST defaults to NAME."
    })
final class PushCommand implements Callable<Integer> {
  @CommandLine.ParentCommand Main main;
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "NAME", description = "The image in the local store.")
  String name;

  @Parameters(
      index = "1",
      arity = "0..1",
      paramLabel = "DEST",
      description = "Where to push it (HOST/REPO:TAG). Default: NAME.")
  String dest;

  @Option(
      names = "--progress",
      paramLabel = "auto|plain|tty|quiet|rawjson",
      description = "How to show progress (as build's). Default: auto.")
  String progress = "auto";

  @CommandLine.Mixin StoreFlag storeFlag;

  @CommandLine.Mixin RegistryFlags registryFlags;

  @Override
  public Integer call() throws IOException {
    ProgressPrinter printer = ProgressPrinter.of(spec.commandLine().getErr(), progress, main);
    return printer.around(() -> push(printer));
  }

  private int push(ProgressPrinter printer) throws IOException {
    LocalStore local = storeFlag.open(main.env());
    ImageReference source = ImageReference.parse(name);
    Descriptor top =
        local
            .resolve(source)
            .orElseThrow(
                () ->
                    new SlimbuildException(
                        "no image " + name + " in the local store (" + local.root() + ")"));
    ImageOutput image = StoredImages.load(local.blobs(), top);
    ImageReference target = dest == null ? source : ImageReference.parse(dest);
    List<PushReport> reports;
    try (RegistryFlags.Session registries = registryFlags.session(main.env())) {
      reports =
          ImagePush.push(
              registries, local.blobs(), image, List.of(target), Map.of(), null, printer);
    }
    spec.commandLine().getOut().println(target + "@" + reports.get(0).descriptor().digest());
    return 0;
  }
}
