package dev.slimbuild.cli;

import dev.slimbuild.compress.Compression;
import dev.slimbuild.core.SlimbuildException;
import dev.slimbuild.core.attest.AttestOptions;
import dev.slimbuild.core.build.BuildRequest;
import dev.slimbuild.core.build.BuildResult;
import dev.slimbuild.core.build.BuildSecrets;
import dev.slimbuild.core.build.Builder;
import dev.slimbuild.core.build.CacheSettings;
import dev.slimbuild.core.build.RootfsMode;
import dev.slimbuild.core.build.RunOptions;
import dev.slimbuild.core.build.SshSources;
import dev.slimbuild.core.cache.CacheSpec;
import dev.slimbuild.core.context.GitCheckout;
import dev.slimbuild.core.context.NamedContext;
import dev.slimbuild.core.export.ExportContext;
import dev.slimbuild.core.export.ImageExport;
import dev.slimbuild.core.export.OutputSpec;
import dev.slimbuild.core.http.Proxies;
import dev.slimbuild.core.image.ImageOutput;
import dev.slimbuild.core.image.LocalStore;
import dev.slimbuild.core.oci.ImageReference;
import dev.slimbuild.core.oci.Platform;
import dev.slimbuild.core.optimize.OptimizeOptions;
import dev.slimbuild.core.optimize.SizeReport;
import dev.slimbuild.core.optimize.StripRules;
import dev.slimbuild.core.run.SandboxMode;
import dev.slimbuild.core.sign.SignFormat;
import dev.slimbuild.json.Json;
import dev.slimbuild.json.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code slimbuild build}: builds a Dockerfile into an image. */
@Command(
    mixinStandardHelpOptions = true,
    name = "build",
    description = {
      "Build an image from a Dockerfile and a context directory.",
      "Without --output the image goes to the local store ('slimbuild images' lists it).",
      "type=docker writes a docker-archive with uncompressed layers (older Docker cannot load"
          + " zstd); type=oci keeps the layers as built (zstd by default)."
    },
    sortOptions = false)
