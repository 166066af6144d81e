package dev.slimbuild.cli;

import dev.slimbuild.core.SlimbuildException;
import dev.slimbuild.core.context.ContextArchive;
import dev.slimbuild.core.dockerfile.GoDuration;
import dev.slimbuild.core.fs.Trees;
import dev.slimbuild.core.image.Dirs;
import dev.slimbuild.core.image.ImageOutput;
import dev.slimbuild.core.oci.ImageReference;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code slimbuild executor}: kaniko's command line ({@code /kaniko/executor}), mapped onto the
 * same build as {@code slimbuild build}.
 */
@Command(
    mixinStandardHelpOptions = true,
    name = "executor",
    description = {
      "Build with kaniko's command line.",
      "The same build as 'slimbuild build'. --destination (repeatable) names the image and"
          + " pushes it, unless --no-push; credentials come from $DOCKER_CONFIG/config.json"
          + " (kaniko's /kaniko/.docker when DOCKER_CONFIG is unset and it exists)."
    },
    sortOptions = false)
final class ExecutorCommand implements Callable<Integer> {
  /** Where kaniko keeps its credentials. */
  static final String KANIKO_DOCKER_CONFIG = "/kaniko/.docker";

  @CommandLine.ParentCommand Main main;
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = {"-c", "--context"},
      paramLabel = "DIR|dir://DIR|tar://FILE",
      description =
          "The build context: a directory, dir://DIR, or tar://FILE (a tar, plain or"
              + " gzip). Default: /workspace/")
  String context = "/workspace/";

  @Option(
      names = {"-f", "--dockerfile"},
      paramLabel = "FILE",
      description = "The Dockerfile: as given, else inside the context. Default: Dockerfile")
  String dockerfile = "Dockerfile";

  @Option(
      names = {"-d", "--destination"},
      paramLabel = "IMAGE",
      description = "Name the image and push it there (repeatable).")
  List<String> destinations = new ArrayList<>();

  @Option(
      names = "--no-push",
      arity = "0..1",
      paramLabel = "true|false",
      description = "Do not push (without --tar-path the image goes to the local store).")
  boolean noPush;

  @Option(
      names = "--tar-path",
      paramLabel = "FILE",
      description = "Also write the image as a docker-archive (docker load) to FILE.")
  Path tarPath;

  @Option(
      names = "--digest-file",
      paramLabel = "FILE",
      description = "Write the image digest to FILE.")
  Path digestFile;

  @Option(
      names = "--image-name-with-digest-file",
      paramLabel = "FILE",
      description = "Write REPOSITORY@DIGEST, one line per --destination, to FILE.")
  Path imageNameWithDigestFile;

  @Option(
      names = "--image-name-tag-with-digest-file",
      paramLabel = "FILE",
      description = "Write REPOSITORY:TAG@DIGEST, one line per --destination, to FILE.")
  Path imageNameTagWithDigestFile;

  @Option(names = "--build-arg", paramLabel = "KEY[=VALUE]", description = "A build argument.")
  List<String> buildArgs = new ArrayList<>();

  @Option(names = "--target", paramLabel = "STAGE", description = "Build this stage.")
  String target;

  @Option(names = "--label", paramLabel = "KEY=VALUE", description = "Add a label.")
  List<String> labels = new ArrayList<>();

  @Option(
      names = "--custom-platform",
      paramLabel = "OS/ARCH[/VARIANT]",
      description = "The platform to build. Default: this machine's.")
  String customPlatform;

  @Option(
      names = "--cache",
      arity = "0..1",
      paramLabel = "true|false",
      description = "Read and write the registry cache at --cache-repo (mode=max).")
  boolean cache;

  @Option(
      names = "--cache-repo",
      paramLabel = "REPO",
      description = "The cache's repository. Default: the first --destination's + '/cache'.")
  String cacheRepo;

  @Option(
      names = "--cache-ttl",
      paramLabel = "DURATION",
      description =
          "Accepted and checked: cache records do not expire by age here (slimbuild"
              + " prune --filter until=DURATION removes local ones).")
  String cacheTtl;

  @Option(
      names = "--insecure",
      arity = "0..1",
      paramLabel = "true|false",
      description = "Push to the destinations' registries over plain HTTP (or unverified TLS).")
  boolean insecure;

  @Option(
      names = "--insecure-registry",
      paramLabel = "HOST[:PORT]",
      description = "Plain HTTP or unverified TLS for this registry (repeatable).")
  List<String> insecureRegistries = new ArrayList<>();

  @Option(
      names = "--skip-tls-verify",
      arity = "0..1",
      paramLabel = "true|false",
      description = "Do not verify the destinations' registries' TLS certificates.")
  boolean skipTlsVerify;

  @Option(
      names = "--registry-certificate",
      paramLabel = "HOST=FILE",
      description =
          "Trust this PEM certificate (trusted for every registry here, not only"
              + " HOST). Repeatable.")
  List<String> registryCertificates = new ArrayList<>();

  @Option(
      names = "--reproducible",
      arity = "0..1",
      paramLabel = "true|false",
      description =
          "Accepted: slimbuild's images are always reproducible (times from"
              + " SOURCE_DATE_EPOCH, else 0).")
  boolean reproducible;

  @Option(
      names = "--single-snapshot",
      arity = "0..1",
      paramLabel = "true|false",
      description = "One layer for the final stage's steps (= slimbuild build --squash).")
  boolean singleSnapshot;

  @Option(
      names = "--snapshot-mode",
      paramLabel = "full|redo|time",
      description = "Accepted: a RUN's changes are always found by comparing content (full).")
  String snapshotMode;

  @Option(
      names = "--use-new-run",
      arity = "0..1",
      paramLabel = "true|false",
      description = "Accepted: every RUN runs in a sandbox on an overlay or copy of the stage.")
  boolean useNewRun;

  @Option(
      names = "--cleanup",
      arity = "0..1",
      paramLabel = "true|false",
      description = "Accepted: a build never changes the machine's own file system.")
  boolean cleanup;

  @Option(
      names = {"-v", "--verbosity"},
      paramLabel = "LEVEL",
      description =
          "panic, fatal, error or warn: warnings only; info, debug or trace: every"
              + " step. Default: info.")
  String verbosity = "info";

  @Option(
      names = "--network-timeout",
      paramLabel = "DURATION",
      description = "As in 'slimbuild build'. Default: 60s.")
  String networkTimeout;

  @CommandLine.Mixin StoreFlag storeFlag;

  @Override
  public Integer call() throws IOException {
    if (destinations.isEmpty() && !noPush) {
      throw new SlimbuildException(
          "no --destination: give one (repeatable), or --no-push to build without pushing");
    }
    List<ImageReference> refs = new ArrayList<>();
    for (String d : destinations) {
      refs.add(ImageReference.parse(d));
    }
    if (snapshotMode != null && !List.of("full", "redo", "time").contains(snapshotMode)) {
      throw new SlimbuildException(
          "invalid --snapshot-mode '" + snapshotMode + "': expected full, redo or time");
    }
    if (cacheTtl != null) {
      try {
        GoDuration.parse(cacheTtl);
      } catch (RuntimeException e) {
        throw new SlimbuildException(
            "invalid --cache-ttl '" + cacheTtl + "': expected a duration such as 24h");
      }
    }
    String progress =
        switch (verbosity.toLowerCase(Locale.ROOT)) {
          case "panic", "fatal", "error", "warn" -> "quiet";
          case "info", "debug", "trace" -> "plain";
          default ->
              throw new SlimbuildException(
                  "invalid --verbosity '"
                      + verbosity
                      + "': expected panic, fatal, error, warn, info, debug or trace");
        };
    Path extracted = null;
    try {
      Path ctx;
      if (context.startsWith("tar://")) {
        extracted = extract(Path.of(context.substring("tar://".length())));
        ctx = extracted;
      } else if (context.startsWith("dir://")) {
        ctx = Path.of(context.substring("dir://".length()));
      } else if (context.matches("[a-z0-9]+://.*")) {
        throw new SlimbuildException(
            "--context " + context + ": not supported (a directory, dir://DIR or tar://FILE)");
      } else {
        ctx = Path.of(context);
      }
      if (!Files.isDirectory(ctx)) {
        throw new SlimbuildException(
            "--context "
                + context
                + ": no such directory (looked for "
                + ctx.toAbsolutePath().normalize()
                + ")");
      }
      Path df = Path.of(dockerfile);
      if (!df.isAbsolute() && !Files.exists(df)) {
        df = ctx.resolve(dockerfile); // kaniko looks inside the context next
      }
      if (!Files.isRegularFile(df)) {
        throw new SlimbuildException(
            "--dockerfile "
                + dockerfile
                + ": no such file (looked for "
                + Path.of(dockerfile).toAbsolutePath()
                + " and "
                + ctx.resolve(dockerfile)
                + ")");
      }
      return build(ctx, df, refs, progress);
    } finally {
      if (extracted != null) {
        Trees.delete(extracted);
      }
    }
  }

  private int build(Path ctx, Path df, List<ImageReference> refs, String progress)
      throws IOException {
    BuildCommand b = new BuildCommand();
    b.main = main;
    b.spec = spec;
    b.storeFlag = storeFlag;
    b.registryFlags = registryFlags(refs);
    b.envOverride = environment();
    b.context = ctx.toAbsolutePath().toString(); // a directory, never read as a git URL
    b.file = df.toString();
    b.tags = new ArrayList<>(destinations);
    b.push = !noPush;
    b.buildArgs = buildArgs;
    b.target = target;
    b.labels = labels;
    b.platforms = customPlatform == null ? new ArrayList<>() : List.of(customPlatform);
    b.kanikoCache = cache;
    b.cacheRepo = cacheRepo;
    b.squash = singleSnapshot;
    b.progress = progress;
    if (tarPath != null) {
      b.outputs = List.of("type=docker,dest=" + tarPath);
    }
    b.after = result -> writeDigestFiles(result, refs);
    return b.execute();
  }

  /** kaniko's TLS flags as slimbuild's registry options. */
  private RegistryFlags registryFlags(List<ImageReference> refs) {
    RegistryFlags flags = new RegistryFlags();
    flags.insecure.addAll(insecureRegistries);
    if (insecure || skipTlsVerify) {
      for (ImageReference r : refs) {
        flags.insecure.add(r.registry());
      }
    }
    for (String c : registryCertificates) {
      int eq = c.indexOf('=');
      if (eq <= 0 || eq == c.length() - 1) {
        throw new SlimbuildException(
            "invalid --registry-certificate '" + c + "': expected HOST=FILE");
      }
      flags.caFiles.add(Path.of(c.substring(eq + 1)));
    }
    flags.networkTimeout = networkTimeout;
    return flags;
  }

  /** The environment, with kaniko's DOCKER_CONFIG when it is unset and kaniko's exists. */
  private Map<String, String> environment() {
    Map<String, String> env = new HashMap<>(main.env());
    String dc = env.get("DOCKER_CONFIG");
    if ((dc == null || dc.isEmpty())
        && Files.isRegularFile(Path.of(KANIKO_DOCKER_CONFIG, "config.json"))) {
      env.put("DOCKER_CONFIG", KANIKO_DOCKER_CONFIG);
    }
    return env;
  }

  private void writeDigestFiles(ImageOutput image, List<ImageReference> refs) {
    String digest = image.descriptor().digest().toString();
    try {
      if (digestFile != null) {
        Dirs.writeAtomically(digestFile, digest.getBytes(StandardCharsets.UTF_8));
      }
      if (imageNameWithDigestFile != null) {
        StringBuilder s = new StringBuilder();
        for (ImageReference r : refs) {
          s.append(r.registry())
              .append('/')
              .append(r.repository())
              .append('@')
              .append(digest)
              .append('\n');
        }
        Dirs.writeAtomically(
            imageNameWithDigestFile, s.toString().getBytes(StandardCharsets.UTF_8));
      }
      if (imageNameTagWithDigestFile != null) {
        StringBuilder s = new StringBuilder();
        for (String d : destinations) {
          s.append(d).append('@').append(digest).append('\n');
        }
        Dirs.writeAtomically(
            imageNameTagWithDigestFile, s.toString().getBytes(StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A {@code tar://} context (plain or compressed) unpacked into a temporary directory. */
  private Path extract(Path tar) throws IOException {
    if (!Files.isRegularFile(tar)) {
      throw new SlimbuildException(
          "--context tar://"
              + tar
              + ": no such file (looked for "
              + tar.toAbsolutePath().normalize()
              + ")");
    }
    Path dir = BuildInputs.tempDir(main.env(), "slimbuild-context-");
    try (InputStream in = Files.newInputStream(tar)) {
      ContextArchive.extract(in, dir, "--context tar://" + tar);
    } catch (IOException | RuntimeException e) {
      Trees.delete(dir);
      throw e;
    }
    return dir;
  }
}
