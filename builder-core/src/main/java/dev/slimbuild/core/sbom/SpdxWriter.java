package dev.slimbuild.core.sbom;

import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.core.oci.ImageReference;
import dev.slimbuild.json.Json;
import dev.slimbuild.json.JsonArray;
import dev.slimbuild.json.JsonObject;
import dev.slimbuild.json.JsonValue;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes an {@link Sbom} as an SPDX 2.3 JSON document (spdx-spec 2.3, the JSON schema's field names
 * and order of sections): the image as the described package, CONTAINS each found package and each
 * file the build added, and each package OTHER ("evident-by", as syft writes it) the added file it
 * was read from. SPDX identifiers are derived from content (purl and location, or path), {@code
 * created} from the input's epoch, {@code documentNamespace} from the image digest.
 *
 * <p>Ours rather than SPDX's Java library (org.spdx java-spdx-library with its v2 model and Jackson
 * store): measured in a fresh JVM, that library took about 2 s of CPU to write 200 packages, brings
 * about 7 MB of jars (a second Jackson, a 4 MB license list) and looks the license list up over the
 * network unless told otherwise. The 2.3 document is flat JSON; the tests check ours against the
 * SPDX 2.3 JSON schema.
 */
final class SpdxWriter {
  static final String NAMESPACE_PREFIX = "https://slimbuild.dev/spdx/";
  private static final String NOASSERTION = "NOASSERTION";
  static final String IMAGE_ID = "SPDXRef-Image";
  static final String OS_ID = "SPDXRef-OperatingSystem";

  private SpdxWriter() {}

  static byte[] write(Sbom sbom) {
    SbomInput in = sbom.input();
    String name = in.imageName().isEmpty() ? in.imageDigest().toString() : in.imageName();
    String version = Sbom.toolVersion();

    List<JsonValue> packages = new ArrayList<>();
    List<JsonValue> relationships = new ArrayList<>();
    Map<String, String> extracted = new LinkedHashMap<>(); // LicenseRef id -> declared text
    relationships.add(relationship("SPDXRef-DOCUMENT", "DESCRIBES", IMAGE_ID, null));

    JsonObject.Builder image = packageStart(name, IMAGE_ID, in.imageDigest().toString());
    String imagePurl = ociPurl(in);
    image.putIfPresent("externalRefs", imagePurl == null ? null : purlRef(imagePurl));
    image.put("primaryPackagePurpose", "CONTAINER");
    packages.add(image.build());

    OsRelease os = sbom.os();
    if (os.id() != null) {
      JsonObject.Builder p = packageStart(os.id(), OS_ID, os.versionId());
      p.put("primaryPackagePurpose", "OPERATING_SYSTEM"); // the JSON schema's spelling
      packages.add(p.build());
      relationships.add(relationship(IMAGE_ID, "CONTAINS", OS_ID, null));
    }

    Map<String, String> fileIds = new LinkedHashMap<>();
    for (SbomFile f : sbom.files()) {
      fileIds.put(f.path(), fileId(f.path()));
    }
    Set<String> ids = new HashSet<>();
    for (SbomPackage p : sbom.packages()) {
      String id = packageId(p);
      if (!ids.add(id)) {
        continue; // same purl and location: one package
      }
      JsonObject.Builder b = packageStart(p.name(), id, p.version());
      if (p.license() != null) {
        b.put("licenseDeclared", licenseField(p.license(), extracted));
      }
      b.put("externalRefs", purlRef(p.purl()));
      b.put("sourceInfo", "acquired package info from " + source(p) + ": /" + p.location());
      b.put("primaryPackagePurpose", "LIBRARY");
      packages.add(b.build());
      relationships.add(relationship(IMAGE_ID, "CONTAINS", id, null));
      String file = fileIds.get(p.file());
      if (file != null) {
        relationships.add(
            relationship(
                id,
                "OTHER",
                file,
                "evident-by: indicates the package's existence is evident by the given file"));
      }
    }

    List<JsonValue> files = new ArrayList<>();
    for (SbomFile f : sbom.files()) {
      String id = fileIds.get(f.path());
      files.add(
          JsonObject.builder()
              .put("fileName", "/" + f.path())
              .put("SPDXID", id)
              .put(
                  "checksums",
                  new JsonArray(
                      List.of(checksum("SHA1", f.sha1()), checksum("SHA256", f.sha256()))))
              .put("licenseConcluded", NOASSERTION)
              .put("copyrightText", NOASSERTION)
              .build());
      relationships.add(relationship(IMAGE_ID, "CONTAINS", id, null));
    }

    JsonObject.Builder doc =
        JsonObject.builder()
            .put("spdxVersion", "SPDX-2.3")
            .put("dataLicense", "CC0-1.0")
            .put("SPDXID", "SPDXRef-DOCUMENT")
            .put("name", name)
            .put("documentNamespace", namespace(in))
            .put(
                "creationInfo",
                JsonObject.builder()
                    .put(
                        "creators",
                        JsonArray.ofStrings(
                            List.of("Tool: slimbuild" + (version == null ? "" : "-" + version))))
                    .put("created", Instant.ofEpochSecond(in.epochSeconds()).toString())
                    .build());
    if (!extracted.isEmpty()) {
      List<JsonValue> infos = new ArrayList<>();
      extracted.forEach(
          (id, text) ->
              infos.add(
                  JsonObject.builder()
                      .put("licenseId", id)
                      .put("extractedText", text)
                      .put("name", text)
                      .build()));
      doc.put("hasExtractedLicensingInfos", new JsonArray(infos));
    }
    doc.put("packages", new JsonArray(packages))
        .put("files", new JsonArray(files))
        .put("relationships", new JsonArray(relationships));
    return Json.write(doc.build());
  }

