package dev.slimbuild.cli;

import dev.slimbuild.core.cache.ImageRemoval;
import dev.slimbuild.core.image.LocalStore;
import dev.slimbuild.core.oci.ImageReference;
import dev.slimbuild.core.optimize.Sizes;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code slimbuild rmi NAME...}: removes names from the local store (see {@link ImageRemoval}). */
@Command(
    mixinStandardHelpOptions = true,
    name = "rmi",
    description = {
      "Remove images from the local store.",
      "Each NAME goes; the blobs no other image and no build cache record uses are deleted at"
          + " once, those the build cache uses stay until 'slimbuild prune'. A NAME that is not in"
          + " the store fails the command before anything is removed."
    })
final class RmiCommand implements Callable<Integer> {
  @CommandLine.ParentCommand Main main;
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "NAME", description = "Images in the local store.")
  List<String> names = new ArrayList<>();

  @CommandLine.Mixin StoreFlag storeFlag;

  @Override
  public Integer call() throws IOException {
    List<ImageReference> refs = new ArrayList<>();
    for (String n : names) {
      refs.add(ImageReference.parse(n));
    }
    LocalStore local = storeFlag.open(main.env());
    ImageRemoval.Result r = ImageRemoval.remove(local, refs);
    PrintWriter out = spec.commandLine().getOut();
    for (LocalStore.Entry e : r.removed()) {
      out.println("untagged: " + e.name().familiar() + " (" + e.descriptor().digest() + ")");
    }
    out.println(
        "deleted "
            + r.blobs()
            + " blobs, "
            + Sizes.format(r.bytes())
            + (r.cachedBlobs() == 0
                ? ""
                : "; "
                    + r.cachedBlobs()
                    + " blobs ("
                    + Sizes.format(r.cachedBytes())
                    + ") stay for the build cache ('slimbuild prune'"
                    + " reclaims them)"));
    return 0;
  }
}
