package dev.slimbuild.cli;

import dev.slimbuild.core.SlimbuildException;
import dev.slimbuild.signing.CosignKeys;
import dev.slimbuild.signing.KeyException;
import java.io.Console;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.Map;

/**
 * Loads the keys {@code sign}, {@code verify} and {@code build --sign-key} use. The password of an
 * encrypted key comes from {@code COSIGN_PASSWORD}, else from the terminal without echo. Errors
 * name the file and never hold key material or the password.
 */
final class SigningKeys {
  private SigningKeys() {}

  /** The private key in {@code file}; {@code flag} names the option in errors. */
  static PrivateKey loadPrivate(Path file, String flag, Map<String, String> env)
      throws IOException {
    String pem = read(file, flag);
    boolean encrypted =
        pem.contains(CosignKeys.SIGSTORE_LABEL) || pem.contains(CosignKeys.COSIGN_LABEL);
    char[] password = encrypted ? password(file, env) : new char[0];
    try {
      return CosignKeys.loadPrivate(pem, password);
    } catch (KeyException e) {
      throw new SlimbuildException(flag + " " + file + ": " + e.getMessage());
    } finally {
      Arrays.fill(password, '\0');
    }
  }

  /** The public key in {@code file}. */
  static PublicKey loadPublic(Path file, String flag) throws IOException {
    try {
      return CosignKeys.loadPublic(read(file, flag));
    } catch (KeyException e) {
      throw new SlimbuildException(flag + " " + file + ": " + e.getMessage());
    }
  }

  private static String read(Path file, String flag) throws IOException {
    try {
      return Files.readString(file, StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      throw new SlimbuildException(flag + " " + file + ": no such file");
    } catch (CharacterCodingException e) {
      throw new SlimbuildException(flag + " " + file + ": not a PEM key file");
    }
  }

  private static char[] password(Path file, Map<String, String> env) {
    String fromEnv = env.get(GenerateKeyPairCommand.PASSWORD_ENV);
    if (fromEnv != null) {
      return fromEnv.toCharArray();
    }
    Console console = Terminal.console();
    if (console == null) {
      throw new SlimbuildException(
          "no password for "
              + file
              + ": set "
              + GenerateKeyPairCommand.PASSWORD_ENV
              + " or run in a terminal");
    }
    char[] p = console.readPassword("Enter password for private key " + file + ": ");
    if (p == null) {
      throw new SlimbuildException("no password given for " + file);
    }
    return p;
  }
}