  /** A package's identifier: its type and name, and a hash of its purl and location. */
  static String packageId(SbomPackage p) {
    return "SPDXRef-Package-"
        + p.type()
        + "-"
        + idPart(p.name())
        + "-"
        + shortHash(p.purl() + "\n" + p.location());
  }

  /** A file's identifier: its name, and a hash of its path. */
  static String fileId(String path) {
    return "SPDXRef-File-"
        + idPart(path.substring(path.lastIndexOf('/') + 1))
        + "-"
        + shortHash(path);
  }

  /** A unique URI per image: the name's characters that are safe, then the manifest digest. */
  static String namespace(SbomInput in) {
    String name =
        in.imageName().isEmpty() ? "image" : in.imageName().replaceAll("[^A-Za-z0-9._-]+", "-");
    return NAMESPACE_PREFIX + name + "-" + in.imageDigest().hex();
  }

  private static JsonObject.Builder packageStart(String name, String id, String version) {
    JsonObject.Builder b = JsonObject.builder().put("name", name).put("SPDXID", id);
    b.putIfPresent("versionInfo", version);
    return b.put("downloadLocation", NOASSERTION)
        .put("filesAnalyzed", false)
        .put("licenseConcluded", NOASSERTION)
        .put("copyrightText", NOASSERTION);
  }

  private static String source(SbomPackage p) {
    return switch (p.type()) {
      case "deb" -> "dpkg database";
      case "apk" -> "apk database";
      case "npm" -> "npm package";
      case "pypi" -> "python package metadata";
      case "golang" -> "Go module information";
      case "maven" -> "Java archive";
      default -> p.type();
    };
  }

  /** An SPDX expression as is (identifiers in listed case), else a LicenseRef to the text. */
  private static String licenseField(String declared, Map<String, String> extracted) {
    String expr = Licenses.expression(declared);
    if (expr != null) {
      return expr;
    }
    String id = "LicenseRef-" + idPart(declared);
    if (extracted.containsKey(id) && !extracted.get(id).equals(declared)) {
      id = id + "-" + shortHash(declared);
    }
    extracted.putIfAbsent(id, declared);
    return id;
  }

  private static JsonArray purlRef(String purl) {
    return new JsonArray(
        List.of(
            JsonObject.builder()
                .put("referenceCategory", "PACKAGE-MANAGER")
                .put("referenceType", "purl")
                .put("referenceLocator", purl)
                .build()));
  }

  private static JsonObject checksum(String algorithm, String hex) {
    return JsonObject.builder().put("algorithm", algorithm).put("checksumValue", hex).build();
  }

  private static JsonObject relationship(String from, String type, String to, String comment) {
    JsonObject.Builder b =
        JsonObject.builder()
            .put("spdxElementId", from)
            .put("relatedSpdxElement", to)
            .put("relationshipType", type);
    b.putIfPresent("comment", comment);
    return b.build();
  }

  /**
   * The image's {@code pkg:oci} purl when it has a parseable name: the repository's last part as
   * the name, the manifest digest as the version, the repository, tag and architecture as
   * qualifiers.
   */
  static String ociPurl(SbomInput in) {
    if (in.imageName().isEmpty()) {
      return null;
    }
    ImageReference ref;
    try {
      ref = ImageReference.parse(in.imageName());
    } catch (RuntimeException e) {
      return null;
    }
    String repo = ref.repository();
    Map<String, String> q = new LinkedHashMap<>();
    q.put("arch", in.platform().architecture());
    q.put("repository_url", ref.registry() + "/" + repo);
    q.put("tag", ref.tag());
    return Purls.of(
        "oci", null, repo.substring(repo.lastIndexOf('/') + 1), in.imageDigest().toString(), q);
  }

  /** Characters an SPDX identifier may hold ({@code [A-Za-z0-9.-]}), others as '-'. */
  static String idPart(String s) {
    String t = s.replaceAll("[^A-Za-z0-9.-]+", "-");
    return t.length() > 60 ? t.substring(0, 60) : t;
  }

  private static String shortHash(String s) {
    return Digest.sha256Of(s.getBytes(StandardCharsets.UTF_8)).hex().substring(0, 16);
  }
}