final class BuildCommand implements Callable<Integer> {
  @CommandLine.ParentCommand Main main;
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = {"-f", "--file"},
      paramLabel = "FILE|-",
      description =
          "The Dockerfile ('-': stdin). Default: CONTEXT/Dockerfile (inside a tar or"
              + " git context, where a relative FILE is too)")
  String file;

  @Option(
      names = "--build-context",
      paramLabel = "NAME=DIR|URL|docker-image://REF|" + "oci-layout://DIR[:TAG][@DIGEST]",
      description =
          "What NAME stands for in FROM, COPY --from and RUN --mount from= (a stage"
              + " of that name is replaced): a directory or git URL, an image, an OCI layout's"
              + " image (repeatable).")
  List<String> buildContexts = new ArrayList<>();

  @Option(
      names = {"-t", "--tag"},
      paramLabel = "NAME",
      description = "Name the image (repeatable).")
  List<String> tags = new ArrayList<>();

  @Option(
      names = "--build-arg",
      paramLabel = "KEY[=VALUE]",
      description = "Set a build argument; KEY alone takes it from the environment.")
  List<String> buildArgs = new ArrayList<>();

  @Option(names = "--target", paramLabel = "STAGE", description = "Build this stage.")
  String target;

  @Option(
      names = "--platform",
      paramLabel = "OS/ARCH[/VARIANT],...",
      split = ",",
      description = "Platforms to build (comma-separated, repeatable). Default: this machine's.")
  List<String> platforms = new ArrayList<>();

  @Option(names = "--label", paramLabel = "KEY=VALUE", description = "Add a label to the image.")
  List<String> labels = new ArrayList<>();

  @Option(
      names = {"-o", "--output"},
      paramLabel = "type=oci|docker|tar|local|registry|image,...|DIR|-",
      description =
          "Where the image goes, as buildx (repeatable): type=oci|docker|tar,dest=FILE"
              + " (- for stdout; type=oci,tar=false,dest=DIR a layout), type=local,dest=DIR (the"
              + " image's files), type=registry, type=image[,name=N][,push=true]; DIR = type=local,"
              + " - = type=tar to stdout.")
  List<String> outputs = new ArrayList<>();

  @Option(
      names = "--compression",
      paramLabel = "zstd|gzip|none",
      description = "Compression of new layers. Default: zstd.")
  String compression = "zstd";

  @Option(
      names = "--compression-level",
      paramLabel = "N",
      description = "Compression level. Default: 3 for zstd, 6 for gzip.")
  Integer compressionLevel;

  @Option(
      names = "--source-date-epoch",
      paramLabel = "SECONDS",
      description =
          "Timestamp of every file and history entry. Default: $SOURCE_DATE_EPOCH, else 0.")
  Long sourceDateEpoch;

  @Option(
      names = "--created",
      paramLabel = "epoch|git|now",
      description =
          "The image's time (config, history, file times, annotations): epoch"
              + " (--source-date-epoch, else $SOURCE_DATE_EPOCH, else 0), git (HEAD's commit time of"
              + " the context's checkout) or now (not reproducible). Default: --source-date-epoch if"
              + " given, else git in a checkout, else epoch.")
  String created;

  @Option(
      names = "--metadata-file",
      paramLabel = "FILE",
      description = "Write the image digest, platform manifests and sizes as JSON.")
  Path metadataFile;

  @Option(
      names = "--progress",
      paramLabel = "auto|plain|tty|quiet|rawjson",
      description =
          "How to show progress: tty is a live view, plain a line per event (auto: tty"
              + " when stderr is a terminal, else plain); rawjson: one JSON event a line on stderr."
              + " Default: auto.")
  String progress = "auto";

  @Option(
      names = {"-q", "--quiet"},
      description = "Print only the image digest (and warnings on stderr).")
  boolean quiet;

  @Option(
      names = "--iidfile",
      paramLabel = "FILE",
      description =
          "Write the image ID (the config digest; an index's digest for several"
              + " platforms) to FILE, as buildx.")
  Path iidFile;

  @Option(
      names = "--pull",
      description =
          "Accepted: base images are always resolved from their registry (a moved tag"
              + " is always seen).")
  boolean pull;

  @Option(
      names = "--network",
      paramLabel = "default|none|host",
      description = "The network of RUNs without --network. Default: default (the host's).")
  String network = "default";

  @Option(
      names = "--add-host",
      paramLabel = "HOST:IP",
      description = "Add an 'IP HOST' line to every RUN's /etc/hosts (repeatable).")
  List<String> addHosts = new ArrayList<>();

  @Option(
      names = "--secret",
      paramLabel = "id=ID[,src=FILE|,env=VAR]",
      description =
          "A secret RUN --mount=type=secret mounts (buildx's syntax; without src and env:"
              + " the variable ID, else the file ID). Repeatable.")
  List<String> secrets = new ArrayList<>();

  @Option(
      names = "--ssh",
      paramLabel = "default|ID[=SOCKET|KEY[,KEY...]]",
      description =
          "An ssh agent RUN --mount=type=ssh forwards: $SSH_AUTH_SOCK, a socket, or key"
              + " files an ssh-agent started for the build holds. Repeatable.")
  List<String> ssh = new ArrayList<>();

  @Option(
      names = "--shm-size",
      paramLabel = "SIZE",
      description = "Accepted and checked: RUN's /dev/shm is the sandbox's own, unsized.")
  String shmSize;

  @Option(
      names = "--ulimit",
      paramLabel = "NAME=SOFT[:HARD]",
      description = "Accepted and checked: RUN keeps slimbuild's own limits.")
  List<String> ulimits = new ArrayList<>();

  @Option(
      names = "--allow",
      paramLabel = "network.host|security.insecure",
      split = ",",
      description =
          "Accepted: network.host is always granted (RUN --network=host);"
              + " security.insecure grants nothing (RUN --security=insecure is refused).")
  List<String> allow = new ArrayList<>();

  @Option(
      names = "--annotation",
      paramLabel = "[index:|manifest:|manifest-descriptor:]KEY=VALUE",
      description =
          "Annotate the manifest (no prefix), the index or each manifest's descriptor"
              + " in the index (index and manifest-descriptor need several platforms). Repeatable.")
  List<String> annotations = new ArrayList<>();

  @Option(
      names = "--sbom",
      paramLabel = "true|false|generator=spdx|cyclonedx",
      description =
          "An SBOM of each platform's image (SPDX 2.3; CycloneDX 1.6 with"
              + " generator=cyclonedx), attached to what is pushed or written as OCI."
              + " Default: true.")
  List<String> sbomFlags = new ArrayList<>();

  @Option(
      names = "--provenance",
      paramLabel = "true|false|mode=min|max",
      description =
          "SLSA provenance v1 of each platform's image, attached like the SBOM"
              + " (max: with each step's cache key and layer). Default: mode=min.")
  List<String> provenanceFlags = new ArrayList<>();

  @Option(
      names = "--attest",
      paramLabel = "type=sbom|provenance[,KEY=VALUE...]",
      description = "buildx's long form of --sbom and --provenance (disabled=true turns one off).")
  List<String> attests = new ArrayList<>();

  @Option(
      names = "--load",
      description =
          "As buildx, with no daemon here: pipe the image into 'docker load' (when a"
              + " Docker daemon is configured) or 'podman load'; without either, an error.")
  boolean load;

  @Option(
      names = "--push",
      description = "Push the image (every platform, then the index) under each -t name.")
  boolean push;

  @Option(
      names = "--sign-key",
      paramLabel = "KEY",
      description =
          "With --push: sign the pushed index and each platform manifest with this"
              + " cosign key (password from COSIGN_PASSWORD, else asked for).")
  Path signKey;

  @Option(
      names = "--sign-format",
      paramLabel = "legacy|bundle|both",
      description =
          "With --sign-key: cosign's sha256-HEX.sig tags (legacy), a sigstore bundle"
              + " attached as an OCI referrer (bundle, cosign's new format), or both. Default: both.")
  String signFormat;

  @Option(
      names = "--recompress",
      description =
          "Re-encode base-image layers with --compression too (default: they keep theirs).")
  boolean recompress;

  @Option(
      names = "--no-strip",
      description = "Keep caches in the layers the build creates (see --keep for single rules).")
  boolean noStrip;

  @Option(
      names = "--keep",
      paramLabel = "RULE|PATTERN",
      description =
          "Do not strip: a rule by name (apt, pip, ...) or paths (/x/*, ~/.cache/y;"
              + " ** for any depth). Repeatable.")
  List<String> keep = new ArrayList<>();

  @Option(
      names = "--strip",
      paramLabel = "PATTERN",
      description = "Also strip these paths from the layers the build creates. Repeatable.")
  List<String> strip = new ArrayList<>();

  @Option(
      names = "--no-dedup",
      description = "Keep files the lower layers already hold identically.")
  boolean noDedup;

  @Option(
      names = "--hardlink-duplicates",
      description = "Identical files within one new layer become hardlinks.")
  boolean hardlinkDuplicates;

  @Option(names = "--squash", description = "Merge the final stage's new layers into one.")
  boolean squash;

  @Option(
      names = "--no-optimize",
      description =
          "Write layers exactly as the instructions produce them (no stripping, no"
              + " dedup, keep bytes later steps delete).")
  boolean noOptimize;

  @Option(
      names = "--max-size",
      paramLabel = "SIZE",
      description =
          "Fail (exit 1, after the report, writing nothing) when any platform's"
              + " compressed image is bigger: 50MB (decimal, like docker), 48MiB, bytes.")
  String maxSize;

  @Option(
      names = "--sandbox",
      paramLabel = "auto|bwrap|chroot|proot",
      description =
          "How RUN runs: bubblewrap, chroot (root only) or proot (no privileges)."
              + " Default: auto, which says what it picked and why.")
  String sandbox = "auto";

  @Option(
      names = "--run-rootfs",
      paramLabel = "auto|overlay|copy",
      description =
          "How RUN gets the stage's files: an overlay mount over the image's unpacked"
              + " files (as root, or in a user namespace; nothing copied, only what the RUN wrote is"
              + " compared), or a copy."
              + " Default: auto (overlay where it works).")
  String runRootfs = "auto";

  @Option(
      names = "--no-cache",
      description = "Do not reuse steps of earlier builds (this build still records its own).")
  boolean noCache;

  @Option(
      names = "--no-cache-filter",
      paramLabel = "STAGE",
      split = ",",
      description =
          "Do not reuse earlier builds' steps for this stage (name or index; repeatable).")
  List<String> noCacheFilter = new ArrayList<>();

  @Option(
      names = "--cache-from",
      paramLabel = "type=registry,ref=REPO:TAG|type=local,src=DIR",
      description = "Also reuse steps from this cache, after the local store's (repeatable).")
  List<String> cacheFrom = new ArrayList<>();

  @Option(
      names = "--cache-to",
      paramLabel = "type=registry,ref=REPO:TAG[,mode=min|max]|type=local,dest=DIR",
      description =
          "Write the build's cache there (mode=min: only what the image holds;"
              + " max: every step). Repeatable.")
  List<String> cacheTo = new ArrayList<>();

  @Option(
      names = "--cache",
      arity = "0..1",
      paramLabel = "true|false",
      description = "kaniko's flag: read and write the cache at --cache-repo (mode=max).")
  boolean kanikoCache;

  @Option(
      names = "--cache-repo",
      paramLabel = "REPO",
      description =
          "kaniko's flag: with --cache, the repository of the cache (tag"
              + " 'buildcache' unless REPO has one). Default: the first -t name's repository"
              + " + '/cache'.")
  String cacheRepo;

  @CommandLine.Mixin RegistryFlags registryFlags;

  @CommandLine.Mixin StoreFlag storeFlag;

  @Parameters(
      index = "0",
      paramLabel = "CONTEXT",
      description =
          "The build context: a directory, - (a tar, plain or compressed, or a"
              + " Dockerfile, on stdin) or a git URL (URL#REF:SUBDIR).")
  String context;

  /** The environment the build reads; the executor command may give its own. */
  Map<String, String> envOverride;

  Map<String, String> env() {
    return envOverride != null ? envOverride : main.env();
  }

  /** Run after the build with its result (the executor's digest files). */
  Consumer<ImageOutput> after = r -> {};

  @Override
  public Integer call() throws IOException {
    return execute();
  }

  /** The build, as {@code slimbuild build} and {@code slimbuild executor} run it. */
  int execute() throws IOException {
    ProgressPrinter printer =
        ProgressPrinter.of(spec.commandLine().getErr(), quiet ? "quiet" : progress, main);
    return printer.around(() -> execute(printer));
  }

  private int execute(ProgressPrinter printer) throws IOException {
    BuildxFlags.Annotations annotated = BuildxFlags.annotations(annotations);
    RunOptions runOptions =
        RunOptions.of(sandbox(), env())
            .withRootfs(runRootfs())
            .withNetwork(BuildxFlags.network(network), BuildxFlags.addHosts(addHosts))
            .withSecrets(BuildSecrets.parse(secrets, env()), SshSources.parse(ssh, env()));
    BuildxFlags.checkAccepted(shmSize, ulimits, allow);
    Compression c = Compression.parse(compression);
    int level = compressionLevel == null ? c.defaultLevel() : compressionLevel;
    if (!c.isValidLevel(level)) {
      throw new SlimbuildException(
          "invalid --compression-level "
              + level
              + " for "
              + c.cliName()
              + ": expected "
              + c.minLevel()
              + " to "
              + c.maxLevel());
    }
    List<ImageReference> refs = new ArrayList<>();
    for (String t : tags) {
      refs.add(ImageReference.parse(t)); // a SlimbuildException naming the tag and why
    }
    List<OutputSpec> outs = outputs.stream().map(OutputSpec::parse).toList();
    if (signKey != null
        && !push
        && outs.stream().noneMatch(o -> o.type() == OutputSpec.Type.IMAGE && o.push())) {
      throw new SlimbuildException(
          "--sign-key needs --push or --output type=registry (or sign"
              + " later with 'slimbuild sign')");
    }
    if (signFormat != null && signKey == null) {
      throw new SlimbuildException("--sign-format needs --sign-key");
    }
    SignFormat format = SignFormat.forSigning(signFormat == null ? "both" : signFormat);
    CacheSettings cache = cacheSettings(refs);
    OptimizeOptions optimize = optimizeOptions();
    List<Platform> platformList = parsePlatforms();
    if (platformList.size() == 1 && annotated.needsIndex()) {
      throw new SlimbuildException(
          "--annotation index: and manifest-descriptor: need an index:"
              + " build several platforms (--platform a,b), or annotate the manifest");
    }
    Map<String, String> args = parseBuildArgs();
    Map<String, String> labelValues = keyValues(labels, "--label");
    Long epochValue = epoch(); // checked before any work; null: none given
    if (created != null && !List.of("epoch", "git", "now").contains(created)) {
      throw new SlimbuildException(
          "invalid --created '" + created + "': expected epoch, git or now");
    }
    AttestOptions attest = AttestOptions.parse(sbomFlags, provenanceFlags, attests);
    // before building: a wrong password must not cost a build
    PrivateKey signingKey =
        signKey == null ? null : SigningKeys.loadPrivate(signKey, "--sign-key", env());
    LocalStore local = storeFlag.open(env());
    try (RegistryFlags.Session registries = registryFlags.session(env());
        BuildInputs inputs = new BuildInputs(env())) {
      ImageExport export =
          ImageExport.plan(
              new ImageExport.Request(
                  outs,
                  push,
                  load,
                  refs,
                  signingKey,
                  format,
                  maxSize,
                  metadataFile,
                  iidFile,
                  local,
                  registries,
                  env(),
                  main.stdio().out(),
                  attest));
      export.check(); // before building: paths, push targets and credentials, the --load tool
      // the named contexts, the context and the Dockerfile after the checks: stdin and git
      // take time
      List<NamedContext> named = new ArrayList<>();
      for (String b : buildContexts) {
        named.add(inputs.named(b));
      }
      Map<String, NamedContext> byKey = NamedContext.byKey(named);
      inputs.resolve(context, file, main.stdio().in());
      long epoch = createdTime(inputs.context(), epochValue);
      BuildRequest request =
          new BuildRequest(
                  inputs.context(),
                  inputs.dockerfile(),
                  inputs.dockerfileName(),
                  args,
                  Optional.ofNullable(target),
                  platformList,
                  labelValues,
                  c,
                  level,
                  epoch,
                  recompress,
                  runOptions,
                  registryFlags.networkTimeout())
              .withContexts(byKey);
      return build(request, optimize, cache, local, registries, export, printer, annotated);
    }
  }

  private int build(
      BuildRequest request,
      OptimizeOptions optimize,
      CacheSettings cache,
      LocalStore local,
      RegistryFlags.Session registries,
      ImageExport export,
      ProgressPrinter printer,
      BuildxFlags.Annotations annotated)
      throws IOException {
    // SLIMBUILD_LAYER_IMAGES=0: base layers unpacked into files even where images would mount
    Builder builder =
        new Builder(
                local.blobs(),
                printer,
                registries,
                !"0".equals(env().get("SLIMBUILD_LAYER_IMAGES")),
                Proxies.fromEnv(env()))
            .cache(cache)
            .annotations(annotated.manifest(), annotated.index(), annotated.descriptor());
    // files, archives and the local store need every blob; base layers may stay remote for a push
    BuildResult result = builder.build(request, optimize, export.needsLocalBlobs());
    PrintWriter err = spec.commandLine().getErr();
    if (export.overBudget(result.sizeReports()) || printer.mode() != ProgressPrinter.Mode.QUIET) {
      for (SizeReport r : result.sizeReports().values()) {
        if (printer.mode() == ProgressPrinter.Mode.RAWJSON) {
          err.println(
              Json.writeString(
                  JsonObject.builder()
                      .put("type", "size.report")
                      .put("report", r.toJson())
                      .build()));
        } else {
          err.print(r.render());
        }
      }
      err.flush();
    }
    ImageOutput exported =
        export.run(ExportContext.of(request, result, local.blobs(), builder, printer));
    builder.exportCache(result);
    after.accept(exported);
    if (!export.toStdout()) {
      spec.commandLine().getOut().println(exported.descriptor().digest());
    }
    return 0;
  }

  private CacheSettings cacheSettings(List<ImageReference> refs) {
    List<CacheSpec> from = new ArrayList<>();
    List<CacheSpec> to = new ArrayList<>();
    for (String f : cacheFrom) {
      from.add(CacheSpec.parse(f, false));
    }
    for (String t : cacheTo) {
      to.add(CacheSpec.parse(t, true));
    }
    if (kanikoCache) {
      String repo = cacheRepo;
      if (repo == null) {
        if (refs.isEmpty()) {
          throw new SlimbuildException("--cache needs --cache-repo or a -t name to derive it from");
        }
        repo = refs.get(0).registry() + "/" + refs.get(0).repository() + "/cache";
      }
      ImageReference r = ImageReference.parse(repo);
      String ref =
          repo.contains(":") && r.tag() != null && repo.endsWith(":" + r.tag())
              ? repo
              : repo + ":buildcache";
      from.add(CacheSpec.parse("type=registry,ref=" + ref, false));
      to.add(CacheSpec.parse("type=registry,ref=" + ref + ",mode=max", true));
    } else if (cacheRepo != null) {
      throw new SlimbuildException("--cache-repo needs --cache=true (kaniko's flags)");
    }
    return new CacheSettings(noCache, new HashSet<>(noCacheFilter), from, to);
  }

  private OptimizeOptions optimizeOptions() {
    if (noOptimize) {
      return OptimizeOptions.none();
    }
    StripRules rules = noStrip ? StripRules.none() : StripRules.of(keep, strip);
    return new OptimizeOptions(rules, !noDedup, true, hardlinkDuplicates, squash);
  }

  private SandboxMode sandbox() {
    return SandboxMode.parse(sandbox, "--sandbox");
  }

  private RootfsMode runRootfs() {
    return RootfsMode.parse(runRootfs, "--run-rootfs");
  }

  /** --source-date-epoch, else $SOURCE_DATE_EPOCH, checked; null when neither is given. */
  private Long epoch() {
    if (sourceDateEpoch != null) {
      if (sourceDateEpoch < 0) {
        throw new SlimbuildException("invalid --source-date-epoch " + sourceDateEpoch);
      }
      return sourceDateEpoch;
    }
    String env = env().get("SOURCE_DATE_EPOCH");
    if (env == null || env.isEmpty()) {
      return null;
    }
    try {
      long v = Long.parseLong(env.trim());
      if (v < 0) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw new SlimbuildException("invalid SOURCE_DATE_EPOCH '" + env + "': expected seconds");
    }
  }

  /**
   * The build's time, as --created asks: by default --source-date-epoch when given, else the commit
   * time of HEAD when the context is a git checkout (same commit, same digest), else
   * $SOURCE_DATE_EPOCH, else 0.
   */
  private long createdTime(Path context, Long epochValue) {
    String mode = created != null ? created : sourceDateEpoch != null ? "epoch" : "default";
    switch (mode) {
      case "now":
        return System.currentTimeMillis() / 1000;
      case "git":
        return GitCheckout.commitTime(context)
            .orElseThrow(
                () ->
                    new SlimbuildException(
                        "--created git: "
                            + context
                            + " is not in a git checkout (or git is not installed)"));
      case "epoch":
        return epochValue == null ? 0 : epochValue;
      default:
        return GitCheckout.commitTime(context).orElse(epochValue == null ? 0 : epochValue);
    }
  }

  private List<Platform> parsePlatforms() {
    List<Platform> out = new ArrayList<>();
    for (String p : platforms) {
      if (p.isBlank()) {
        continue;
      }
      if (p.equals("local")) { // buildx: this machine's platform
        Platform host = Builder.hostPlatform();
        if (out.stream().noneMatch(host::matches)) {
          out.add(host);
        }
        continue;
      }
      try {
        Platform parsed = Platform.parse(p).normalize();
        if (out.stream().noneMatch(parsed::matches)) {
          out.add(parsed);
        }
      } catch (IllegalArgumentException e) {
        throw new SlimbuildException("invalid --platform '" + p + "': " + e.getMessage());
      }
    }
    return out.isEmpty() ? List.of(Builder.hostPlatform()) : out;
  }

  private Map<String, String> parseBuildArgs() {
    Map<String, String> out = new LinkedHashMap<>();
    for (String a : buildArgs) {
      int eq = a.indexOf('=');
      if (eq == 0) {
        throw new SlimbuildException("invalid --build-arg '" + a + "': empty name");
      }
      if (eq < 0) {
        String v = env().get(a);
        if (v != null) {
          out.put(a, v);
        }
      } else {
        out.put(a.substring(0, eq), a.substring(eq + 1));
      }
    }
    return out;
  }

  private static Map<String, String> keyValues(List<String> values, String flag) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String v : values) {
      int eq = v.indexOf('=');
      if (eq <= 0) {
        throw new SlimbuildException("invalid " + flag + " '" + v + "': expected KEY=VALUE");
      }
      out.put(v.substring(0, eq), v.substring(eq + 1));
    }
    return out;
  }
}
