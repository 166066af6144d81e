package dev.slimbuild.cli;

import dev.slimbuild.core.image.DigestMismatchException;
import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.Digest;
import java.io.IOException;

/**
 * Where {@code slimbuild inspect} reads an image from: an OCI layout, the local store, or (through
 * {@link RegistryOpener}) a registry. Only documents (indexes, manifests, configs) are read, never
 * layers.
 */
interface ImageSource extends AutoCloseable {
  /** Documents larger than this are refused (a config or manifest is kilobytes). */
  int MAX_DOCUMENT = 16 * 1024 * 1024;

  /** How the user named the image, for messages. */
  String name();

  /** The descriptor of the image's top document (index or manifest). */
  Descriptor top() throws IOException;

  /** The exact bytes of the document {@code d}, checked against its digest and size. */
  byte[] read(Descriptor d) throws IOException;

  @Override
  default void close() throws IOException {}

  /** Checks {@code bytes} against {@code d}; returns them. */
  static byte[] verified(Descriptor d, byte[] bytes) throws IOException {
    if (bytes.length != d.size()) {
      throw new IOException(
          "document " + d.digest() + " is " + bytes.length + " bytes, descriptor says " + d.size());
    }
    Digest actual = Digest.sha256Of(bytes);
    if (d.digest().algorithm().equals("sha256") && !actual.equals(d.digest())) {
      throw new DigestMismatchException("document", d.digest(), actual);
    }
    return bytes;
  }
}
