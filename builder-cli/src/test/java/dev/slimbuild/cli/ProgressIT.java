package dev.slimbuild.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.Index;
import dev.slimbuild.core.oci.Manifest;
import dev.slimbuild.core.optimize.Sizes;
import dev.slimbuild.core.registry.RawManifest;
import dev.slimbuild.core.registry.Registry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Progress of a real build against a real docker-registry holding the busybox base: the plain lines
 * of CI logs (a line when each step starts, FROM with the base's size, each pulled blob with its
 * size, the push's byte totals), {@code --progress tty}'s summary, and the live view in a real
 * terminal (tmux), which leaves only finished lines on the screen.
 */
class ProgressIT {
  @RegisterExtension
  static final RegistryExtension registry =
      RegistryExtension.busybox().tools("bwrap", "tmux").isolated();

  @TempDir Path dir;

  private Path context(String name, String run) throws IOException {
    Path ctx = dir.resolve(name);
    BuildFixtures.write(
        ctx.resolve("Dockerfile"), "FROM " + registry.base() + "\n" + run + "\nCOPY f /f\n");
    BuildFixtures.write(ctx.resolve("f"), name + "\n");
    return ctx;
  }

  private BuildFixtures.Run build(Path ctx, String... extra) {
    List<String> args = new ArrayList<>(List.of("build", "--insecure-registry", registry.host()));
    args.addAll(List.of(extra));
    args.add(ctx.toString());
    return BuildFixtures.runIn(dir, Map.of(), args.toArray(String[]::new));
  }

  /** The manifest of {@code repository:reference}, the amd64 one of an index. */
  private static Manifest manifest(String repository, String reference) throws IOException {
    try (Registry r = registry.client()) {
      RawManifest m = r.getManifest(repository, reference);
      if (m.mediaType().contains("index")) {
        for (Descriptor d : Index.parse(m.bytes()).manifests()) {
          if (d.platform().architecture().equals("amd64")) {
            return Manifest.parse(r.getManifest(repository, d.digest().toString()).bytes());
          }
        }
      }
      return Manifest.parse(m.bytes());
    }
  }

  @Test
  void plainShowsStepStartsTheBaseAndItsPullAndThePushTotals() throws Exception {
    Path ctx = context("plain", "RUN echo one && echo two");
    String image = registry.host() + "/app/progress:1";
    BuildFixtures.Run r =
        build(
            ctx,
            "--progress",
            "plain",
            "-t",
            image,
            "--push",
            "--provenance=false",
            "--sbom=false"); // the blob counts below are the image's alone
    assertThat(r.code()).as(r.err()).isZero();
    List<String> lines = r.err().lines().toList();

    // FROM: the base's manifest digest, its layers and their size
    String baseRef = registry.host() + "/base/busybox:1";
    RawManifest baseIndex;
    try (Registry c = registry.client()) {
      baseIndex = c.getManifest("base/busybox", "1");
    }
    Descriptor amd64 =
        Index.parse(baseIndex.bytes()).manifests().stream()
            .filter(d -> d.platform().architecture().equals("amd64"))
            .findFirst()
            .orElseThrow();
    Manifest base = manifest("base/busybox", "1");
    long baseBytes = base.layers().stream().mapToLong(Descriptor::size).sum();
    assertThat(lines)
        .contains(
            "[linux/amd64] [stage-0] FROM "
                + baseRef
                + " ("
                + amd64.digest()
                + ", "
                + base.layers().size()
                + " layers, "
                + Sizes.format(baseBytes)
                + ")");

    // each base layer pulled, with its size (the RUN needs its files)
    for (Descriptor l : base.layers()) {
      assertThat(lines)
          .anySatisfy(
              line ->
                  assertThat(line)
                      .matches(
                          "pulled "
                              + registry.host().replace(".", "\\.")
                              + "/base/busybox "
                              + l.digest()
                              + ": "
                              + Sizes.format(l.size()).replace(".", "\\.")
                              + " in \\d+\\.\\d\\ds"));
    }

    // a line when each step starts, its output, then the line when it ends
    String run = "[linux/amd64] [stage-0 1/2] RUN echo one && echo two";
    int started = lines.indexOf(run);
    assertThat(started).as(r.err()).isNotNegative();
    int finished = -1;
    for (int i = started + 1; i < lines.size() && finished < 0; i++) {
      if (lines.get(i).matches(Pattern.quote(run) + "  \\d+\\.\\d\\ds")) {
        finished = i;
      }
    }
    assertThat(finished).as(r.err()).isPositive();
    assertThat(lines.subList(started, finished))
        .containsSubsequence("  [stage-0] one", "  [stage-0] two");
    int copy = lines.indexOf("[linux/amd64] [stage-0 2/2] COPY f /f");
    assertThat(copy).isGreaterThan(started);
    assertThat(lines.get(copy + 1)).startsWith("[linux/amd64] [stage-0 2/2] COPY f /f  ");

    // the push: each blob with its size, then the totals, which add up to the image's blobs
    Manifest pushed = manifest("app/progress", "1");
    Set<String> baseLayers = new HashSet<>();
    base.layers().forEach(l -> baseLayers.add(l.digest().toString()));
    long uploaded = pushed.config().size();
    int uploadedCount = 1;
    long mounted = 0;
    int mountedCount = 0;
    for (Descriptor l : pushed.layers()) {
      boolean fromBase = baseLayers.contains(l.digest().toString());
      assertThat(lines)
          .contains(
              "blob "
                  + l.digest().shortHex()
                  + ": "
                  + (fromBase ? "mounted " : "uploaded ")
                  + Sizes.format(l.size()));
      if (fromBase) {
        mounted += l.size();
        mountedCount++;
      } else {
        uploaded += l.size();
        uploadedCount++;
      }
    }
    assertThat(mountedCount).isEqualTo(base.layers().size());
    assertThat(lines)
        .contains(
            "blobs to "
                + registry.host()
                + "/app/progress: "
                + Sizes.format(uploaded)
                + " uploaded ("
                + uploadedCount
                + "), "
                + Sizes.format(mounted)
                + " mounted ("
                + mountedCount
                + "), 0B there already (0)");
    assertThat(r.err()).doesNotContain("\u001b[");
  }

  @Test
  void rawjsonReportsTheBytesOfPullsAndPushes() throws Exception {
    Path ctx = context("json", "RUN echo json");
    BuildFixtures.Run r =
        build(ctx, "--progress", "rawjson", "-t", registry.host() + "/app/json:1", "--push");
    assertThat(r.code()).as(r.err()).isZero();
    List<JsonNode> events = new ArrayList<>();
    for (String l : r.err().lines().toList()) {
      events.add(BuildFixtures.JSON.readTree(l));
    }
    assertThat(events)
        .anySatisfy(
            e -> {
              assertThat(e.get("type").asText()).isEqualTo("step.output");
              assertThat(e.get("line").asText()).isEqualTo("json");
              assertThat(e.get("step").asInt()).isEqualTo(1);
            });
    assertThat(events).anySatisfy(e -> assertThat(e.get("type").asText()).isEqualTo("base.image"));
    for (String direction : List.of("pull", "push")) {
      assertThat(events)
          .filteredOn(
              e ->
                  e.get("type").asText().equals("transfer")
                      && e.get("direction").asText().equals(direction)
                      && e.get("finished").asBoolean())
          .isNotEmpty()
          .allSatisfy(e -> assertThat(e.get("done").asLong()).isEqualTo(e.get("total").asLong()));
    }
  }

  @Test
  void ttyEndsWithASummaryOfWhatSucceededOrFailed() throws Exception {
    Path ctx = context("tty", "RUN echo tty");
    BuildFixtures.Run r =
        build(ctx, "--progress", "tty", "-t", registry.host() + "/app/tty:1", "--push");
    assertThat(r.code()).as(r.err()).isZero();
    // the screen it leaves: the live frames erased
    List<String> lines = LiveProgressTest.screen(r.err());
    assertThat(lines).noneMatch(l -> l.startsWith("[+] Building") || l.startsWith("=> "));
    assertThat(lines.get(lines.size() - 1))
        .matches("\\[\\+\\] Built in \\d+\\.\\ds: 2 steps, pulled \\S+, pushed \\S+");
    // finished steps stay as plain prints them; a running step's output only shows while it runs
    assertThat(lines)
        .anySatisfy(l -> assertThat(l).startsWith("[linux/amd64] [stage-0 1/2] RUN echo tty  "));
    assertThat(lines).doesNotContain("  [stage-0] tty");

    Path failing = context("fails", "RUN echo last words && exit 3");
    BuildFixtures.Run f = build(failing, "--progress", "tty", "-t", registry.host() + "/app/tty:2");
    assertThat(f.code()).isEqualTo(1);
    String err = String.join("\n", LiveProgressTest.screen(f.err()));
    int summary = err.indexOf("[+] Failed after ");
    assertThat(summary).as(err).isNotNegative();
    assertThat(err.substring(summary))
        .contains("    while running [linux/amd64] [stage-0 1/2] RUN echo last words && exit 3")
        // the error comes after the summary: the view has ended before it is printed
        .contains("failed with exit code 3")
        .contains("last words");
  }

  @Test
  void autoInARealTerminalLeavesOnlyFinishedLinesAndTheSummary() throws Exception {
    Path ctx = context("term", "RUN echo first && sleep 1 && echo second");
    Path jar = Path.of("target/slimbuild.jar").toAbsolutePath();
    assertThat(jar).as("run in verify: package builds the shaded jar").isRegularFile();
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String socket = "slimbuild-progress-" + ProcessHandle.current().pid();
    Path done = dir.resolve("exit-code");
    Map<String, String> env = BuildFixtures.isolatedEnv(dir);
    StringBuilder cmd = new StringBuilder("env");
    env.forEach((k, v) -> cmd.append(' ').append(k).append('=').append(v));
    cmd.append(" TERM=xterm ")
        .append(javaBin)
        .append(" -jar ")
        .append(jar)
        .append(" build --insecure-registry ")
        .append(registry.host())
        .append(" -t app:term ")
        .append(ctx)
        .append("; echo $? > ")
        .append(done)
        .append("; sleep 600");
    BuildToolsIT.ok(
        dir, "tmux", "-L", socket, "new-session", "-d", "-x", "100", "-y", "50", cmd.toString());
    try {
      // bounded: the build takes seconds; two minutes is a broken build
      for (int i = 0; i < 240 && !Files.exists(done); i++) {
        Thread.sleep(500);
      }
      assertThat(done).as("the build in tmux finished").exists();
      String screen =
          BuildToolsIT.ok(dir, "tmux", "-L", socket, "capture-pane", "-p", "-J", "-S", "-200")
              .out();
      assertThat(Files.readString(done).trim()).as(screen).isEqualTo("0");
      List<String> lines = screen.lines().map(String::stripTrailing).toList();
      assertThat(lines)
          .anySatisfy(
              l -> assertThat(l).matches("\\[\\+\\] Built in \\d+\\.\\ds: 2 steps, pulled \\S+"));
      assertThat(lines)
          .anySatisfy(
              l ->
                  assertThat(l)
                      .startsWith(
                          "[linux/amd64] [stage-0 1/2] RUN echo first && sleep 1 && echo second  "));
      // the live area is gone: no header, no running step, no output line, no escape
      assertThat(lines)
          .noneMatch(
              l ->
                  l.startsWith("[+] Building")
                      || l.startsWith("=> ")
                      || (l.contains("second") && !l.contains("RUN"))
                      || l.contains("\u001b"));
      assertThat(lines).filteredOn(l -> l.startsWith("sha256:")).hasSize(1);
    } finally {
      BuildToolsIT.exec(dir, "tmux", "-L", socket, "kill-server");
    }
  }
}
