package dev.slimbuild.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slimbuild.core.oci.MediaType;
import dev.slimbuild.core.registry.RawManifest;
import dev.slimbuild.core.registry.Registry;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The CI templates in examples/ci, read as their CI systems read them: each file is parsed
 * (SnakeYAML) and the structure its system needs is checked, then the commands that install or call
 * slimbuild run in a shell with the CI's variables pointing at the loopback registry (its busybox
 * base under a context that RUNs on both platforms) and a cosign key made by {@code slimbuild
 * generate-key-pair}. In the templates that use the executor image, slimbuild is the launcher in
 * target/ on PATH; the GitHub workflow installs it from a release-shaped tarball. Each must push an
 * index of both platforms and the registry cache, signed so that {@code slimbuild verify} accepts
 * it, and print no secret.
 */
class CiTemplatesIT {
  private static final Path TEMPLATES = Path.of("..", "examples", "ci");

  /** The registry host the templates that use the executor image name. */
  private static final String PLACEHOLDER = "registry.example.com";

  private static final String PASSWORD = "correct horse battery staple";

  /** Where the executor image holds slimbuild. */
  private static final String IMAGE_BIN = "/usr/local/bin/";

  /** A command line that calls slimbuild (or kaniko's name for it) as a command. */
  private static final Pattern CALLS_SLIMBUILD =
      Pattern.compile(
          "(^|[\\s;&|(])(" + IMAGE_BIN + ")?(slimbuild|executor)(\\s|$)", Pattern.MULTILINE);

  private static final Pattern GITHUB_SECRET =
      Pattern.compile("\\$\\{\\{\\s*secrets\\.([A-Za-z0-9_]+)\\s*}}");
  private static final Pattern TEKTON_VARIABLE =
      Pattern.compile("\\$\\(((?:params|workspaces|results|context)\\.[^)]*)\\)");
  private static final Pattern KUBERNETES_VARIABLE = Pattern.compile("\\$\\(([A-Za-z_]\\w*)\\)");

  @RegisterExtension
  static final RegistryExtension registry =
      RegistryExtension.busybox().tools("proot", "qemu-aarch64-static");

  @TempDir Path dir;

