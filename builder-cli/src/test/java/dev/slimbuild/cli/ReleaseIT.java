package dev.slimbuild.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slimbuild.core.image.BusyboxBase;
import dev.slimbuild.core.registry.RegistryServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release tarball as a user gets it: {@code scripts/release.sh} (its amd64 tarball, on the jar
 * this build made; the release {@link SharedRelease} makes once for this class and ExecutorImageIT)
 * makes it, and it is unpacked somewhere else. There, with no JDK on {@code PATH}, no {@code
 * JAVA_HOME} and the machine's JDKs hidden (bwrap mounts an empty directory over {@code
 * /usr/lib/jvm}), its launcher runs on the runtime it bundles with the class-data archive it ships
 * (the JVM is told to refuse to start without it), builds the example to the digest this build's
 * code gives, and pushes it over TLS with a login; the completion script loads in bash and the man
 * pages are roff.
 */
class ReleaseIT {
  @TempDir static Path dir;

  @RegisterExtension
  static final RegistryExtension registry = RegistryExtension.busybox().tools("bwrap");

  private static Path repo;
  private static Path home;
  private static String version;
  private static Path tarball;

  record Result(int code, String out, String err) {}

  @BeforeAll
  static void release() throws Exception {
    repo = Path.of("").toAbsolutePath().getParent();
    // the release ExecutorImageIT checks too, made once; where it failed (e.g. no arm64 on this
    // machine, or its image), the amd64 tarball alone, as a user makes it
    SharedRelease.Release shared = SharedRelease.make(registry);
    Path dist = shared.dist();
    if (shared.run().code() != 0) {
      dist = dir.resolve("dist");
      Map<String, String> env = new HashMap<>(System.getenv());
      env.put("PLATFORMS", "amd64");
      env.put("SKIP_BUILD", "1");
      env.put("DIST", dist.toString());
      env.put("EXECUTOR_IMAGE", "0"); // ExecutorImageIT's
      Result r = run(repo, env, 900, "bash", "scripts/release.sh");
      assertThat(r.code()).as(r.err()).isZero();
    }
    try (Stream<Path> s = Files.list(dist)) {
      tarball =
          s.filter(p -> p.getFileName().toString().endsWith("-linux-amd64.tar.gz"))
              .findFirst()
              .orElseThrow();
    }
    String name = tarball.getFileName().toString();
    version = name.substring("slimbuild-".length(), name.length() - "-linux-amd64.tar.gz".length());
    // unpacked elsewhere than where release.sh put it together
    Path unpacked = Files.createDirectories(dir.resolve("opt dir"));
    Result tar =
        run(
            dir,
            System.getenv(),
            120,
            "tar",
            "-xzf",
            tarball.toString(),
            "-C",
            unpacked.toString());
    assertThat(tar.code()).as(tar.err()).isZero();
    home = unpacked.resolve("slimbuild-" + version + "-linux-amd64");
  }

  /**
   * The environment of a user without a JDK: PATH holds only sh, readlink and git (the build's time
   * is HEAD's commit time in a checkout, read through git, as the in-process build reads it).
   */
  private static Map<String, String> noJdk(Path work) throws IOException {
    Path bin = Files.createDirectories(work.resolve("path"));
    for (String tool : List.of("sh", "readlink", "git")) {
      Path link = bin.resolve(tool);
      if (!Files.exists(link)) {
        Files.createSymbolicLink(
            link, Path.of(BusyboxBase.requireTool(tool, tool.equals("git") ? "git" : "coreutils")));
      }
    }
    Map<String, String> env = BuildFixtures.isolatedEnv(work);
    Files.createDirectories(work.resolve("tmp"));
    env.put("PATH", bin.toString());
    // the JVM must use the archive the tarball ships, or not start
    env.put(
        "JAVA_OPTS",
        Files.exists(home.resolve("lib/slimbuild.aot")) ? "-XX:AOTMode=on" : "-Xshare:on");
    return env;
  }

  /** Runs {@code cmd} with exactly {@code env}, the machine's JDKs hidden by bwrap. */
  private static Result hidden(Map<String, String> env, String... cmd) throws Exception {
    List<String> all =
        new ArrayList<>(
            List.of(
                BusyboxBase.requireTool("bwrap", "bubblewrap"),
                "--dev-bind",
                "/",
                "/",
                "--tmpfs",
                "/usr/lib/jvm",
                "--"));
    all.addAll(List.of(cmd));
    return run(dir, env, 300, all.toArray(String[]::new));
  }

