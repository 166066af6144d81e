package dev.slimbuild.cli;

import dev.slimbuild.core.SlimbuildException;
import dev.slimbuild.signing.CosignKeys;
import dev.slimbuild.signing.KeyPairFiles;
import java.io.Console;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code slimbuild generate-key-pair}: writes a cosign-compatible key pair, {@code PREFIX.key}
 * (encrypted, mode 0600) and {@code PREFIX.pub}. The password comes from {@code COSIGN_PASSWORD}
 * (through {@link Main#env()}), else from the terminal, asked twice without echo.
 */
@Command(
    mixinStandardHelpOptions = true,
    name = "generate-key-pair",
    description = "Generate a cosign-compatible ECDSA P-256 key pair for signing images.")
final class GenerateKeyPairCommand implements Callable<Integer> {
  static final String PASSWORD_ENV = "COSIGN_PASSWORD";

  @CommandLine.ParentCommand Main main;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--output-key-prefix",
      paramLabel = "PREFIX",
      description = "Write PREFIX.key and PREFIX.pub (default: ${DEFAULT-VALUE}).")
  String prefix = "cosign";

  @Override
  public Integer call() throws IOException {
    Path keyFile = Path.of(prefix + ".key");
    Path pubFile = Path.of(prefix + ".pub");
    List<String> existing = new ArrayList<>();
    for (Path p : List.of(keyFile, pubFile)) {
      if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
        existing.add(p.toString());
      }
    }
    if (!existing.isEmpty()) {
      throw new SlimbuildException(
          "refusing to overwrite "
              + String.join(" and ", existing)
              + "; remove or choose another --output-key-prefix");
    }
    char[] password = password();
    KeyPairFiles files;
    try {
      files = CosignKeys.generate(password);
    } finally {
      Arrays.fill(password, '\0');
    }
    writePrivate(keyFile, files.privatePem());
    try {
      Files.writeString(
          pubFile, files.publicPem(), StandardCharsets.US_ASCII, StandardOpenOption.CREATE_NEW);
    } catch (IOException e) {
      Files.deleteIfExists(keyFile);
      throw e;
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println("Private key written to " + keyFile);
    out.println("Public key written to " + pubFile);
    out.flush();
    return 0;
  }

  private char[] password() {
    String fromEnv = main.env().get(PASSWORD_ENV);
    if (fromEnv != null) {
      return fromEnv.toCharArray();
    }
    Console console = Terminal.console();
    if (console == null) {
      throw new SlimbuildException(
          "no password: set " + PASSWORD_ENV + " or run generate-key-pair in a terminal");
    }
    char[] first = console.readPassword("Enter password for private key: ");
    char[] second = console.readPassword("Enter password for private key again: ");
    if (first == null || second == null) {
      throw new SlimbuildException("no password given");
    }
    try {
      if (!Arrays.equals(first, second)) {
        throw new SlimbuildException("passwords do not match");
      }
      return first.clone();
    } finally {
      Arrays.fill(first, '\0');
      Arrays.fill(second, '\0');
    }
  }

  /** Creates {@code file} with mode 0600 from the start (never briefly readable by others). */
  private static void writePrivate(Path file, String pem) throws IOException {
    try {
      if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
        Files.createFile(
            file,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } else {
        Files.createFile(file);
      }
    } catch (FileAlreadyExistsException e) {
      throw new SlimbuildException("refusing to overwrite " + file);
    }
    Files.writeString(file, pem, StandardCharsets.US_ASCII, StandardOpenOption.WRITE);
  }
}
