package dev.slimbuild.signing;

/**
 * The two files of a cosign key pair: the encrypted private key ({@code cosign.key}) and the public
 * key ({@code cosign.pub}), both PEM text. {@link #toString()} shows neither.
 */
public record KeyPairFiles(String privatePem, String publicPem) {

  @Override
  public String toString() {
    return "KeyPairFiles[privatePem=(hidden), publicPem=(" + publicPem.length() + " chars)]";
  }
}
