package dev.slimbuild.cli;

import dev.slimbuild.core.SlimbuildException;
import dev.slimbuild.core.image.LocalStore;
import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.ImageReference;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code slimbuild tag SOURCE TARGET}: a second name for an image of the local store. */
@Command(
    mixinStandardHelpOptions = true,
    name = "tag",
    description = {
      "Give an image in the local store another name.",
      "TARGET then names the same image as SOURCE (an image TARGET named before loses that name;"
          + " 'slimbuild rmi' removes a name)."
    })
final class TagCommand implements Callable<Integer> {
  @CommandLine.ParentCommand Main main;
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "SOURCE", description = "An image in the local store.")
  String source;

  @Parameters(index = "1", paramLabel = "TARGET", description = "The new name (NAME[:TAG]).")
  String target;

  @CommandLine.Mixin StoreFlag storeFlag;

  @Override
  public Integer call() throws IOException {
    ImageReference from = ImageReference.parse(source);
    ImageReference to = ImageReference.parse(target);
    LocalStore local = storeFlag.open(main.env());
    Descriptor top =
        local
            .resolve(from)
            .orElseThrow(
                () ->
                    new SlimbuildException(
                        "no image " + source + " in the local store (" + local.root() + ")"));
    local.put(to, top);
    return 0;
  }
}
