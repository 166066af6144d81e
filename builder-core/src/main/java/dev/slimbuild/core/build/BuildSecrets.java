package dev.slimbuild.core.build;

import dev.slimbuild.core.SlimbuildException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The build's secrets ({@code --secret}, buildx's syntax), by id: a file read when a RUN mounts it,
 * or an environment variable's value taken when the flag is read. A value is only ever written to a
 * private file that one RUN mounts ({@link #write}) or put in that RUN's environment: never
 * printed, never in {@link #toString}, never in a cache key.
 */
public final class BuildSecrets {
  /** BuildKit's limit on a secret's size (secretsprovider.MaxSecretSize). */
  static final long MAX_SIZE = 500 * 1024;

  private static final BuildSecrets NONE = new BuildSecrets(Map.of());

  private final Map<String, Source> byId;

  private BuildSecrets(Map<String, Source> byId) {
    this.byId = Collections.unmodifiableMap(new LinkedHashMap<>(byId));
  }

  /** Where a secret's bytes come from. */
  private sealed interface Source permits FileSource, Value {}

  /** A file, read each time a RUN mounts the secret (as BuildKit's session reads it). */
  private record FileSource(Path file) implements Source {}

  /** A value taken from the environment; its {@code toString} never shows it. */
  private static final class Value implements Source {
    private final byte[] bytes;

    Value(byte[] bytes) {
      this.bytes = bytes.clone();
    }

    @Override
    public String toString() {
      return "Value[" + bytes.length + " bytes]";
    }
  }

  /** No secrets. */
  public static BuildSecrets none() {
    return NONE;
  }

  /**
   * Parses {@code --secret} values as buildx does: {@code
   * [type=file|env,]id=ID[,src=FILE|,env=VAR]} ({@code source} for {@code src}). Without {@code
   * src} and {@code env} the secret is the environment variable ID if {@code env} has it, else the
   * file ID (with {@code type=file}, always the file); {@code type=env} with {@code src} names the
   * variable. The id defaults to the variable's name or the file's base name. A later flag for an
   * id replaces an earlier one. Errors name the flag value (which holds no secret) and come before
   * any work: a file that is missing, not a regular file or over {@link #MAX_SIZE}, a variable
   * {@code env} does not have.
   */
  public static BuildSecrets parse(List<String> values, Map<String, String> env) {
    Map<String, Source> byId = new LinkedHashMap<>();
    for (String v : values) {
      String type = null;
      String id = null;
      String src = null;
      String var = null;
      for (String field : RunMountSpec.fields(v)) {
        int eq = field.indexOf('=');
        if (eq < 0) {
          throw bad(v, "'" + field + "' is not KEY=VALUE");
        }
        String key = field.substring(0, eq).trim().toLowerCase(Locale.ROOT);
        String value = field.substring(eq + 1);
        switch (key) {
          case "type" -> {
            if (!value.equals("file") && !value.equals("env")) {
              throw bad(v, "unsupported type '" + value + "' (expected file or env)");
            }
            type = value;
          }
          case "id" -> id = value;
          case "src", "source" -> src = value;
          case "env" -> var = value;
          default -> throw bad(v, "unexpected key '" + key + "' (expected type, id, src or env)");
        }
      }
      if ("env".equals(type) && var == null) {
        var = src;
        src = null;
      }
      if (id == null || id.isEmpty()) {
        if (var != null && !var.isEmpty()) {
          id = var;
        } else if (src != null && !src.isEmpty()) {
          id = Path.of(src).getFileName().toString();
        } else {
          throw bad(v, "no id");
        }
      }
      if (var == null && src == null) {
        if (env.containsKey(id) && !"file".equals(type)) {
          var = id;
        } else {
          src = id;
        }
      }
      if (var != null) {
        String value = env.get(var);
        if (value == null) {
          throw bad(v, "the environment variable " + var + " is not set");
        }
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_SIZE) {
          throw bad(v, "the secret is over " + MAX_SIZE / 1024 + " KiB");
        }
        byId.put(id, new Value(bytes));
      } else {
        Path file = Path.of(src);
        checkFile(v, file);
        byId.put(id, new FileSource(file.toAbsolutePath()));
      }
    }
    return new BuildSecrets(byId);
  }

  private static void checkFile(String flag, Path file) {
    if (!Files.exists(file)) {
      throw bad(flag, file + " does not exist");
    }
    if (!Files.isRegularFile(file)) {
      throw bad(flag, file + " is not a regular file");
    }
    if (!Files.isReadable(file)) {
      throw bad(flag, file + " cannot be read");
    }
    try {
      if (Files.size(file) > MAX_SIZE) {
        throw bad(flag, file + " is over " + MAX_SIZE / 1024 + " KiB");
      }
    } catch (IOException e) {
      throw bad(flag, file + " cannot be read (" + e.getMessage() + ")");
    }
  }

  private static SlimbuildException bad(String flag, String why) {
    return new SlimbuildException("invalid --secret '" + flag + "': " + why);
  }

  /** Whether the build has the secret {@code id}. */
  public boolean has(String id) {
    return byId.containsKey(id);
  }

  /** The ids of the build's secrets. */
  public Set<String> ids() {
    return byId.keySet();
  }

  /** The secret's bytes (a file's, read now). */
  byte[] bytes(String id) throws IOException {
    Source s = byId.get(id);
    if (s == null) {
      throw new IllegalArgumentException("no secret " + id);
    }
    if (s instanceof Value value) {
      return value.bytes.clone();
    }
    Path file = ((FileSource) s).file();
    try (InputStream in = Files.newInputStream(file)) {
      byte[] bytes = in.readNBytes((int) MAX_SIZE + 1);
      if (bytes.length > MAX_SIZE) {
        throw new SlimbuildException(
            "secret " + id + ": " + file + " is over " + MAX_SIZE / 1024 + " KiB");
      }
      return bytes;
    }
  }

  /**
   * Writes the secret {@code id} to the new file {@code file}, created readable by its owner only
   * before anything is written to it, then given {@code mode} (and, when {@code chown}, {@code
   * uid:gid}).
   */
  void write(String id, Path file, int mode, boolean chown, int uid, int gid) throws IOException {
    byte[] bytes = bytes(id);
    try (OutputStream out =
        Files.newOutputStream(
            Files.createFile(
                file,
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))),
            StandardOpenOption.WRITE)) {
      out.write(bytes);
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
    if (chown) {
      Files.setAttribute(file, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
      Files.setAttribute(file, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
    }
    Files.setAttribute(file, "unix:mode", mode & 07777, LinkOption.NOFOLLOW_LINKS);
  }

  /** The secret {@code id} as an environment variable's value (UTF-8, as BuildKit passes it). */
  String text(String id) throws IOException {
    return new String(bytes(id), StandardCharsets.UTF_8);
  }

  /** The ids only: never a value. */
  @Override
  public String toString() {
    return "BuildSecrets" + byId.keySet();
  }
}
