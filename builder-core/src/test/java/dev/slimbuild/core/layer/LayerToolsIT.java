package dev.slimbuild.core.layer;

import static dev.slimbuild.core.layer.Layers.EPOCH;
import static org.assertj.core.api.Assertions.assertThat;

import dev.slimbuild.compress.Compression;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checks our layers with the real tar, zstd, gzip and sha256sum (scripts/install-test-deps.sh). */
class LayerToolsIT {
  @TempDir Path tmp;

  private static String sh(String script) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder("bash", "-o", "pipefail", "-c", script)
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(script + "\n" + out).isZero();
    return out;
  }

  private Layer write(Compression c, Path blob) throws IOException {
    try (OutputStream out = Files.newOutputStream(blob)) {
      return LayerWriter.write(Layers.sample(), c, c.defaultLevel(), EPOCH, out);
    }
  }

  @Test
  void zstdLayerListsExactlyWithGnuTar() throws Exception {
    Path blob = tmp.resolve("layer.tar.zst");
    Layer d = write(Compression.ZSTD, blob);
    sh("zstd -t -q " + blob);
    String listing =
        sh("zstd -dc " + blob + " | TZ=UTC tar --numeric-owner --full-time -tvf - | tr -s ' '");
    assertThat(listing.lines())
        .containsExactly(
            "lrwxrwxrwx 0/0 0 2023-11-14 22:13:20 bin -> usr/bin",
            "drwxr-xr-x 0/0 0 2023-11-14 22:13:20 etc/",
            "-rw-r--r-- 0/0 26 2023-11-14 22:13:20 etc/passwd",
            "drwxr-xr-x 0/0 0 2023-11-14 22:13:20 home/",
            "drwx------ 1000/1000 0 2023-11-14 22:13:20 home/user/",
            "drwxr-xr-x 0/0 0 2023-11-14 22:13:20 opt/",
            "---------- 0/0 0 2023-11-14 22:13:20 opt/.wh..wh..opq",
            "drwxr-xr-x 0/0 0 2023-11-14 22:13:20 srv/",
            "-rw-r----- 2000/3000000 3 2023-11-14 22:13:20 srv/data",
            "drwxrwxrwt 0/0 0 2023-11-14 22:13:20 tmp/",
            "drwxr-xr-x 0/0 0 2023-11-14 22:13:20 usr/",
            "drwxr-xr-x 0/0 0 2023-11-14 22:13:20 usr/bin/",
            "-rwsr-xr-x 0/0 18 2023-11-14 22:13:20 usr/bin/app",
            "hrwsr-xr-x 0/0 0 2023-11-14 22:13:20 usr/bin/app-link link to usr/bin/app",
            "drwxr-xr-x 0/0 0 2023-11-14 22:13:20 usr/lib/",
            "-rw-r--r-- 0/0 4 2023-11-14 22:13:20 usr/lib/" + "long-name-".repeat(12) + "end",
            "drwxr-xr-x 0/0 0 2023-11-14 22:13:20 var/",
            "drwxr-xr-x 0/0 0 2023-11-14 22:13:20 var/cache/",
            "---------- 0/0 0 2023-11-14 22:13:20 var/cache/.wh.gone");
    assertThat(sh("zstd -dc " + blob + " | sha256sum").substring(0, 64))
        .isEqualTo(d.diffId().hex());
    assertThat(sh("sha256sum < " + blob).substring(0, 64)).isEqualTo(d.descriptor().digest().hex());
  }

  @Test
  void gzipLayerIsValidAndExtractsWithXattrs() throws Exception {
    Path blob = tmp.resolve("layer.tar.gz");
    Layer d = write(Compression.GZIP, blob);
    sh("gzip -t " + blob);
    assertThat(sh("gzip -dc " + blob + " | sha256sum").substring(0, 64))
        .isEqualTo(d.diffId().hex());
    Path root = Files.createDirectories(tmp.resolve("root"));
    sh("tar -xzf " + blob + " -C " + root + " --numeric-owner");
    assertThat(Files.readString(root.resolve("srv/data"))).isEqualTo("abc");
    assertThat(Files.isSymbolicLink(root.resolve("bin"))).isTrue();
    assertThat(Files.readString(root.resolve("usr/bin/app-link")))
        .isEqualTo(Files.readString(root.resolve("usr/bin/app")));
  }

  @Test
  void tarCreatedByGnuTarReadsBack() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("src/d"));
    Files.writeString(src.resolve("f"), "gnu");
    Path blob = tmp.resolve("gnu.tar.zst");
    sh("tar -C " + tmp.resolve("src") + " -cf - . | zstd -q -o " + blob);
    try (LayerReader r = new LayerReader(Files.newInputStream(blob))) {
      List<String> seen = new ArrayList<>();
      for (LayerEntry e = r.next(); e != null; e = r.next()) {
        seen.add(e.type() + " " + e.path());
      }
      assertThat(seen).containsExactly("DIRECTORY d", "FILE d/f");
    }
  }
}
