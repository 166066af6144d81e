package dev.slimbuild.core.sbom;

import dev.slimbuild.core.image.BlobStore;
import dev.slimbuild.core.image.BuiltImage;
import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The software bill of materials of one platform's image: every package its final file system holds
 * (the base's and the build's) and every regular file the build added, with checksums. Packages are
 * sorted by purl then location, files by path; the same input gives the same documents, byte for
 * byte.
 */
public final class Sbom {
  /** The in-toto predicate type of an SPDX document, as BuildKit attests it. */
  public static final String SPDX_PREDICATE_TYPE = "https://spdx.dev/Document";

  /** The in-toto predicate type of a CycloneDX document. */
  public static final String CYCLONEDX_PREDICATE_TYPE = "https://cyclonedx.org/bom";

  private final SbomInput input;
  private final List<SbomPackage> packages;
  private final List<SbomFile> files;
  private final OsRelease os;
  private final List<String> warnings;

  private Sbom(
      SbomInput input,
      List<SbomPackage> packages,
      List<SbomFile> files,
      OsRelease os,
      List<String> warnings) {
    this.input = input;
    this.packages = List.copyOf(packages);
    this.files = List.copyOf(files);
    this.os = os;
    this.warnings = List.copyOf(warnings);
  }

  /**
   * Reads the image's layers, each once, streamed, and stacks what they hold as the final image has
   * it (see {@link ImageScan}).
   */
  public static Sbom generate(SbomInput input) throws IOException {
    List<SbomInput.Layer> layers = input.layers();
    ImageScan scan = new ImageScan();
    for (int i = 0; i < layers.size(); i++) {
      try (InputStream blob = layers.get(i).blob().open()) {
        scan.apply(LayerScan.read(blob, i, i >= input.baseLayers()));
      }
    }
    Map<String, SbomPackage> unique = new LinkedHashMap<>();
    for (SbomPackage p : scan.packages()) {
      unique.putIfAbsent(p.purl() + "\n" + p.location(), p);
    }
    List<SbomPackage> packages = new ArrayList<>(unique.values());
    packages.sort(Comparator.comparing(SbomPackage::purl).thenComparing(SbomPackage::location));
    List<SbomFile> files = new ArrayList<>(scan.added());
    files.sort(Comparator.comparing(SbomFile::path));
    return new Sbom(input, packages, files, scan.os(), scan.warnings());
  }

  /**
   * The SBOM of {@code image}, its layers read from {@code store} (every layer must be there, the
   * base's too).
   *
   * @param baseLayers how many bottom layers came from the base image
   * @param epochSeconds the creation time ({@code SOURCE_DATE_EPOCH})
   * @param imageName the image's name, or "" when unnamed
   */
  static Sbom forImage(
      BlobStore store, BuiltImage image, int baseLayers, long epochSeconds, String imageName)
      throws IOException {
    List<SbomInput.Layer> layers = new ArrayList<>();
    for (Descriptor d : image.layers()) {
      Digest digest = d.digest();
      layers.add(new SbomInput.Layer(digest, () -> store.open(digest)));
    }
    return generate(
        new SbomInput(
            imageName,
            image.platform(),
            layers,
            baseLayers,
            epochSeconds,
            image.descriptor().digest()));
  }

  public SbomInput input() {
    return input;
  }

  /** The packages, sorted by purl, then location. */
  public List<SbomPackage> packages() {
    return packages;
  }

  /** The regular files the build added, sorted by path. */
  public List<SbomFile> files() {
    return files;
  }

  /** Files that could not be read (a damaged archive, an oversized database): one line each. */
  public List<String> warnings() {
    return warnings;
  }

  /** {@code ID-VERSION_ID} of the distribution ({@code debian-12}), or null when unknown. */
  public String distro() {
    return os.distroQualifier() != null ? os.distroQualifier() : os.id();
  }

  OsRelease os() {
    return os;
  }

  /** The SBOM as an SPDX 2.3 JSON document. */
  public byte[] toSpdxJson() {
    return SpdxWriter.write(this);
  }

  /** The SBOM as a CycloneDX 1.6 JSON document. */
  public byte[] toCycloneDxJson() {
    return CycloneDxWriter.write(this);
  }

  /** slimbuild's version as its jar states it, or null (running from classes). */
  static String toolVersion() {
    return Sbom.class.getPackage().getImplementationVersion();
  }
}