  @Test
  void githubActionsWorkflowInstallsTheTarballAndPushesASignedIndex() throws Exception {
    Map<String, Object> workflow = yaml("github-actions.yml");
    // SnakeYAML reads YAML 1.1, where a bare `on` is the key true; GitHub reads the key "on"
    Map<?, ?> keys = workflow;
    Object on = workflow.containsKey("on") ? workflow.get("on") : keys.get(true);
    assertThat(map(on, "on")).containsKey("push");
    Map<String, Object> jobs = map(workflow.get("jobs"), "jobs");
    assertThat(jobs).hasSize(1);
    Map<String, Object> job = map(jobs.values().iterator().next(), "the job");
    assertThat(string(job.get("runs-on"), "runs-on")).startsWith("ubuntu-");
    List<Map<String, Object>> steps = maps(job.get("steps"), "steps");
    for (Map<String, Object> s : steps) {
      assertThat(s.containsKey("uses") != s.containsKey("run")).as("uses or run: " + s).isTrue();
    }
    assertThat(steps)
        .anySatisfy(s -> assertThat(String.valueOf(s.get("uses"))).startsWith("actions/checkout@"));
    assertThat(steps)
        .anySatisfy(
            s ->
                assertThat(String.valueOf(s.get("run")))
                    .contains("sysctl -w kernel.apparmor_restrict_unprivileged_userns=0"));
    // the steps that install slimbuild and call it; the others need sudo, a network or Docker
    List<Map<String, Object>> ours =
        steps.stream().filter(s -> String.valueOf(s.get("run")).contains("slimbuild")).toList();
    assertThat(ours).hasSize(2);
    String install = string(ours.get(0).get("run"), "the install step");
    String build = string(ours.get(1).get("run"), "the build step");
    assertThat(CALLS_SLIMBUILD.matcher(install).find()).as(install).isFalse();
    assertThat(CALLS_SLIMBUILD.matcher(build).find()).as(build).isTrue();

    Key key = keyPair();
    Path repo = project("repo");
    Path temp = Files.createDirectories(dir.resolve("runner/temp"));
    Path githubPath = Files.createFile(dir.resolve("runner/github_path"));
    Path githubOutput = Files.createFile(dir.resolve("runner/github_output"));
    Map<String, String> secrets =
        Map.of(
            "COSIGN_PRIVATE_KEY",
            Files.readString(key.privateKey()).strip(),
            "COSIGN_PASSWORD",
            PASSWORD);
    Map<String, String> env = BuildFixtures.launcherEnv(dir.resolve("job"));
    env.put("PATH", BuildFixtures.SYSTEM_PATH); // the install step puts slimbuild on it
    env.putAll(githubEnv(workflow.get("env"), secrets));
    env.putAll(githubEnv(job.get("env"), secrets));
    assertThat(env.get("REGISTRY")).isEqualTo("ghcr.io");
    env.put("REGISTRY", registry.host());
    String version = env.get("SLIMBUILD_VERSION");
    env.put("SLIMBUILD_RELEASES", "file://" + releaseStandIn(version));
    // what the runner sets
    env.put("GITHUB_REPOSITORY", "Example/Web");
    env.put("GITHUB_SHA", "0123456789abcdef0123456789abcdef01234567");
    env.put("GITHUB_REF_NAME", "v1.2.3");
    env.put("GITHUB_SERVER_URL", "https://github.com");
    env.put("GITHUB_WORKSPACE", repo.toString());
    env.put("RUNNER_TEMP", temp.toString());
    env.put("GITHUB_PATH", githubPath.toString());
    env.put("GITHUB_OUTPUT", githubOutput.toString());

    BuildToolsIT.Result installed = githubRun(repo, env, ours.get(0), install, secrets);
    assertThat(installed.code()).as(installed.all()).isZero();
    List<String> added = Files.readAllLines(githubPath);
    assertThat(added).containsExactly(temp + "/slimbuild-" + version + "-linux-amd64/bin");
    env.put("PATH", added.get(0) + ":" + BuildFixtures.SYSTEM_PATH);

    BuildToolsIT.Result r = githubRun(repo, env, ours.get(1), build, secrets);
    assertThat(r.code()).as(r.all()).isZero();
    String digest = assertPublished("example/web", "v1.2.3", key);
    assertThat(manifest("example/web", "sha-0123456789ab").digest().toString()).isEqualTo(digest);
    assertThat(Files.readAllLines(githubOutput)).contains("digest=" + digest);
    assertThat(temp.resolve("cosign.key")).doesNotExist();
    assertNoSecret(r, key);

    env.put("SLIMBUILD_STORE", dir.resolve("next-runner").toString());
    assertServedFromCache(
        githubRun(repo, env, ours.get(1), build, secrets), "example/web", "v1.2.3", digest);
  }

