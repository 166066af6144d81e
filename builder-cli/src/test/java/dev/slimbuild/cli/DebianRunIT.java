package dev.slimbuild.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slimbuild.cli.BuildFixtures.TarFile;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code apt-get install} for real: a Debian 12 base made by debootstrap and slimbuild's own layer
 * writer (cached per machine), pushed to a real registry, and a RUN that installs a package from
 * Debian's archive.
 */
class DebianRunIT {
  @RegisterExtension static final RegistryExtension registry = RegistryExtension.debian();

  @TempDir Path dir;

  @Test
  void aptGetInstallsAPackageThatEndsUpInTheLayer() throws Exception {
    Path ctx = dir.resolve("ctx");
    BuildFixtures.write(
        ctx.resolve("Dockerfile"),
        "FROM "
            + registry.host()
            + "/base/debian:12\n"
            + "RUN apt-get update && apt-get install -y --no-install-recommends hello\n"
            + "RUN hello > /greeting\n");
    BuildFixtures.Run r =
        BuildFixtures.run(
            BuildFixtures.isolatedEnv(dir),
            "build",
            "--insecure-registry",
            registry.host(),
            "--progress",
            "plain",
            "-o",
            "type=oci,tar=false,dest=" + dir.resolve("out"),
            ctx.toString());
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
