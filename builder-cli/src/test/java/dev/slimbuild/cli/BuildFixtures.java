package dev.slimbuild.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slimbuild.compress.Decompressors;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/** Helpers shared by the build tests: run the CLI in-process and read an OCI layout back. */
final class BuildFixtures {
  static final ObjectMapper JSON = new ObjectMapper();

  private BuildFixtures() {}

  record Run(int code, String out, String err) {
    String digest() {
      return out.trim();
    }
  }

  static Run run(Map<String, String> env, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(args, new PrintWriter(out), new PrintWriter(err), env);
    return new Run(code, out.toString(), err.toString());
  }

  /** As {@link #run} with {@code stdin} as the CLI's standard input. */
  static Run runWithStdin(Map<String, String> env, byte[] stdin, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        Main.run(
            args,
            new PrintWriter(out),
            new PrintWriter(err),
            env,
            new Main.Stdio(new ByteArrayInputStream(stdin), OutputStream.nullOutputStream()));
    return new Run(code, out.toString(), err.toString());
  }

  /** Runs the CLI in {@link #isolatedEnv} of {@code dir} with {@code extra} added to it. */
  static Run runIn(Path dir, Map<String, String> extra, String... args) {
    Map<String, String> env = isolatedEnv(dir);
    env.putAll(extra);
    return run(env, args);
  }

