package dev.slimbuild.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * ONBUILD through a registry, as Docker runs it: an image pushed with triggers in its config, and a
 * later build FROM that image that runs them first (and does not pass them on).
 */
class OnbuildIT {
  @RegisterExtension
  static final RegistryExtension registry = RegistryExtension.busybox().tools("bwrap");

  @TempDir Path dir;

  @Test
  void anImagesTriggersRunInTheBuildThatStartsFromIt() throws Exception {
    String host = registry.host();
    Path parent = dir.resolve("parent");
    BuildFixtures.write(
        parent.resolve("Dockerfile"),
        "FROM "
            + registry.base()
            + "\n"
            + "ONBUILD COPY marker.txt /from-trigger/marker.txt\n"
            + "ONBUILD RUN echo ran > /from-trigger/ran\n");
    String image = host + "/onbuild/parent:1";
    BuildFixtures.Run pushed =
        BuildFixtures.run(
            BuildFixtures.isolatedEnv(dir.resolve("a")),
            "build",
            "--insecure-registry",
            host,
            "--progress",
            "plain",
            "-t",
            image,
            "--push",
            parent.toString());
    assertThat(pushed.code()).as(pushed.err()).isZero();

    Path child = dir.resolve("child");
    BuildFixtures.write(
        child.resolve("Dockerfile"),
        "FROM " + image + "\n" + "RUN cat /from-trigger/marker.txt /from-trigger/ran > /seen\n");
    BuildFixtures.write(child.resolve("marker.txt"), "from the child's context\n");
    BuildFixtures.Run r =
        BuildFixtures.run(
            BuildFixtures.isolatedEnv(dir.resolve("b")),
            "build",
            "--insecure-registry",
            host,
            "--progress",
            "plain",
            "-o",
            "type=oci,tar=false,dest=" + dir.resolve("out"),
            child.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.err())
        .contains(
            "ONBUILD COPY marker.txt /from-trigger/marker.txt",
            "ONBUILD RUN echo ran > /from-trigger/ran");
    BuildFixtures.Image img = BuildFixtures.image(dir.resolve("out"));
    Map<String, BuildFixtures.TarFile> last = new HashMap<>();
    for (BuildFixtures.TarFile f : img.layerFiles(img.layers().size() - 1)) {
      last.put(f.name(), f);
    }
    assertThat(last.get("seen").text()).isEqualTo("from the child's context\nran\n");
    // the triggers are consumed: the child's config does not carry them on
    JsonNode onBuild = img.config().get("config").get("OnBuild");
    assertThat(onBuild == null || onBuild.isNull() || onBuild.isEmpty()).isTrue();
    List<String> history = new ArrayList<>();
    img.config().get("history").forEach(h -> history.add(h.get("created_by").asText()));
    assertThat(history).anyMatch(h -> h.contains("echo ran > /from-trigger/ran"));
  }
}
