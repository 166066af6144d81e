package dev.slimbuild.core.sbom;

import java.util.Objects;

/**
 * A package found in an image.
 *
 * @param type the package URL type: deb, apk, npm, pypi, golang or maven
 * @param name the package's name as its ecosystem spells it (npm: {@code @scope/name}; maven:
 *     {@code group:artifact}; golang: the module path)
 * @param version its version, or null when the source states none (a Go main module built from a
 *     checkout reports {@code (devel)}: null here)
 * @param purl its package URL, in canonical form
 * @param license the license as the package database states it, or null
 * @param location where in the image it was found: the database, manifest or binary, without a
 *     leading '/' (inside a jar: {@code app.jar!/BOOT-INF/lib/x.jar})
 * @param layer the index of the layer that holds {@code location} (0 = bottom)
 */
public record SbomPackage(
    String type,
    String name,
    String version,
    String purl,
    String license,
    String location,
    int layer) {

  public SbomPackage {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(purl, "purl");
    Objects.requireNonNull(location, "location");
  }

  /** The image file {@link #location} names: the outermost archive for a nested location. */
  public String file() {
    int bang = location.indexOf("!/");
    return bang < 0 ? location : location.substring(0, bang);
  }
}