  @Test
  void gitlabJobPushesASignedIndexWithTheRegistryLogin() throws Exception {
    Map<String, Object> ci = yaml("gitlab-ci.yml");
    Map<String, Object> variables = map(ci.get("variables"), "variables");
    assertThat(string(variables.get("SLIMBUILD_IMAGE"), "SLIMBUILD_IMAGE"))
        .matches(".+/slimbuild/executor:.+");
    Map<String, Object> job = map(ci.get("build"), "the job build");
    Map<String, Object> image = map(job.get("image"), "image");
    assertThat(image.get("name")).isEqualTo("$SLIMBUILD_IMAGE");
    assertThat(image.get("entrypoint")).isEqualTo(List.of(""));
    assertThat(maps(job.get("rules"), "rules")).containsExactly(Map.of("if", "$CI_COMMIT_TAG"));
    List<String> script = strings(job.get("script"), "script");
    assertThat(script).anyMatch(l -> CALLS_SLIMBUILD.matcher(l).find());

    Key key = keyPair();
    Path project = project("project");
    String token = "glcbt-64_s3cretRegistryToken";
    Map<String, String> env = BuildFixtures.launcherEnv(dir.resolve("job"));
    variables.forEach((k, v) -> env.put(k, string(v, k)));
    // GitLab's predefined variables and the project's CI/CD variables
    env.put("CI_REGISTRY", registry.host());
    env.put("CI_REGISTRY_IMAGE", registry.host() + "/group/project");
    env.put("CI_REGISTRY_USER", "gitlab-ci-token");
    env.put("CI_REGISTRY_PASSWORD", token);
    env.put("CI_COMMIT_TAG", "v1.0.0");
    env.put("CI_COMMIT_SHA", "0123456789abcdef0123456789abcdef01234567");
    env.put("CI_PROJECT_DIR", project.toString());
    env.put("CI_PROJECT_URL", "https://gitlab.example.com/group/project");
    env.put("COSIGN_PRIVATE_KEY", key.privateKey().toString()); // a File variable: a path
    env.put("COSIGN_PASSWORD", PASSWORD);

    // one shell runs the entries in turn and stops at the first that fails
    List<String> sh = List.of("sh", "-eu", "-c", String.join("\n", script));
    BuildToolsIT.Result r = BuildToolsIT.exec(project, env, 600, sh);
    assertThat(r.code()).as(r.all()).isZero();
    String digest = assertPublished("group/project", "v1.0.0", key);
    assertThat(r.out().trim()).isEqualTo(digest);
    String auth =
        Base64.getEncoder()
            .encodeToString(("gitlab-ci-token:" + token).getBytes(StandardCharsets.UTF_8));
    assertNoSecret(r, key, token, auth);
    // the login the job wrote is a docker config.json for the registry
    List<Path> configs;
    try (Stream<Path> files = Files.walk(Path.of(env.get("TMPDIR")))) {
      configs = files.filter(p -> p.getFileName().toString().equals("config.json")).toList();
    }
    assertThat(configs).hasSize(1);
    JsonNode config = BuildFixtures.JSON.readTree(Files.readAllBytes(configs.get(0)));
    assertThat(config.get("auths").get(registry.host()).get("auth").asText()).isEqualTo(auth);

    env.put("SLIMBUILD_STORE", dir.resolve("next-runner").toString());
    assertServedFromCache(
        BuildToolsIT.exec(project, env, 600, sh), "group/project", "v1.0.0", digest);
  }

