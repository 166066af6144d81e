package dev.slimbuild.cli;

import dev.slimbuild.core.SlimbuildException;
import dev.slimbuild.core.oci.ImageReference;
import dev.slimbuild.core.oci.Index;
import dev.slimbuild.core.oci.RawJson;
import dev.slimbuild.core.push.IndexCreator;
import dev.slimbuild.core.registry.RawManifest;
import dev.slimbuild.core.sign.ImageSigning;
import dev.slimbuild.core.sign.SignFormat;
import java.io.IOException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code slimbuild index}: image indexes in registries. */
@Command(
    name = "index",
    mixinStandardHelpOptions = true,
    description = "Work with image indexes in registries.",
    subcommands = {IndexCommand.Create.class})
final class IndexCommand implements Callable<Integer> {
  @CommandLine.ParentCommand Main main;
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "missing subcommand: slimbuild index create -t NAME IMAGE...");
  }

  /** {@code slimbuild index create}: merges pushed images into one index. */
  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description = {
        "Merge images already pushed (one per platform, for example from an amd64 runner and"
            + " an arm64 runner, or indexes) into one index under each -t name, like 'docker"
            + " buildx imagetools create'.",
        "Only manifests and configs are read: layers are mounted within the registry, never"
            + " downloaded."
      },
      sortOptions = false)
  static final class Create implements Callable<Integer> {
    @CommandLine.ParentCommand IndexCommand parent;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(
        names = {"-t", "--tag"},
        paramLabel = "NAME",
        required = true,
        description = "Where to put the index (repeatable; one repository).")
    List<String> tags = new ArrayList<>();

    @Option(
        names = "--sign-key",
        paramLabel = "KEY",
        description = "Sign the index and each platform manifest with this cosign key.")
    Path signKey;

    @Option(
        names = "--sign-format",
        paramLabel = "legacy|bundle|both",
        description =
            "With --sign-key: sha256-HEX.sig tags (legacy), sigstore bundle referrers"
                + " (bundle), or both. Default: both.")
    String signFormat;

    @Option(
        names = "--progress",
        paramLabel = "auto|plain|tty|quiet|rawjson",
        description = "How to show progress (as build's). Default: auto.")
    String progress = "auto";

    @CommandLine.Mixin RegistryFlags registryFlags;

    @Parameters(
        arity = "1..*",
        paramLabel = "IMAGE",
        description = "The images to merge (HOST/REPO:TAG or @DIGEST).")
    List<String> images = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
      Main main = parent.main;
      ProgressPrinter printer = ProgressPrinter.of(spec.commandLine().getErr(), progress, main);
      return printer.around(() -> create(main, printer));
    }

    private int create(Main main, ProgressPrinter printer) throws IOException {
      List<ImageReference> targets = new ArrayList<>();
      for (String t : tags) {
        targets.add(ImageReference.parse(t));
      }
      List<ImageReference> sources = new ArrayList<>();
      for (String i : images) {
        sources.add(ImageReference.parse(i));
      }
      if (sources.isEmpty()) {
        throw new SlimbuildException("index create needs at least one IMAGE");
      }
      if (signFormat != null && signKey == null) {
        throw new SlimbuildException("--sign-format needs --sign-key");
      }
      SignFormat format = SignFormat.forSigning(signFormat == null ? "both" : signFormat);
      PrivateKey key =
          signKey == null ? null : SigningKeys.loadPrivate(signKey, "--sign-key", main.env());
      try (RegistryFlags.Session registries = registryFlags.session(main.env())) {
        RawJson<Index> index =
            new IndexCreator(registries::forHost, printer).create(sources, targets);
        if (key != null) {
          ImageSigning.signPushed(
              registries,
              targets,
              new RawManifest(index.bytes(), index.value().descriptorMediaType(), index.digest()),
              key,
              format,
              printer);
        }
        spec.commandLine().getOut().println(index.digest());
      }
      return 0;
    }
  }
}