  /**
   * {@code build --progress quiet -o type=oci,tar=false,dest=DIR/out EXTRA... CTX} in {@code dir}'s
   * env.
   */
  static Run quietOci(Path dir, Path ctx, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "build",
                "--progress",
                "quiet",
                "-o",
                "type=oci,tar=false,dest=" + dir.resolve("out")));
    args.addAll(List.of(extra));
    args.add(ctx.toString());
    return runIn(dir, Map.of(), args.toArray(String[]::new));
  }

  /** An input error: exit 1, and neither a stack trace nor "internal error". */
  static void assertInputError(Run r) {
    assertThat(r.code()).as(r.err()).isEqualTo(1);
    assertThat(r.err())
        .doesNotContain("\tat ")
        .doesNotContain("internal error")
        .doesNotContain("StackOverflowError");
  }

  /**
   * An environment that keeps a CLI run inside {@code dir}: its own store, home, cache and
   * temporary directory (a mutable map, for callers to add to).
   */
  static Map<String, String> isolatedEnv(Path dir) {
    Map<String, String> env = new HashMap<>();
    env.put("SLIMBUILD_STORE", dir.resolve("store").toString());
    env.put("HOME", dir.resolve("home").toString());
    env.put("XDG_CACHE_HOME", dir.resolve("cache").toString());
    env.put("TMPDIR", dir.resolve("tmp").toString());
    return env;
  }

  /**
   * {@code build --no-cache} (every step runs) of {@code ctx} in the {@link #isolatedEnv} of {@code
   * dir}, from the plain-HTTP registry {@code host}, with {@code extra} arguments, to the OCI
   * layout directory {@code dir/out}; plain progress.
   */
  static Run buildEveryStep(Path dir, String host, String out, Path ctx, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "build",
                "--no-cache",
                "--insecure-registry",
                host,
                "--progress",
                "plain",
                "-o",
                "type=oci,tar=false,dest=" + dir.resolve(out)));
    args.addAll(List.of(extra));
    args.add(ctx.toString());
    return run(isolatedEnv(dir), args.toArray(String[]::new));
  }

  /**
   * {@link #isolatedEnv} of {@code dir} (its temporary directory made) for the launcher scripts in
   * target/ ({@code slimbuild}, {@code executor}): this JVM as their java, no class-data archive,
   * and a PATH of target/ and the system's directories.
   */
  static Map<String, String> launcherEnv(Path dir) throws IOException {
    Map<String, String> env = isolatedEnv(dir);
    Files.createDirectories(dir.resolve("tmp"));
    env.put("JAVA", ProcessHandle.current().info().command().orElseThrow());
    env.put("SLIMBUILD_CDS", "0");
    env.put("PATH", Path.of("target").toAbsolutePath() + ":" + SYSTEM_PATH);
    return env;
  }

  /** The PATH of a Debian machine's system directories. */
  static final String SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

  static void write(Path file, String text) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.writeString(file, text, StandardCharsets.UTF_8);
  }

  static Path blob(Path layout, String digest) {
    return layout.resolve("blobs").resolve(digest.replace(':', '/'));
  }

  static JsonNode json(Path layout, String digest) {
    try {
      return JSON.readTree(Files.readAllBytes(blob(layout, digest)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] bytes(Path layout, String digest) {
    try {
      return Files.readAllBytes(blob(layout, digest));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One file of a layer as the tar stores it. */
  record TarFile(String name, char type, int mode, long uid, long gid, String link, byte[] data) {
    String text() {
      return new String(data, StandardCharsets.UTF_8);
    }
  }

  /** The entries of one layer blob, in tar order ("./" stripped, directories without the "/"). */
  static List<TarFile> layer(Path layout, JsonNode layerDescriptor) throws IOException {
    String mt = layerDescriptor.get("mediaType").asText();
    try (InputStream raw =
            Files.newInputStream(blob(layout, layerDescriptor.get("digest").asText()));
        InputStream in = Decompressors.open(raw, mt)) {
      return tar(in);
    }
  }

  static List<TarFile> tar(InputStream in) throws IOException {
    List<TarFile> out = new ArrayList<>();
    TarArchiveInputStream t = new TarArchiveInputStream(in);
    for (TarArchiveEntry e = t.getNextEntry(); e != null; e = t.getNextEntry()) {
      String name = e.getName();
      if (name.startsWith("./")) {
        name = name.substring(2);
      }
      if (name.endsWith("/")) {
        name = name.substring(0, name.length() - 1);
      }
      char type = e.isDirectory() ? 'd' : e.isSymbolicLink() ? 'l' : e.isLink() ? 'h' : 'f';
      byte[] data = type == 'f' ? t.readAllBytes() : new byte[0];
      out.add(
          new TarFile(
              name,
              type,
              e.getMode() & 07777,
              e.getLongUserId(),
              e.getLongGroupId(),
              e.getLinkName(),
              data));
    }
    return out;
  }

  /** An OCI layout's single image: manifest, config and layers. */
  record Image(Path layout, JsonNode index, JsonNode manifest, JsonNode config) {
    JsonNode layers() {
      return manifest.get("layers");
    }

    List<TarFile> layerFiles(int i) throws IOException {
      return layer(layout, layers().get(i));
    }

    /** Layer {@code i}'s files by name. */
    Map<String, TarFile> layerByName(int i) throws IOException {
      Map<String, TarFile> m = new HashMap<>();
      for (TarFile f : layerFiles(i)) {
        m.put(f.name(), f);
      }
      return m;
    }

    /** The last layer's files by name. */
    Map<String, TarFile> lastLayer() throws IOException {
      return layerByName(layers().size() - 1);
    }

    /** All layers applied in order (no whiteouts in these images): path to last entry. */
    Map<String, TarFile> rootfs() throws IOException {
      Map<String, TarFile> fs = new TreeMap<>();
      for (int i = 0; i < layers().size(); i++) {
        for (TarFile f : layerFiles(i)) {
          fs.put(f.name(), f);
        }
      }
      return fs;
    }
  }

  static Image image(Path layout) throws IOException {
    JsonNode index = JSON.readTree(Files.readAllBytes(layout.resolve("index.json")));
    JsonNode top = index.get("manifests").get(0);
    JsonNode manifest = json(layout, top.get("digest").asText());
    if (manifest.has("manifests")) { // one platform with its attestations: the image's manifest
      manifest = json(layout, manifest.get("manifests").get(0).get("digest").asText());
    }
    JsonNode config = json(layout, manifest.get("config").get("digest").asText());
    return new Image(layout, index, manifest, config);
  }

  static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    if (array != null) {
      array.forEach(n -> out.add(n.asText()));
    }
    return out;
  }
}