  private static Result run(Path cwd, Map<String, String> env, long timeoutSeconds, String... cmd)
      throws Exception {
    BuildToolsIT.Result r = BuildToolsIT.exec(cwd, env, timeoutSeconds, List.of(cmd));
    return new Result(r.code(), r.out(), r.stderr());
  }

  private static String launcher() {
    return home.resolve("bin/slimbuild").toString();
  }

  @Test
  void tarballHoldsTheRuntimeJarArchiveCompletionAndManPages() throws Exception {
    Result list = run(dir, System.getenv(), 60, "tar", "-tvzf", tarball.toString());
    assertThat(list.code()).as(list.err()).isZero();
    String top = "slimbuild-" + version + "-linux-amd64/";
    assertThat(list.out())
        .contains(
            top + "bin/slimbuild",
            top + "bin/executor",
            top + "runtime/bin/java",
            top + "runtime/lib/modules",
            top + "lib/slimbuild.jar",
            top + "share/bash-completion/completions/slimbuild",
            top + "share/man/man1/slimbuild.1",
            top + "share/man/man1/slimbuild-build.1");
    assertThat(list.out()).containsAnyOf(top + "lib/slimbuild.aot", top + "lib/slimbuild.jsa");
    // owned by root, the launchers executable
    assertThat(list.out().lines()).allMatch(l -> l.contains(" 0/0 "));
    assertThat(list.out().lines().filter(l -> l.endsWith(top + "bin/slimbuild")))
        .singleElement()
        .asString()
        .startsWith("-rwxr-xr-x");

    // the runtime holds the modules slimbuild uses, not the whole JDK
    Result modules =
        run(dir, Map.of(), 60, home.resolve("runtime/bin/java").toString(), "--list-modules");
    assertThat(modules.out())
        .contains("java.base@", "java.sql@", "jdk.crypto.ec@")
        .doesNotContain("java.desktop@", "jdk.compiler@", "jdk.jshell@");

    Result completion =
        run(
            dir,
            Map.of("PATH", "/usr/bin:/bin"),
            60,
            "bash",
            "-c",
            ". '"
                + home.resolve("share/bash-completion/completions/slimbuild")
                + "' && complete -p slimbuild");
    assertThat(completion.code()).as(completion.err()).isZero();
    assertThat(completion.out()).contains("slimbuild");

    String man = Files.readString(home.resolve("share/man/man1/slimbuild-build.1"));
    assertThat(man).contains(".TH \"SLIMBUILD\\-BUILD\" \"1\"").contains("\\-\\-cache\\-from");
  }