  @Test
  void tektonTaskPushesASignedIndexAndItsResults() throws Exception {
    Map<String, Object> task = yaml("tekton-task.yml");
    assertThat(task.get("apiVersion")).isEqualTo("tekton.dev/v1");
    assertThat(task.get("kind")).isEqualTo("Task");
    Map<String, Object> spec = map(task.get("spec"), "spec");
    Map<String, String> params = new LinkedHashMap<>();
    for (Map<String, Object> p : maps(spec.get("params"), "params")) {
      params.put(string(p.get("name"), "a param's name"), (String) p.get("default"));
    }
    assertThat(params).containsKeys("IMAGE", "CACHE", "CONTEXT", "DOCKERFILE", "PLATFORMS");
    assertThat(params.get("PLATFORMS")).isEqualTo("linux/amd64,linux/arm64");
    assertThat(params.get("BUILDER_IMAGE")).matches(".+/slimbuild/executor:.+");
    assertThat(names(spec.get("workspaces"))).contains("source", "dockerconfig", "cosign");
    assertThat(names(spec.get("results"))).contains("IMAGE_DIGEST", "IMAGE_URL");
    List<Map<String, Object>> steps = maps(spec.get("steps"), "steps");
    List<Map<String, Object>> ours =
        steps.stream()
            .filter(s -> CALLS_SLIMBUILD.matcher(String.valueOf(s.get("script"))).find())
            .toList();
    assertThat(ours).hasSize(1);
    Map<String, Object> step = ours.get(0);
    assertThat(step.get("image")).isEqualTo("$(params.BUILDER_IMAGE)");
    // the sandbox the comment promises (proot) rests on these
    Map<String, Object> security = map(step.get("securityContext"), "securityContext");
    assertThat(security)
        .containsEntry("runAsNonRoot", true)
        .containsEntry("runAsUser", 1000)
        .containsEntry("allowPrivilegeEscalation", false);

    Key key = keyPair();
    Path source = project("source");
    Path dockerConfig = dockerConfig();
    Path results = Files.createDirectories(dir.resolve("tekton/results"));
    // what the TaskRun gives and what Tekton substitutes
    params.put("IMAGE", registry.host() + "/team/tekton-app:1.0.0");
    params.put("CACHE", registry.host() + "/team/tekton-app:buildcache");
    Map<String, String> values = new HashMap<>();
    params.forEach((k, v) -> values.put("params." + k, v));
    values.put("workspaces.source.path", source.toString());
    values.put("workspaces.dockerconfig.bound", "true");
    values.put("workspaces.dockerconfig.path", dockerConfig.toString());
    values.put("workspaces.cosign.path", key.privateKey().getParent().toString());
    values.put("results.IMAGE_DIGEST.path", results.resolve("IMAGE_DIGEST").toString());
    values.put("results.IMAGE_URL.path", results.resolve("IMAGE_URL").toString());
    Function<String, String> tekton = s -> substitute(TEKTON_VARIABLE, s, values);

    Map<String, String> env = BuildFixtures.launcherEnv(dir.resolve("job"));
    Map<String, String> stepEnv =
        containerEnv(step.get("env"), tekton, Map.of("cosign/password", PASSWORD));
    assertThat(stepEnv.get("HOME")).isEqualTo(mountPath(step, "tmp"));
    stepEnv.remove("HOME"); // a directory of this machine instead
    env.putAll(stepEnv);
    String script = tekton.apply(string(step.get("script"), "script"));
    assertThat(script).startsWith("#!/bin/sh\n");
    Path file = dir.resolve("tekton/script");
    Files.writeString(file, script);
    file.toFile().setExecutable(true);
    Path workingDir = Path.of(tekton.apply(string(step.get("workingDir"), "workingDir")));
    BuildToolsIT.Result r = BuildToolsIT.exec(workingDir, env, 600, List.of(file.toString()));
    assertThat(r.code()).as(r.all()).isZero();
    String digest = assertPublished("team/tekton-app", "1.0.0", key);
    assertThat(Files.readString(results.resolve("IMAGE_DIGEST"))).isEqualTo(digest);
    assertThat(Files.readString(results.resolve("IMAGE_URL"))).isEqualTo(params.get("IMAGE"));
    assertNoSecret(r, key);

    env.put("SLIMBUILD_STORE", dir.resolve("next-pod").toString());
    assertServedFromCache(
        BuildToolsIT.exec(workingDir, env, 600, List.of(file.toString())),
        "team/tekton-app",
        "1.0.0",
        digest);
  }

