package dev.slimbuild.core.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slimbuild.core.oci.ImageConfig.ContainerConfig;
import dev.slimbuild.core.oci.ImageConfig.Healthcheck;
import dev.slimbuild.core.oci.ImageConfig.History;
import dev.slimbuild.json.JsonObject;
import dev.slimbuild.json.JsonValue;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class ImageConfigBuilderTest {
  static final Digest D = Digest.sha256Of("x");

  /** Every container setting set, so that each one's change shows. */
  static final ContainerConfig FULL =
      ContainerConfig.builder()
          .user("app")
          .exposedPorts(List.of("8080/tcp", "443/tcp"))
          .env(List.of("PATH=/bin", "LANG=C"))
          .entrypoint(List.of("/entry"))
          .cmd(List.of("run"))
          .volumes(List.of("/data"))
          .workingDir("/work")
          .labels(Map.of("z", "1", "a", "2"))
          .stopSignal("SIGTERM")
          .argsEscaped(true)
          .healthcheck(new Healthcheck(List.of("CMD", "true"), 30_000_000_000L, 0, 0, 0, 3))
          .onBuild(List.of("RUN x"))
          .shell(List.of("/bin/sh", "-c"))
          .build();

  static final ImageConfig CONFIG =
      ImageConfig.builder(new Platform("linux", "arm64", "v8", "1.0", List.of("f")))
          .created(Instant.ofEpochSecond(5))
          .author("me")
          .config(FULL)
          .diffIds(List.of(D))
          .history(List.of(new History(Instant.EPOCH, "RUN x", null, null, false)))
          .build();

  @Test
  void toBuilderBuildsAnEqualConfigWithTheSameBytes() {
    assertThat(FULL.toBuilder().build()).isEqualTo(FULL);
    assertThat(CONFIG.toBuilder().build()).isEqualTo(CONFIG);
    assertThat(CONFIG.toBuilder().build().toBytes()).isEqualTo(CONFIG.toBytes());
    assertThat(ImageConfig.parse(CONFIG.toBytes())).isEqualTo(CONFIG);
    assertThat(ContainerConfig.builder().build()).isEqualTo(ContainerConfig.EMPTY);
    assertThat(ContainerConfig.EMPTY.toJson().size()).isZero();
  }

  @Test
  void aChangedContainerSettingChangesOnlyItsMember() {
    assertChangesOnly(b -> b.user("root"), "User");
    assertChangesOnly(b -> b.exposedPorts(List.of("22/tcp")), "ExposedPorts");
    assertChangesOnly(b -> b.env(List.of("A=b")), "Env");
    assertChangesOnly(b -> b.entrypoint(List.of("/other")), "Entrypoint");
    assertChangesOnly(b -> b.cmd(List.of("other")), "Cmd");
    assertChangesOnly(b -> b.volumes(List.of("/v")), "Volumes");
    assertChangesOnly(b -> b.workingDir("/w"), "WorkingDir");
    assertChangesOnly(b -> b.labels(Map.of("k", "v")), "Labels");
    assertChangesOnly(b -> b.stopSignal("SIGKILL"), "StopSignal");
    assertChangesOnly(b -> b.argsEscaped(false), "ArgsEscaped");
    assertChangesOnly(
        b -> b.healthcheck(new Healthcheck(List.of("NONE"), 0, 0, 0, 0, 0)), "Healthcheck");
    assertChangesOnly(b -> b.onBuild(List.of()), "OnBuild");
    assertChangesOnly(b -> b.shell(List.of("/bin/bash", "-c")), "Shell");
  }

  @Test
  void aChangedConfigMemberChangesOnlyThatMember() {
    JsonObject before = CONFIG.toJson();
    assertThat(changed(before, CONFIG.withCreated(null).toJson())).containsExactly("created");
    assertThat(changed(before, CONFIG.toBuilder().author(null).build().toJson()))
        .containsExactly("author");
    assertThat(changed(before, CONFIG.withHistory(List.of()).toJson())).containsExactly("history");
    assertThat(changed(before, CONFIG.toBuilder().diffIds(List.of()).build().toJson()))
        .containsExactly("rootfs");
    assertThat(changed(before, CONFIG.withConfig(FULL.toBuilder().user("x").build()).toJson()))
        .containsExactly("config");
    assertThat(
            changed(
                before,
                CONFIG.toBuilder().platform(Platform.parse("linux/amd64")).build().toJson()))
        .containsExactlyInAnyOrder("architecture", "variant", "os.version", "os.features");
    assertThat(CONFIG.toBuilder().platform(Platform.parse("linux/amd64")).build().platform())
        .isEqualTo(Platform.parse("linux/amd64"));
  }

  @Test
  void buildChecksAsTheConstructorDoes() {
    assertThatThrownBy(() -> ContainerConfig.builder().env(List.of("=x")).build())
        .hasMessageContaining("NAME=value");
  }

  private static void assertChangesOnly(
      UnaryOperator<ContainerConfig.Builder> change, String member) {
    ContainerConfig after = change.apply(FULL.toBuilder()).build();
    assertThat(changed(FULL.toJson(), after.toJson())).as(member).containsExactly(member);
    assertThat(changed(CONFIG.toJson(), CONFIG.withConfig(after).toJson()))
        .as(member)
        .containsExactly("config");
  }

  /** The members that differ between {@code a} and {@code b} (present in one, or unequal). */
  private static Set<String> changed(JsonObject a, JsonObject b) {
    Set<String> names = new HashSet<>(a.members().keySet());
    names.addAll(b.members().keySet());
    Set<String> out = new HashSet<>();
    for (String n : names) {
      JsonValue x = a.members().get(n);
      JsonValue y = b.members().get(n);
      if (x == null || !x.equals(y)) {
        out.add(n);
      }
    }
    return out;
  }
}
