package dev.slimbuild.core.oci;

import dev.slimbuild.json.JsonObject;

/** The {@code oci-layout} file of an image layout (image-layout.md#oci-layout-file). */
public record OciLayoutHeader(String imageLayoutVersion) implements OciDocument {
  /** The only version the spec defines. */
  public static final OciLayoutHeader V1 = new OciLayoutHeader("1.0.0");

  public OciLayoutHeader {
    if (!"1.0.0".equals(imageLayoutVersion)) {
      throw new IllegalArgumentException(
          "unsupported imageLayoutVersion " + imageLayoutVersion + " (expected 1.0.0)");
    }
  }

  @Override
  public JsonObject toJson() {
    return JsonObject.builder().put("imageLayoutVersion", imageLayoutVersion).build();
  }

  /** Parses an {@code oci-layout} file; throws {@link OciFormatException} if invalid. */
  public static OciLayoutHeader parse(byte[] json) {
    Fields f = Fields.parse(json, "oci-layout");
    String v = f.reqString("imageLayoutVersion");
    return f.build(() -> new OciLayoutHeader(v));
  }
}
