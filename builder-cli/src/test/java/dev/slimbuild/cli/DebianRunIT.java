package dev.slimbuild.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slimbuild.cli.BuildFixtures.TarFile;
import dev.slimbuild.core.image.BusyboxBase;
import dev.slimbuild.core.image.DebianBase;
import dev.slimbuild.core.registry.RegistryServer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code apt-get install} for real: a Debian 12 base made by debootstrap and slimbuild's own layer
 * writer (cached per machine), pushed to a real registry, and a RUN that installs a package from
 * Debian's archive.
 */
class DebianRunIT {
  private static RegistryServer registry;
  private static String host;

  @TempDir Path dir;

  @BeforeAll
  static void startRegistryWithBase() throws Exception {
    BuildToolsIT.tools();
    BusyboxBase.requireTool("debootstrap", "debootstrap");
    registry = TestRegistry.start(r -> DebianBase.push(r, "base/debian", "12"));
    host = registry.host();
  }

  @AfterAll
  static void stop() throws Exception {
    if (registry != null) {
      registry.close();
    }
  }

  @Test
  void aptGetInstallsAPackageThatEndsUpInTheLayer() throws Exception {
    Path ctx = dir.resolve("ctx");
    BuildFixtures.write(ctx.resolve("Dockerfile"),
        "FROM " + host + "/base/debian:12\n"
            + "RUN apt-get update && apt-get install -y --no-install-recommends hello\n"
            + "RUN hello > /greeting\n");
    BuildFixtures.Run r = BuildFixtures.run(BuildFixtures.isolatedEnv(dir), "build",
        "--insecure-registry", host, "--progress", "plain", "-o", "type=oci,tar=false,dest=" + dir.resolve("out"), ctx.toString());
    assertThat(r.code()).as(r.err()).isZero();
    BuildFixtures.Image image = BuildFixtures.image(dir.resolve("out"));
    assertThat(image.layers().size()).isEqualTo(3);
    Map<String, TarFile> install = new HashMap<>();
    for (TarFile f : image.layerFiles(1)) {
      install.put(f.name(), f);
    }
    assertThat(install.get("usr/bin/hello").type()).isEqualTo('f');
    assertThat(install.get("usr/bin/hello").mode()).isEqualTo(0755);
    assertThat(install).containsKey("var/lib/dpkg/info/hello.list");
    assertThat(image.layerFiles(2)).extracting(TarFile::name).containsExactly("greeting");
    assertThat(image.layerFiles(2).get(0).text()).isEqualTo("Hello, world!\n");
  }
}