  @Test
  void loadsNoHttpLibraryWithoutARequest() throws Exception {
    // examples/hello is FROM scratch: its build makes no request, and the jar on this JVM (no
    // class-data archive that lists classes whether used or not) loads none of Apache
    // HttpClient's classes, nor jib's
    Path work = Files.createDirectories(dir.resolve("no-request"));
    Path loads = work.resolve("class-load.log");
    Path jar = Path.of("target/slimbuild.jar").toAbsolutePath();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Result r =
        run(
            work,
            BuildFixtures.isolatedEnv(work),
            120,
            java,
            "-Xlog:class+load=info:file=" + loads,
            "-jar",
            jar.toString(),
            "build",
            "--progress",
            "plain",
            "-o",
            "type=oci,tar=false,dest=" + work.resolve("out"),
            repo.resolve("examples/hello").toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(Files.readString(loads))
        .contains("dev.slimbuild.core.build.Builder")
        .doesNotContain("org.apache.hc.")
        .doesNotContain("com.google.");
  }

  @Test
  void buildsTheExampleWithNoJdkOnPath() throws Exception {
    Path work = dir.resolve("nojdk");
    Map<String, String> env = noJdk(work);
    Result java =
        hidden(
            env, "sh", "-c", "command -v java; echo \"JAVA_HOME=${JAVA_HOME:-}\"; ls /usr/lib/jvm");
    assertThat(java.out().strip()).isEqualTo("JAVA_HOME=");

    // installed as a link on PATH
    Files.createSymbolicLink(work.resolve("path/slimbuild"), Path.of(launcher()));
    Result v = hidden(env, "sh", "-c", "slimbuild --version");
    assertThat(v.code()).as(v.err()).isZero();
    assertThat(v.out()).isEqualTo("slimbuild " + version + "\n");

    Path example = repo.resolve("examples/hello");
    Result built =
        hidden(
            env,
            launcher(),
            "build",
            "-t",
            "example/hello:1",
            "--progress",
            "plain",
            "-o",
            "type=oci,tar=false,dest=" + work.resolve("oci"),
            example.toString());
    assertThat(built.code()).as(built.err()).isZero();
    // Java 24+ warns of native access (zstd-jni) unless the jar's manifest allows it
    assertThat(built.err()).contains("COPY hello.txt config/ ./").doesNotContain("WARNING");
    // the same digest as this build's code gives in-process
    BuildFixtures.Run here =
        BuildFixtures.runIn(
            dir.resolve("in-process"),
            Map.of(),
            "build",
            "-t",
            "example/hello:1",
            "--progress",
            "quiet",
            "-o",
            "type=oci,tar=false,dest=" + dir.resolve("in-process/oci"),
            example.toString());
    assertThat(here.code()).as(here.err()).isZero();
    assertThat(built.out().strip()).startsWith("sha256:").isEqualTo(here.digest());
    assertThat(BuildFixtures.image(work.resolve("oci")).rootfs().get("app/hello.txt").text())
        .isEqualTo(Files.readString(example.resolve("hello.txt")));

    // the same build again into the local store, then all cached
    Result first =
        hidden(
            env,
            launcher(),
            "build",
            "-t",
            "example/hello:1",
            "--progress",
            "plain",
            example.toString());
    assertThat(first.code()).as(first.err()).isZero();
    Path loads = work.resolve("class-load.log");
    Map<String, String> logged = new HashMap<>(env);
    logged.put(
        "JAVA_OPTS", env.getOrDefault("JAVA_OPTS", "") + " -Xlog:class+load=info:file=" + loads);
    Result cached =
        hidden(
            logged,
            launcher(),
            "build",
            "-t",
            "example/hello:1",
            "--progress",
            "plain",
            example.toString());
    assertThat(cached.code()).as(cached.err()).isZero();
    assertThat(cached.err()).contains("CACHED (local) COPY hello.txt config/ ./");
    assertThat(cached.out()).isEqualTo(first.out());
    // nothing on the way to an all-cached build loads jib or what it brings (Guava, Jackson):
    // they load only for a credential file (pushesOverTlsWithALogin's build reads one). (The
    // HTTP client's library is in the AOT cache, which the training's requests filled, so the
    // log lists it here whether or not it is used: loadsNoHttpLibraryWithoutARequest checks it.)
    assertThat(Files.readString(loads))
        .contains("dev.slimbuild.cli.Main")
        .doesNotContain("com.google.")
        .doesNotContain("com.fasterxml.");
  }

  @Test
  void pushesOverTlsWithALogin() throws Exception {
    try (RegistryServer tls = RegistryServer.tlsWithBasicAuth("release", "s3cret")) {
      Path work = dir.resolve("push");
      Map<String, String> env = noJdk(work);
      Path docker = Files.createDirectories(work.resolve("docker"));
      String auth =
          Base64.getEncoder().encodeToString("release:s3cret".getBytes(StandardCharsets.UTF_8));
      Files.writeString(
          docker.resolve("config.json"),
          "{\"auths\":{\"" + tls.host() + "\":{\"auth\":\"" + auth + "\"}}}");
      env.put("DOCKER_CONFIG", docker.toString());
      Path inits = work.resolve("class-init.log");
      env.put("JAVA_OPTS", env.get("JAVA_OPTS") + " -Xlog:class+init=info:file=" + inits);
      String tag = tls.host() + "/release/hello:1";
      Result pushed =
          hidden(
              env,
              launcher(),
              "build",
              "-q",
              "--push",
              "-t",
              tag,
              "--registry-ca",
              tls.caFile().toString(),
              repo.resolve("examples/hello").toString());
      assertThat(pushed.code()).as(pushed.err()).isZero();
      assertThat(pushed.err()).doesNotContain("s3cret").doesNotContain("WARNING");
      // TLS without the jar's BouncyCastle provider: the runtime lists only the providers it has
      assertThat(Files.readString(inits))
          .contains("sun/security/ssl/SSLContextImpl")
          .doesNotContain("org/bouncycastle/jce/provider/BouncyCastleProvider");

      // read back in-process (this JVM's JDK, not the tarball's)
      Map<String, String> reader = BuildFixtures.isolatedEnv(dir.resolve("reader"));
      reader.put("DOCKER_CONFIG", docker.toString());
      BuildFixtures.Run inspect =
          BuildFixtures.run(
              reader, "inspect", "--format", "json", "--registry-ca", tls.caFile().toString(), tag);
      assertThat(inspect.code()).as(inspect.err()).isZero();
      assertThat(BuildFixtures.JSON.readTree(inspect.out()).toString())
          .contains(pushed.out().strip());
    }
  }
}