  @Test
  void kubernetesJobPushesASignedIndexFromWhatItsVolumesHold() throws Exception {
    Map<String, Object> job = yaml("kubernetes-job.yml");
    assertThat(job.get("apiVersion")).isEqualTo("batch/v1");
    assertThat(job.get("kind")).isEqualTo("Job");
    Map<String, Object> pod =
        map(map(map(job.get("spec"), "spec").get("template"), "template").get("spec"), "pod");
    assertThat(pod.get("restartPolicy")).isEqualTo("Never");
    // the sandbox the comment promises (proot) rests on these
    assertThat(map(pod.get("securityContext"), "securityContext"))
        .containsEntry("runAsNonRoot", true)
        .containsEntry("runAsUser", 1000);
    List<Map<String, Object>> containers = maps(pod.get("containers"), "containers");
    assertThat(containers).hasSize(1);
    Map<String, Object> c = containers.get(0);
    assertThat(string(c.get("image"), "image")).matches(".+/slimbuild/executor:.+");
    List<String> argv = new ArrayList<>(strings(c.get("command"), "command"));
    argv.addAll(strings(c.get("args"), "args"));
    assertThat(CALLS_SLIMBUILD.matcher(String.join(" ", argv)).find()).as(argv.toString()).isTrue();
    Map<String, String> env =
        containerEnv(c.get("env"), Function.identity(), Map.of("cosign/password", PASSWORD));

    // what the container reads is where the pod mounts it
    Map<String, Map<String, Object>> volumes = new HashMap<>();
    for (Map<String, Object> v : maps(pod.get("volumes"), "volumes")) {
      volumes.put(string(v.get("name"), "a volume's name"), v);
    }
    assertThat(env.get("SIGN_KEY"))
        .isEqualTo(mountPath(c, secretHolding(volumes, "cosign.key")) + "/cosign.key");
    assertThat(env.get("DOCKER_CONFIG"))
        .isEqualTo(mountPath(c, secretHolding(volumes, "config.json")));
    assertThat(volumes.get("tmp")).containsKey("emptyDir");
    assertThat(env.get("HOME")).isEqualTo(mountPath(c, "tmp"));
    Map<String, Object> clone = maps(pod.get("initContainers"), "initContainers").get(0);
    List<String> cloneArgs = strings(clone.get("args"), "the clone's args");
    assertThat(cloneArgs.get(cloneArgs.size() - 1)).isEqualTo(env.get("CONTEXT"));
    assertThat(env.get("CONTEXT"))
        .startsWith(mountPath(c, "workspace") + "/")
        .startsWith(mountPath(clone, "workspace") + "/");

    Key key = keyPair();
    env.put("IMAGE", env.get("IMAGE").replace(PLACEHOLDER, registry.host()));
    env.put("CACHE", env.get("CACHE").replace(PLACEHOLDER, registry.host()));
    env.put("CONTEXT", project("source").toString());
    env.put("SIGN_KEY", key.privateKey().toString());
    env.put("DOCKER_CONFIG", dockerConfig().toString());
    env.remove("HOME");
    // Kubernetes expands $(VAR) in command and args from the container's env
    List<String> expanded =
        new ArrayList<>(argv.stream().map(a -> substitute(KUBERNETES_VARIABLE, a, env)).toList());
    // the image's slimbuild: the launcher in target/, on PATH
    assertThat(expanded.get(0)).isEqualTo(IMAGE_BIN + "slimbuild");
    expanded.set(0, "slimbuild");
    Map<String, String> process = BuildFixtures.launcherEnv(dir.resolve("job"));
    process.putAll(env);
    String line = String.join(" ", expanded.stream().map(CiTemplatesIT::quote).toList());
    List<String> sh = List.of("sh", "-eu", "-c", line);
    BuildToolsIT.Result r = BuildToolsIT.exec(dir, process, 600, sh);
    assertThat(r.code()).as(r.all()).isZero();
    String digest = assertPublished("team/app", "1.0.0", key);
    assertThat(r.out().trim()).isEqualTo(digest);
    assertNoSecret(r, key);

    process.put("SLIMBUILD_STORE", dir.resolve("next-pod").toString());
    assertServedFromCache(BuildToolsIT.exec(dir, process, 600, sh), "team/app", "1.0.0", digest);
  }

  // ---- the CI systems' ways ----

  /** A workflow's or job's {@code env:}, with {@code ${{ secrets.NAME }}} taken from secrets. */
  private static Map<String, String> githubEnv(Object env, Map<String, String> secrets) {
    Map<String, String> out = new LinkedHashMap<>();
    if (env == null) {
      return out;
    }
    map(env, "env")
        .forEach(
            (k, v) -> {
              String value = String.valueOf(v);
              Matcher m = GITHUB_SECRET.matcher(value);
              if (m.matches()) {
                assertThat(secrets).as("secret " + m.group(1)).containsKey(m.group(1));
                value = secrets.get(m.group(1));
              }
              assertThat(value)
                  .as(k + ": an expression the test does not know")
                  .doesNotContain("${{");
              out.put(k, value);
            });
    return out;
  }

  /** Runs a step's script as GitHub does: bash -eo pipefail (and -u here), with the step's env. */
  private static BuildToolsIT.Result githubRun(
      Path cwd,
      Map<String, String> env,
      Map<String, Object> step,
      String script,
      Map<String, String> secrets)
      throws Exception {
    Map<String, String> all = new HashMap<>(env);
    all.putAll(githubEnv(step.get("env"), secrets));
    return BuildToolsIT.exec(
        cwd, all, 600, List.of("bash", "--noprofile", "--norc", "-euo", "pipefail", "-c", script));
  }

