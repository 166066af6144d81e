package dev.slimbuild.signing;

import java.util.Base64;

/** One PEM block (RFC 7468): its label and DER bytes. Headers are not supported. */
record Pem(String label, byte[] der) {

  private static final String BEGIN = "-----BEGIN ";
  private static final String END = "-----END ";
  private static final String DASHES = "-----";

  /** The block as Go's {@code pem.Encode} writes it: 64-character lines, a final newline. */
  String encode() {
    String b64 = Base64.getEncoder().encodeToString(der);
    StringBuilder sb = new StringBuilder(b64.length() + 100);
    sb.append(BEGIN).append(label).append(DASHES).append('\n');
    for (int i = 0; i < b64.length(); i += 64) {
      sb.append(b64, i, Math.min(b64.length(), i + 64)).append('\n');
    }
    return sb.append(END).append(label).append(DASHES).append('\n').toString();
  }

  /** The first PEM block in {@code text}; KeyException when there is none or it is malformed. */
  static Pem decode(String text) {
    int b = text.indexOf(BEGIN);
    if (b < 0) {
      throw new KeyException("not a PEM file (no -----BEGIN line)");
    }
    int labelEnd = text.indexOf(DASHES, b + BEGIN.length());
    int lineEnd = text.indexOf('\n', b);
    if (labelEnd < 0 || (lineEnd >= 0 && labelEnd > lineEnd)) {
      throw new KeyException("malformed PEM BEGIN line");
    }
    String label = text.substring(b + BEGIN.length(), labelEnd);
    String endLine = END + label + DASHES;
    int e = text.indexOf(endLine, labelEnd);
    if (e < 0) {
      throw new KeyException("PEM block " + label + " has no END line");
    }
    String body = text.substring(labelEnd + DASHES.length(), e);
    if (body.contains(":")) {
      throw new KeyException("PEM headers are not supported (" + label + ")");
    }
    try {
      return new Pem(label, Base64.getMimeDecoder().decode(body.strip()));
    } catch (IllegalArgumentException ex) {
      throw new KeyException("PEM block " + label + " is not valid base64");
    }
  }

  @Override
  public String toString() {
    return "Pem[" + label + ", " + der.length + " bytes]";
  }
}
