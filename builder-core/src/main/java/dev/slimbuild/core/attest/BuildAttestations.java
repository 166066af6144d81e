package dev.slimbuild.core.attest;

import dev.slimbuild.core.build.BuildRequest;
import dev.slimbuild.core.build.BuildResult;
import dev.slimbuild.core.context.GitCheckout;
import dev.slimbuild.core.image.BuiltImage;
import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.core.oci.ImageReference;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The statements a build attaches to each platform's image: its SBOM and its provenance. */
public final class BuildAttestations {
  private BuildAttestations() {}

  /** Makes one platform's SBOM statement. */
  @FunctionalInterface
  public interface SbomMaker {
    Statement of(BuiltImage image, List<ImageReference> names) throws IOException;
  }

  /** The statements {@code options} asks for, for each image of {@code result}. */
  public static Attestor.Statements of(
      BuildRequest request,
      BuildResult result,
      AttestOptions options,
      List<ImageReference> names,
      SbomMaker sbom)
      throws IOException {
    Digest dockerfile = result.dockerfile(); // as the build read it, not read again
    Optional<GitCheckout.Source> source = GitCheckout.find(request.context());
    String version = version();
    return image -> {
      List<Statement> out = new ArrayList<>();
      if (options.sbom() && sbom != null) {
        out.add(sbom.of(image, names));
      }
      if (options.provenance()) {
        out.add(
            Statement.of(
                Provenance.PREDICATE_TYPE,
                Provenance.predicate(
                    request, result, image, dockerfile, source, version, options.provenanceMax()),
                image.manifest().digest(),
                image.platform(),
                names));
      }
      return out;
    };
  }

  /** slimbuild's version, from the jar's manifest ("dev" when run from classes). */
  public static String version() {
    String v = BuildAttestations.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
