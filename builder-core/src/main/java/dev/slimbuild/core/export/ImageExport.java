package dev.slimbuild.core.export;

import dev.slimbuild.core.SlimbuildException;
import dev.slimbuild.core.attest.AttestOptions;
import dev.slimbuild.core.attest.Attestor;
import dev.slimbuild.core.attest.BuildAttestations;
import dev.slimbuild.core.attest.SbomStatements;
import dev.slimbuild.core.event.BuildEvent;
import dev.slimbuild.core.image.ImageOutput;
import dev.slimbuild.core.image.LocalStore;
import dev.slimbuild.core.oci.ImageReference;
import dev.slimbuild.core.oci.Platform;
import dev.slimbuild.core.optimize.SizeReport;
import dev.slimbuild.core.optimize.Sizes;
import dev.slimbuild.core.registry.RegistryProvider;
import dev.slimbuild.core.sign.SignFormat;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Everything that happens to a finished build: the size budget, then each exporter in turn (the
 * outputs, pushes and signatures, the local store, {@code --load}), then the metadata and image-ID
 * files. Made from the flags before the build and {@link #check}ed then, so that a wrong
 * destination, an unreachable registry or refused credentials fail before any work.
 */
public final class ImageExport {
  /**
   * What the user asked for, as buildx's flags say it.
   *
   * @param outputs each {@code --output}
   * @param push {@code --push}: the image goes to the registry under {@code names}
   * @param load {@code --load}
   * @param names the {@code -t} names
   * @param signKey signs what is pushed, or null
   * @param signFormat the signature formats written with {@code signKey}
   * @param maxSize {@code --max-size} as given, or null
   * @param metadataFile {@code --metadata-file}, or null
   * @param iidFile {@code --iidfile}, or null
   * @param store the local store
   * @param registries the registries pushes go to
   * @param env the environment ({@code --load} finds its tool on its PATH)
   * @param stdout standard output, for {@code dest=-}
   * @param attest the attestations pushed and OCI outputs carry
   */
  public record Request(
      List<OutputSpec> outputs,
      boolean push,
      boolean load,
      List<ImageReference> names,
      PrivateKey signKey,
      SignFormat signFormat,
      String maxSize,
      Path metadataFile,
      Path iidFile,
      LocalStore store,
      RegistryProvider registries,
      Map<String, String> env,
      OutputStream stdout,
      AttestOptions attest) {}

  private final List<Exporter> exporters;
  private final Long budget;
  private final String maxSize;
  private final Request request;

  private ImageExport(List<Exporter> exporters, Long budget, String maxSize, Request request) {
    this.exporters = List.copyOf(exporters);
    this.budget = budget;
    this.maxSize = maxSize;
    this.request = request;
  }

  /** The exporters {@code r} asks for, in the order they run; input errors name the flag. */
  public static ImageExport plan(Request r) {
    Long budget = r.maxSize() == null ? null : Sizes.parse(r.maxSize());
    List<Exporter> out = new ArrayList<>();
    boolean pushes = false;
    for (OutputSpec o : r.outputs()) {
      switch (o.type()) {
        case OCI, DOCKER -> out.add(new ImageArchiveExporter(o, r.names(), r.stdout()));
        case LOCAL, TAR -> out.add(new FilesExporter(o, r.stdout()));
        default -> {
          List<ImageReference> names =
              o.names().isEmpty()
                  ? r.names()
                  : o.names().stream().map(ImageReference::parse).toList();
          if (names.isEmpty()) {
            throw new SlimbuildException(
                "--output type="
                    + (o.push() ? "registry" : "image")
                    + " needs a name: name=NAME or -t NAME");
          }
          if (o.push()) {
            out.add(new PushExporter(r.registries(), names, r.signKey(), r.signFormat()));
            pushes = true;
          } else {
            out.add(new StoreExporter(r.store(), names));
          }
        }
      }
    }
    if (r.push()) {
      if (r.names().isEmpty()) {
        throw new SlimbuildException("--push needs at least one -t NAME to push to");
      }
      out.add(new PushExporter(r.registries(), r.names(), r.signKey(), r.signFormat()));
      pushes = true;
    }
    if (r.load()) {
      out.add(new LoadExporter(r.env(), r.names()));
    }
    if (r.signKey() != null && !pushes) {
      throw new SlimbuildException(
          "--sign-key needs --push or --output type=registry (or sign"
              + " later with 'slimbuild sign')");
    }
    if (out.isEmpty()) {
      out.add(new StoreExporter(r.store(), r.names()));
    }
    if (out.stream().filter(Exporter::toStdout).count() > 1) {
      throw new SlimbuildException("only one --output can write to standard output (dest=-)");
    }
    if (r.metadataFile() != null) {
      out.add(new FileExporter(FileExporter.Kind.METADATA, r.metadataFile(), r.names()));
    }
    if (r.iidFile() != null) {
      out.add(new FileExporter(FileExporter.Kind.IMAGE_ID, r.iidFile(), r.names()));
    }
    return new ImageExport(out, budget, r.maxSize(), r);
  }

  /**
   * Checks every destination before the build: output paths, push targets (reachable, and the
   * credentials accepted for push), the {@code --load} tool. Nothing is written.
   */
  public void check() throws IOException {
    for (Exporter e : exporters) {
      e.check();
    }
  }

  /** Whether an exporter reads every blob locally, so base layers must be downloaded. */
  public boolean needsLocalBlobs() {
    return exporters.stream().anyMatch(Exporter::needsLocalBlobs);
  }

  /** Whether an exporter writes to standard output (then nothing else may be printed there). */
  public boolean toStdout() {
    return exporters.stream().anyMatch(Exporter::toStdout);
  }

  /**
   * Exports the build: fails first, writing nothing, when a platform is over the size budget; then
   * attaches the attestations when an exporter carries them, and runs each exporter. Returns what
   * was exported: the image with its attestations, or the image.
   */
  public ImageOutput run(ExportContext c) throws IOException {
    if (budget != null) {
      List<String> over = new ArrayList<>();
      for (SizeReport s : c.result().sizeReports().values()) {
        if (s.compressedSize() > budget) {
          over.add(s.platform() + " is " + Sizes.format(s.compressedSize()));
        }
      }
      if (!over.isEmpty()) {
        throw new SlimbuildException(
            "image exceeds --max-size "
                + maxSize
                + " ("
                + Sizes.format(budget)
                + "): "
                + String.join(", ", over)
                + "; nothing was written");
      }
    }
    // pushes carry the attestations asked for or on by default; OCI layouts those asked for
    AttestOptions attest = request.attest();
    ImageOutput plain = c.result().image();
    ImageOutput pushed = plain;
    ImageOutput layout = plain;
    if (attest.any() && exporters.stream().anyMatch(e -> e instanceof PushExporter)) {
      pushed = attach(c, attest);
    }
    AttestOptions forLayouts = attest.forLayouts();
    if (forLayouts.any() && exporters.stream().anyMatch(e -> e instanceof ImageArchiveExporter)) {
      layout = forLayouts.equals(attest) && pushed != plain ? pushed : attach(c, forLayouts);
    }
    ImageOutput reported = pushed != plain ? pushed : layout;
    for (Exporter e : exporters) {
      e.export(
          c.with(
              e instanceof PushExporter
                  ? pushed
                  : e instanceof ImageArchiveExporter ? layout : reported));
      String done = e.done();
      if (done != null) {
        c.events().accept(new BuildEvent.Info(done));
      }
    }
    return reported;
  }

  private ImageOutput attach(ExportContext c, AttestOptions options) throws IOException {
    BuildAttestations.SbomMaker sbom =
        SbomStatements.of(
            c.result(),
            c.builder(),
            c.blobs(),
            request.store().root().resolve("cache").resolve("attest"),
            c.epoch(),
            options.cyclonedx());
    return Attestor.attach(
        c.blobs(),
        c.result().image(),
        BuildAttestations.of(c.request(), c.result(), options, request.names(), sbom));
  }

  /** Whether {@code budget} is set and some platform exceeds it (the size report is printed). */
  public boolean overBudget(Map<Platform, SizeReport> reports) {
    return budget != null && reports.values().stream().anyMatch(s -> s.compressedSize() > budget);
  }
}
