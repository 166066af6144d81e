package dev.slimbuild.core.optimize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slimbuild.core.SlimbuildException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Each default rule: what it strips and what it leaves (home /root unless the case says). */
class StripRulesTest {
  private static Optional<String> rule(String path, String home, boolean run) {
    return StripRules.of(List.of(), List.of()).matcher(home, run).match(path).map(StripRule::name);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      nullValues = "-",
      value = {
        "var/cache/apk/APKINDEX.tar.gz, apk",
        "var/cache/apk, -",
        "var/lib/apt/lists/deb_dists_bookworm_InRelease, apt",
        "var/lib/apt/lists/partial, apt",
        "var/lib/apt/lists/partial/x, apt",
        "var/lib/apt/lists, -",
        "var/cache/apt/pkgcache.bin, apt",
        "var/cache/apt/archives/curl_8.0_amd64.deb, apt",
        "var/cache/apt/archives/lock, -",
        "var/lib/apt/extended_states, -",
        "var/cache/debconf/config.dat-old, debconf",
        "var/cache/debconf/config.dat, -",
        "root/.cache/pip, pip",
        "root/.cache/pip/http/a/b, pip",
        "root/.cache, -",
        "root/.npm/_cacache/index-v5/aa, npm",
        "root/.npm/_logs/x.log, -",
        "root/.cache/yarn/v6/pkg, yarn",
        "usr/local/share/.cache/yarn/v6/pkg, yarn",
        "root/.cache/go-build/ab/cd-d, go-build",
        "usr/lib/python3/dist-packages/x/__pycache__/m.cpython-311.pyc, pycache",
        "__pycache__, pycache",
        "app/__pycache__, pycache",
        "app/__pycache__x/m.pyc, -",
        "app/node_modules/.cache/babel/x, node-modules-cache",
        "app/node_modules/pkg/node_modules/.cache, node-modules-cache",
        "app/node_modules/.bin/x, -",
        "tmp/build.log, -",
        "usr/bin/apk, -",
      })
  void defaultRulesOnCopyLayers(String path, String rule) {
    assertThat(rule(path, "/root", false)).isEqualTo(Optional.ofNullable(rule));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      nullValues = "-",
      value = {
        "tmp/build.log, tmp",
        "tmp/dir/x, tmp",
        "tmp, -",
        "var/tmp/x, tmp",
        "var/cache/apk/x, apk",
      })
  void tmpRulesOnlyInRunLayers(String path, String rule) {
    assertThat(rule(path, "/root", true)).isEqualTo(Optional.ofNullable(rule));
  }

  @Test
  void homeRulesFollowTheUser() {
    assertThat(rule("home/app/.cache/pip/x", "/home/app", false)).contains("pip");
    assertThat(rule("root/.cache/pip/x", "/home/app", false)).isEmpty();
    assertThat(rule("home/app/.cache/pip/x", null, false)).isEmpty();
    assertThat(rule("home/app/.cache/pip/x", "/home/app/", false)).contains("pip");
  }

  @Test
  void keepByNameOrPatternAndExtraStrip() {
    StripRules r =
        StripRules.of(List.of("pip", "/var/lib/apt/lists/keep*"), List.of("/opt/app/docs"));
    StripRules.Matcher m = r.matcher("/root", false);
    assertThat(m.match("root/.cache/pip/x")).isEmpty();
    assertThat(m.match("var/lib/apt/lists/keep-me")).isEmpty();
    assertThat(m.match("var/lib/apt/lists/other").map(StripRule::name)).contains("apt");
    assertThat(m.match("opt/app/docs/readme").map(StripRule::name)).contains("/opt/app/docs");
    assertThat(r.rules()).extracting(StripRule::name).doesNotContain("pip");
    assertThat(StripRules.none().matcher("/root", true).match("tmp/x")).isEmpty();
  }

  @Test
  void badKeepAndStripAreUserErrors() {
    assertThatThrownBy(() -> StripRules.of(List.of("pipp"), List.of()))
        .isInstanceOf(SlimbuildException.class)
        .hasMessageContaining("pip, npm");
    assertThatThrownBy(() -> StripRules.of(List.of(), List.of("relative/x")))
        .isInstanceOf(SlimbuildException.class);
  }

  @Test
  void homesComeFromPasswd() {
    String passwd = "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n";
    assertThat(Homes.of(passwd, null)).isEqualTo("/root");
    assertThat(Homes.of(passwd, "app")).isEqualTo("/home/app");
    assertThat(Homes.of(passwd, "1000:1000")).isEqualTo("/home/app");
    assertThat(Homes.of(passwd, "4242")).isNull();
    assertThat(Homes.of(null, "0")).isEqualTo("/root");
    assertThat(Homes.of(null, "app")).isNull();
  }

  @Test
  void sizesAndLints() {
    assertThat(Sizes.parse("50MB")).isEqualTo(50_000_000L);
    assertThat(Sizes.parse("50mb")).isEqualTo(50_000_000L);
    assertThat(Sizes.parse("1.5GiB")).isEqualTo(3L << 29);
    assertThat(Sizes.parse("48MiB")).isEqualTo(48L << 20);
    assertThat(Sizes.parse("1024")).isEqualTo(1024L);
    assertThat(Sizes.parse("2kB")).isEqualTo(2000L);
    assertThatThrownBy(() -> Sizes.parse("50XB")).isInstanceOf(SlimbuildException.class);
    assertThatThrownBy(() -> Sizes.parse("MB")).isInstanceOf(SlimbuildException.class);
    assertThat(Sizes.format(1_234_000)).isEqualTo("1.23MB");

    assertThat(ImageLints.mutableBase("alpine")).isPresent();
    assertThat(ImageLints.mutableBase("alpine:latest")).isPresent();
    assertThat(ImageLints.mutableBase("localhost:5000/alpine")).isPresent();
    assertThat(ImageLints.mutableBase("localhost:5000/alpine:3.19")).isEmpty();
    assertThat(ImageLints.mutableBase("alpine@sha256:" + "a".repeat(64))).isEmpty();
    assertThat(ImageLints.runsAsRoot(null)).isPresent();
    assertThat(ImageLints.runsAsRoot("0:0")).isPresent();
    assertThat(ImageLints.runsAsRoot("root")).isPresent();
    assertThat(ImageLints.runsAsRoot("app")).isEmpty();
    assertThat(ImageLints.runsAsRoot("1000:1000")).isEmpty();
    assertThat(ImageLints.addWhereCopyWouldDo(List.of("app.py", "conf/"))).isPresent();
    assertThat(ImageLints.addWhereCopyWouldDo(List.of("rootfs.tar.gz"))).isEmpty();
    assertThat(ImageLints.addWhereCopyWouldDo(List.of("http://127.0.0.1:1/x"))).isEmpty();
  }
}
