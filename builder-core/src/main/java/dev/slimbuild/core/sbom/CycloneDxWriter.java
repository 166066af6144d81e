package dev.slimbuild.core.sbom;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.cyclonedx.Version;
import org.cyclonedx.exception.GeneratorException;
import org.cyclonedx.generators.json.BomJsonGenerator;
import org.cyclonedx.model.Bom;
import org.cyclonedx.model.Component;
import org.cyclonedx.model.Hash;
import org.cyclonedx.model.License;
import org.cyclonedx.model.LicenseChoice;
import org.cyclonedx.model.Metadata;
import org.cyclonedx.model.Property;
import org.cyclonedx.model.license.Expression;
import org.cyclonedx.model.metadata.ToolInformation;

/**
 * Writes an {@link Sbom} as a CycloneDX 1.6 JSON document with cyclonedx-core-java (its model and
 * JSON generator; Jackson underneath, loaded only when this format is asked for). The image is the
 * metadata component; packages are library components, the added files file components with SHA-1
 * and SHA-256 hashes; bom-refs are the SPDX writer's identifiers, the serial number a name-based
 * UUID of the document namespace, the timestamp the input's epoch.
 */
final class CycloneDxWriter {
  private CycloneDxWriter() {}

  static byte[] write(Sbom sbom) {
    SbomInput in = sbom.input();
    Bom bom = new Bom();
    bom.setSerialNumber(
        "urn:uuid:"
            + UUID.nameUUIDFromBytes(SpdxWriter.namespace(in).getBytes(StandardCharsets.UTF_8)));
    bom.setVersion(1);

    Metadata metadata = new Metadata();
    metadata.setTimestamp(Date.from(Instant.ofEpochSecond(in.epochSeconds())));
    Component tool = new Component();
    tool.setType(Component.Type.APPLICATION);
    tool.setName("slimbuild");
    tool.setVersion(Sbom.toolVersion());
    ToolInformation tools = new ToolInformation();
    tools.setComponents(List.of(tool));
    metadata.setToolChoice(tools);
    Component image = new Component();
    image.setType(Component.Type.CONTAINER);
    image.setBomRef(SpdxWriter.IMAGE_ID);
    image.setName(in.imageName().isEmpty() ? in.imageDigest().toString() : in.imageName());
    image.setVersion(in.imageDigest().toString());
    String imagePurl = SpdxWriter.ociPurl(in);
    if (imagePurl != null) {
      image.setPurl(imagePurl);
    }
    metadata.setComponent(image);
    bom.setMetadata(metadata);

    List<Component> components = new ArrayList<>();
    OsRelease os = sbom.os();
    if (os.id() != null) {
      Component c = new Component();
      c.setType(Component.Type.OPERATING_SYSTEM);
      c.setBomRef(SpdxWriter.OS_ID);
      c.setName(os.id());
      c.setVersion(os.versionId());
      components.add(c);
    }
    Set<String> refs = new HashSet<>();
    for (SbomPackage p : sbom.packages()) {
      String ref = SpdxWriter.packageId(p);
      if (!refs.add(ref)) {
        continue;
      }
      Component c = new Component();
      c.setType(Component.Type.LIBRARY);
      c.setBomRef(ref);
      c.setName(p.name());
      c.setVersion(p.version());
      c.setPurl(p.purl());
      if (p.license() != null) {
        c.setLicenses(license(p.license()));
      }
      c.addProperty(new Property("slimbuild:location", "/" + p.location()));
      components.add(c);
    }
    for (SbomFile f : sbom.files()) {
      Component c = new Component();
      c.setType(Component.Type.FILE);
      c.setBomRef(SpdxWriter.fileId(f.path()));
      c.setName("/" + f.path());
      c.setHashes(
          List.of(
              new Hash(Hash.Algorithm.SHA1, f.sha1()),
              new Hash(Hash.Algorithm.SHA_256, f.sha256())));
      components.add(c);
    }
    bom.setComponents(components);
    try {
      return new BomJsonGenerator(bom, Version.VERSION_16)
          .toJsonString()
          .getBytes(StandardCharsets.UTF_8);
    } catch (GeneratorException e) {
      throw new IllegalStateException("CycloneDX document: " + e.getMessage(), e);
    }
  }

  /** A listed identifier as a license id, an expression as an expression, else a name. */
  private static LicenseChoice license(String declared) {
    LicenseChoice choice = new LicenseChoice();
    String expr = Licenses.expression(declared);
    if (expr != null
        && !expr.contains(" ")
        && !expr.endsWith("+")
        && !expr.startsWith("LicenseRef-")) {
      License l = new License();
      l.setId(expr);
      choice.addLicense(l);
    } else if (expr != null) {
      choice.setExpression(new Expression(expr));
    } else {
      License l = new License();
      l.setName(declared);
      choice.addLicense(l);
    }
    return choice;
  }
}