  /**
   * A container's {@code env:} (Kubernetes and Tekton): values through {@code values}, a
   * secretKeyRef as {@code secrets.get("NAME/KEY")}.
   */
  private static Map<String, String> containerEnv(
      Object env, Function<String, String> values, Map<String, String> secrets) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Map<String, Object> e : maps(env, "env")) {
      String name = string(e.get("name"), "an env name");
      if (e.containsKey("value")) {
        out.put(name, values.apply(string(e.get("value"), name)));
      } else {
        Map<String, Object> ref = map(map(e.get("valueFrom"), name).get("secretKeyRef"), name);
        String secret = values.apply(string(ref.get("name"), name)) + "/" + ref.get("key");
        assertThat(secrets).as(name + " from " + secret).containsKey(secret);
        out.put(name, secrets.get(secret));
      }
    }
    return out;
  }

  /** Replaces every {@code $(NAME)} that {@code pattern} finds; a name without a value fails. */
  private static String substitute(Pattern pattern, String s, Map<String, String> values) {
    Matcher m = pattern.matcher(s);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      assertThat(values).as("a value for $(" + m.group(1) + ")").containsKey(m.group(1));
      m.appendReplacement(out, Matcher.quoteReplacement(values.get(m.group(1))));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static String mountPath(Map<String, Object> container, String volume) {
    for (Map<String, Object> m : maps(container.get("volumeMounts"), "volumeMounts")) {
      if (volume.equals(m.get("name"))) {
        return string(m.get("mountPath"), "mountPath");
      }
    }
    throw new AssertionError("no volumeMount of " + volume + " in " + container.get("name"));
  }

  /** The volume whose Secret is mounted with an item at {@code path}. */
  private static String secretHolding(Map<String, Map<String, Object>> volumes, String path) {
    for (Map.Entry<String, Map<String, Object>> v : volumes.entrySet()) {
      Object secret = v.getValue().get("secret");
      if (secret != null
          && maps(map(secret, "secret").get("items"), "items").stream()
              .anyMatch(i -> path.equals(i.get("path")))) {
        return v.getKey();
      }
    }
    throw new AssertionError("no Secret volume holds " + path);
  }

  private static String quote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }

  // ---- fixtures and checks ----

  private record Key(Path privateKey, Path publicKey) {}

  /** cosign.key and cosign.pub in a directory of their own, from generate-key-pair. */
  private Key keyPair() throws IOException {
    Path prefix = Files.createDirectories(dir.resolve("cosign")).resolve("cosign");
    BuildFixtures.Run r =
        BuildFixtures.runIn(
            dir.resolve("keygen"),
            Map.of("COSIGN_PASSWORD", PASSWORD),
            "generate-key-pair",
            "--output-key-prefix",
            prefix.toString());
    assertThat(r.code()).as(r.err()).isZero();
    return new Key(Path.of(prefix + ".key"), Path.of(prefix + ".pub"));
  }

  /** A project whose Dockerfile RUNs on each platform, FROM the registry's busybox. */
  private Path project(String name) throws IOException {
    Path p = dir.resolve(name);
    BuildFixtures.write(
        p.resolve("Dockerfile"),
        "FROM "
            + registry.base()
            + "\n"
            + "COPY hello.txt /hello.txt\n"
            + "RUN uname -m > /arch && cat /hello.txt > /copied\n");
    BuildFixtures.write(p.resolve("hello.txt"), "hello\n");
    return p;
  }

  /** A DOCKER_CONFIG directory whose config.json has no logins (the registry needs none). */
  private Path dockerConfig() throws IOException {
    Path d = Files.createDirectories(dir.resolve("docker-config"));
    Files.writeString(d.resolve("config.json"), "{\"auths\":{}}");
    return d;
  }

  /**
   * A directory laid out as the release's download location for {@code version}:
   * slimbuild-VERSION-linux-amd64.tar.gz, whose bin/slimbuild runs the launcher in target/, and
   * slimbuild-VERSION.sha256 with a line for each platform's tarball.
   */
  private Path releaseStandIn(String version) throws Exception {
    String name = "slimbuild-" + version + "-linux-amd64";
    Path stage = dir.resolve("release");
    Path bin = Files.createDirectories(stage.resolve(name).resolve("bin"));
    Files.writeString(
        bin.resolve("slimbuild"),
        "#!/bin/sh\nexec "
            + quote(Path.of("target/slimbuild").toAbsolutePath().toString())
            + " \"$@\"\n");
    bin.resolve("slimbuild").toFile().setExecutable(true);
    Path releases = Files.createDirectories(dir.resolve("releases"));
    BuildToolsIT.ok(stage, "tar", "-czf", releases.resolve(name + ".tar.gz").toString(), name);
    String sums =
        BuildToolsIT.ok(releases, "sha256sum", name + ".tar.gz").out()
            + "0".repeat(64)
            + "  slimbuild-"
            + version
            + "-linux-arm64.tar.gz\n";
    Files.writeString(releases.resolve("slimbuild-" + version + ".sha256"), sums);
    return releases;
  }

  /**
   * The index at REPO:TAG has both platforms, the cache REPO:buildcache exists and {@code slimbuild
   * verify} accepts the signatures; returns the index's digest.
   */
  private String assertPublished(String repo, String tag, Key key) throws IOException {
    RawManifest index = manifest(repo, tag);
    assertThat(index.mediaType()).isEqualTo(MediaType.OCI_INDEX);
    List<String> platforms = new ArrayList<>();
    for (JsonNode m : BuildFixtures.JSON.readTree(index.bytes()).get("manifests")) {
      if (m.has("annotations") && m.get("annotations").has("vnd.docker.reference.type")) {
        continue; // the SBOM and provenance of an image, as BuildKit lists them
      }
      platforms.add(
          m.get("platform").get("os").asText()
              + "/"
              + m.get("platform").get("architecture").asText());
    }
    assertThat(platforms).containsExactlyInAnyOrder("linux/amd64", "linux/arm64");
    assertThat(manifest(repo, "buildcache").bytes()).isNotEmpty();
    BuildFixtures.Run verify =
        BuildFixtures.runIn(
            dir.resolve("verify"),
            Map.of(),
            "verify",
            "--key",
            key.publicKey().toString(),
            registry.host() + "/" + repo + ":" + tag);
    assertThat(verify.code()).as(verify.out() + verify.err()).isZero();
    return index.digest().toString();
  }

  /**
   * The same commands on a fresh machine (an empty store) took every step from the registry cache
   * the first run wrote and pushed the same index.
   */
  private static void assertServedFromCache(
      BuildToolsIT.Result again, String repo, String tag, String digest) throws IOException {
    assertThat(again.code()).as(again.all()).isZero();
    assertThat(again.stderr())
        .contains("CACHED (" + registry.host() + "/" + repo + ":buildcache)")
        .doesNotContain("RUN took");
    assertThat(manifest(repo, tag).digest().toString()).isEqualTo(digest);
  }

  /** Neither the key's password, the private key's lines nor {@code others} were printed. */
  private static void assertNoSecret(BuildToolsIT.Result r, Key key, String... others)
      throws IOException {
    String all = r.all();
    assertThat(all).doesNotContain(PASSWORD);
    for (String line : Files.readAllLines(key.privateKey())) {
      if (!line.startsWith("-----")) {
        assertThat(all).doesNotContain(line);
      }
    }
    for (String s : others) {
      assertThat(all).doesNotContain(s);
    }
  }

  private static RawManifest manifest(String repo, String ref) throws IOException {
    try (Registry r = registry.client()) {
      return r.getManifest(repo, ref);
    }
  }

  // ---- reading YAML ----

  private static Map<String, Object> yaml(String file) throws IOException {
    try (Reader in = Files.newBufferedReader(TEMPLATES.resolve(file))) {
      return map(new Yaml(new SafeConstructor(new LoaderOptions())).load(in), file);
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o, String what) {
    assertThat(o).as(what).isInstanceOf(Map.class);
    return (Map<String, Object>) o;
  }

  private static List<Map<String, Object>> maps(Object o, String what) {
    assertThat(o).as(what).isInstanceOf(List.class);
    return ((List<?>) o).stream().map(e -> map(e, what)).toList();
  }

  private static List<String> strings(Object o, String what) {
    assertThat(o).as(what).isInstanceOf(List.class);
    return ((List<?>) o).stream().map(e -> string(e, what)).toList();
  }

  private static String string(Object o, String what) {
    assertThat(o).as(what).isInstanceOf(String.class);
    return (String) o;
  }

  private static List<String> names(Object o) {
    return maps(o, "a list").stream().map(m -> string(m.get("name"), "name")).toList();
  }
}
