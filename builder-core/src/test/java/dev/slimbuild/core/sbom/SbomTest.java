package dev.slimbuild.core.sbom;

import static dev.slimbuild.core.sbom.SbomFixtures.DEBIAN_OS_RELEASE;
import static dev.slimbuild.core.sbom.SbomFixtures.ESBUILD_DIR;
import static dev.slimbuild.core.sbom.SbomFixtures.bytes;
import static dev.slimbuild.core.sbom.SbomFixtures.dpkgStanza;
import static dev.slimbuild.core.sbom.SbomFixtures.file;
import static dev.slimbuild.core.sbom.SbomFixtures.input;
import static dev.slimbuild.core.sbom.SbomFixtures.jar;
import static dev.slimbuild.core.sbom.SbomFixtures.pomProperties;
import static dev.slimbuild.core.sbom.SbomFixtures.resource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import dev.slimbuild.core.image.BlobStore;
import dev.slimbuild.core.image.BuiltImage;
import dev.slimbuild.core.image.TestImages;
import dev.slimbuild.core.layer.LayerEntry;
import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.core.oci.Platform;
import dev.slimbuild.json.Json;
import dev.slimbuild.json.JsonArray;
import dev.slimbuild.json.JsonObject;
import dev.slimbuild.json.JsonString;
import dev.slimbuild.json.JsonValue;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generator over images built in memory: each package source, the added files, the documents.
 */
class SbomTest {

  private static Map<String, SbomPackage> byPurl(Sbom s) {
    Map<String, SbomPackage> m = new LinkedHashMap<>();
    for (SbomPackage p : s.packages()) {
      m.put(p.purl(), p);
    }
    return m;
  }

  @Test
  void dpkgStatusIsReadAsTheFinalImageHasIt() throws Exception {
    String base =
        dpkgStanza("base-files", "12.4+deb12u5", "install ok installed", null)
            + "\n"
            + dpkgStanza("curl", "7.88.1-10+deb12u5", "install ok installed", null);
    String after =
        dpkgStanza("base-files", "12.4+deb12u5", "install ok installed", null)
            + "\n"
            + dpkgStanza("libc6", "2.36-9+deb12u4", "install ok installed", "glibc")
            + "\n"
            + dpkgStanza("oldpkg", "1.0", "deinstall ok config-files", null);
    Sbom s =
        Sbom.generate(
            input(
                1,
                List.of(
                    file("var/lib/dpkg/status", base),
                    LayerEntry.symlink("etc/os-release", "../usr/lib/os-release", 0, 0),
                    file("usr/lib/os-release", DEBIAN_OS_RELEASE)),
                List.of(file("var/lib/dpkg/status", after))));

    assertThat(s.packages())
        .extracting(SbomPackage::purl)
        .containsExactly(
            "pkg:deb/debian/base-files@12.4%2Bdeb12u5?arch=amd64&distro=debian-12",
            "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12&upstream=glibc");
    SbomPackage libc = s.packages().get(1);
    assertThat(libc.name()).isEqualTo("libc6");
    assertThat(libc.version()).isEqualTo("2.36-9+deb12u4");
    assertThat(libc.location()).isEqualTo("var/lib/dpkg/status");
    assertThat(libc.layer()).isEqualTo(1);
    assertThat(s.distro()).isEqualTo("debian-12");
  }

  @Test
  void laterLayersReplaceAndDeleteWhatLowerOnesHeld() throws Exception {
    byte[] esbuild = resource(ESBUILD_DIR + "bin/esbuild");
    Sbom s =
        Sbom.generate(
            input(
                1,
                List.of(
                    bytes("usr/local/bin/esbuild", 0755, esbuild),
                    file(
                        "app/node_modules/a/package.json",
                        "{\"name\":\"a\",\"version\":\"1.0.0\"}"),
                    file(
                        "app/node_modules/b/package.json",
                        "{\"name\":\"b\",\"version\":\"1.0.0\"}"),
                    bytes(
                        "opt/lib/app.jar",
                        0644,
                        jar(
                            Map.of(
                                "META-INF/maven/g/a/pom.properties",
                                pomProperties("g", "a", "1")))),
                    bytes("srv/tool", 0755, esbuild)),
                List.of(
                    bytes(
                        "usr/local/bin/esbuild",
                        0755,
                        "#!/bin/sh\necho hi\n".getBytes(StandardCharsets.UTF_8)),
                    LayerEntry.opaque("app/node_modules"),
                    file(
                        "app/node_modules/c/package.json",
                        "{\"name\":\"c\",\"version\":\"2.0.0\"}"),
                    LayerEntry.whiteout("opt/lib"),
                    LayerEntry.dir("srv/tool", 0755, 0, 0))));

    assertThat(s.packages()).extracting(SbomPackage::purl).containsExactly("pkg:npm/c@2.0.0");
    assertThat(s.files())
        .extracting(SbomFile::path)
        .containsExactly("app/node_modules/c/package.json", "usr/local/bin/esbuild");
  }

  @Test
  void distrolessStatusDirectoryHasOneFilePerPackage() throws Exception {
    Sbom s =
        Sbom.generate(
            input(
                1,
                List.of(
                    file(
                        "var/lib/dpkg/status.d/libc6",
                        dpkgStanza("libc6", "2.36-9+deb12u4", null, "glibc (2.36-9+deb12u4)")),
                    file(
                        "var/lib/dpkg/status.d/libc6.md5sums",
                        "abc  lib/x86_64-linux-gnu/libc.so.6\n"),
                    file(
                        "var/lib/dpkg/status.d/tzdata",
                        dpkgStanza("tzdata", "2024a-0+deb12u1", null, null)),
                    file("etc/os-release", DEBIAN_OS_RELEASE))));

    assertThat(s.packages())
        .extracting(SbomPackage::name, SbomPackage::location)
        .containsExactly(
            tuple("libc6", "var/lib/dpkg/status.d/libc6"),
            tuple("tzdata", "var/lib/dpkg/status.d/tzdata"));
    assertThat(s.packages().get(0).purl())
        .isEqualTo(
            "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12"
                + "&upstream=glibc");
  }

  @Test
  void apkDatabaseGivesAlpinePackagesWithLicenses() throws Exception {
    String db =
        "C:Q1abc=\nP:musl\nV:1.2.4-r2\nA:x86_64\nS:383152\nI:622592\nT:the musl c library\n"
            + "U:https://musl.libc.org/\nL:MIT\no:musl\nm:Someone <x@example.org>\n"
            + "F:lib\nR:ld-musl-x86_64.so.1\n\n"
            + "C:Q1def=\nP:libcrypto3\nV:3.1.4-r5\nA:x86_64\nL:Apache-2.0\no:openssl\n\n";
    Sbom s =
        Sbom.generate(
            input(
                1,
                List.of(
                    file("lib/apk/db/installed", db),
                    file(
                        "etc/os-release",
                        "NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.19.1\n"))));

    assertThat(byPurl(s))
        .containsOnlyKeys(
            "pkg:apk/alpine/libcrypto3@3.1.4-r5?arch=x86_64&distro=alpine-3.19.1&upstream=openssl",
            "pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64&distro=alpine-3.19.1");
    assertThat(s.packages()).extracting(SbomPackage::license).containsExactly("Apache-2.0", "MIT");
  }

  @Test
  void npmPackagesFromNodeModulesAndLockFiles() throws Exception {
    String lock =
        "{\"name\":\"app\",\"version\":\"1.0.0\",\"lockfileVersion\":3,\"packages\":{"
            + "\"\":{\"name\":\"app\",\"version\":\"1.0.0\"},"
            + "\"node_modules/express\":{\"version\":\"4.19.2\",\"license\":\"MIT\"},"
            + "\"node_modules/left-pad\":{\"version\":\"1.3.0\",\"license\":\"WTFPL\"},"
            + "\"node_modules/jest\":{\"version\":\"29.7.0\",\"dev\":true},"
            + "\"node_modules/linked\":{\"resolved\":\"../linked\",\"link\":true}}}";
    Sbom s =
        Sbom.generate(
            input(
                0,
                List.of(
                    file("app/package.json", "{\"name\":\"app\",\"version\":\"1.0.0\"}"),
                    file("app/package-lock.json", lock),
                    file(
                        "app/node_modules/express/package.json",
                        "{\"name\":\"express\",\"version\":\"4.19.2\",\"license\":\"MIT\"}"),
                    file(
                        "app/node_modules/express/lib/package.json",
                        "{\"name\":\"not-a-package\"}"),
                    file(
                        "app/node_modules/@types/node/package.json",
                        "{\"name\":\"@types/node\",\"version\":\"20.11.5\",\"license\":{\"type\":\"MIT\"}}"),
                    bytes(
                        "usr/lib/node_modules/" + "@esbuild/linux-x64/package.json",
                        0644,
                        resource(ESBUILD_DIR + "package.json")))));

    assertThat(s.packages())
        .extracting(SbomPackage::purl, SbomPackage::location)
        .containsExactly(
            tuple(
                "pkg:npm/%40esbuild/linux-x64@0.25.10",
                "usr/lib/node_modules/@esbuild/linux-x64/package.json"),
            tuple("pkg:npm/%40types/node@20.11.5", "app/node_modules/@types/node/package.json"),
            tuple("pkg:npm/express@4.19.2", "app/node_modules/express/package.json"),
            tuple("pkg:npm/left-pad@1.3.0", "app/package-lock.json"));
    assertThat(s.packages())
        .extracting(SbomPackage::name)
        .containsExactly("@esbuild/linux-x64", "@types/node", "express", "left-pad");
    assertThat(s.packages())
        .extracting(SbomPackage::license)
        .containsExactly("MIT", "MIT", "MIT", "WTFPL");
  }

  @Test
  void pythonDistributionsFromDistInfoAndEggInfo() throws Exception {
    String metadata =
        "Metadata-Version: 2.1\nName: requests_toolbelt\nVersion: 1.0.0\n"
            + "Summary: A utility belt\nLicense: Apache 2.0\n"
            + "Classifier: License :: OSI Approved :: Apache Software License\n\n"
            + "Name: not-this\nLong description body.\n";
    Sbom s =
        Sbom.generate(
            input(
                0,
                List.of(
                    file(
                        "usr/local/lib/python3.11/site-packages/requests_toolbelt-1.0.0.dist-info/METADATA",
                        metadata),
                    file(
                        "usr/lib/python3/dist-packages/six-1.16.0.egg-info",
                        "Metadata-Version: 2.1\nName: six\nVersion: 1.16.0\nLicense: MIT\n"),
                    file(
                        "usr/local/lib/python3.11/site-packages/attrs-23.2.0.dist-info/METADATA",
                        "Metadata-Version: 2.3\nName: attrs\nVersion: 23.2.0\n"
                            + "License-Expression: MIT\n"))));

    assertThat(s.packages())
        .extracting(SbomPackage::purl, SbomPackage::license)
        .containsExactly(
            tuple("pkg:pypi/attrs@23.2.0", "MIT"),
            tuple("pkg:pypi/requests-toolbelt@1.0.0", "Apache 2.0"),
            tuple("pkg:pypi/six@1.16.0", "MIT"));
  }

  @Test
  void mavenArtifactsFromJarsAndJarsInJars() throws Exception {
    byte[] guava =
        jar(
            Map.of(
                "META-INF/maven/com.google.guava/guava/pom.properties",
                pomProperties("com.google.guava", "guava", "33.0.0-jre")));
    Map<String, Object> boot = new LinkedHashMap<>();
    boot.put("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n");
    boot.put(
        "META-INF/maven/com.example/app/pom.properties",
        pomProperties("com.example", "app", "1.2.3"));
    boot.put("BOOT-INF/lib/guava-33.0.0-jre.jar", guava);
    Sbom s =
        Sbom.generate(
            input(
                0,
                List.of(
                    bytes("app/app.jar", 0644, jar(boot)),
                    bytes("opt/lib/esbuild.jar", 0644, esbuildJar()),
                    bytes("app/broken.jar", 0644, "not a zip".getBytes(StandardCharsets.UTF_8)))));

    assertThat(s.packages())
        .extracting(SbomPackage::purl, SbomPackage::location)
        .containsExactly(
            tuple("pkg:maven/com.example/app@1.2.3", "app/app.jar"),
            tuple(
                "pkg:maven/com.google.guava/guava@33.0.0-jre",
                "app/app.jar!/BOOT-INF/lib/guava-33.0.0-jre.jar"),
            tuple("pkg:maven/org.mvnpm.at.esbuild/linux-x64@0.25.10", "opt/lib/esbuild.jar"));
    assertThat(s.packages().get(1).name()).isEqualTo("com.google.guava:guava");
    assertThat(s.packages().get(1).file()).isEqualTo("app/app.jar");
  }

  /** The mvnpm jar itself, as Maven resolved it for the tests. */
  static byte[] esbuildJar() throws Exception {
    URL url = SbomTest.class.getClassLoader().getResource(ESBUILD_DIR + "package.json");
    String s = url.toString(); // jar:file:/.../linux-x64-0.25.10.jar!/META-INF/...
    String path = s.substring("jar:file:".length(), s.indexOf("!/"));
    return Files.readAllBytes(Path.of(new URI("file:" + path)));
  }

  @Test
  void goProgramListsItsModulesAsGoVersionMPrintsThem() throws Exception {
    // esbuild 0.25.10 as published: `go version -m esbuild` prints
    //   go1.23.12
    //   path github.com/evanw/esbuild/cmd/esbuild
    //   mod  github.com/evanw/esbuild (devel)
    //   dep  golang.org/x/sys v0.0.0-20220715151400-c0bba94af5f8 h1:0A+M6Uqn+...
    byte[] esbuild = resource(ESBUILD_DIR + "bin/esbuild");
    Sbom s =
        Sbom.generate(
            input(
                0,
                List.of(
                    bytes("usr/local/bin/esbuild", 0755, esbuild),
                    bytes("usr/local/bin/esbuild-not-executable", 0644, esbuild))));

    assertThat(s.packages())
        .extracting(SbomPackage::purl)
        .containsExactly(
            "pkg:golang/github.com/evanw/esbuild",
            "pkg:golang/golang.org/x/sys@v0.0.0-20220715151400-c0bba94af5f8",
            "pkg:golang/stdlib@1.23.12");
    assertThat(s.packages())
        .extracting(SbomPackage::name)
        .containsExactly("github.com/evanw/esbuild", "golang.org/x/sys", "stdlib");
    assertThat(s.packages())
        .extracting(SbomPackage::location)
        .containsOnly("usr/local/bin/esbuild");
    assertThat(s.packages().get(0).version()).isNull();
  }

  @Test
  void goBuildInfoMagicAsPlainDataIsNotBuildInfo() throws Exception {
    // the magic at an aligned offset followed by something else (as in a program that links
    // debug/buildinfo), then real build information further on
    byte[] fake = new byte[4096];
    System.arraycopy(new byte[] {0x7f, 'E', 'L', 'F'}, 0, fake, 0, 4);
    System.arraycopy(GoBuildInfo.MAGIC, 0, fake, 1024, GoBuildInfo.MAGIC.length);
    fake[1024 + 14] = 8;
    fake[1024 + 15] = 2;
    fake[1024 + 32] = 4; // "go1." then garbage: not a Go version string followed by module info
    System.arraycopy("xxxx".getBytes(StandardCharsets.UTF_8), 0, fake, 1024 + 33, 4);
    assertThat(GoBuildInfo.read(new ByteArrayInputStream(fake))).isNull();

    byte[] esbuild = resource(ESBUILD_DIR + "bin/esbuild");
    byte[] both = new byte[fake.length + esbuild.length];
    System.arraycopy(fake, 0, both, 0, fake.length);
    System.arraycopy(esbuild, 0, both, fake.length, esbuild.length);
    GoBuildInfo.Info info = GoBuildInfo.read(new ByteArrayInputStream(both));
    assertThat(info.goVersion()).isEqualTo("go1.23.12");
    assertThat(info.path()).isEqualTo("github.com/evanw/esbuild/cmd/esbuild");
    assertThat(info.main())
        .isEqualTo(new GoBuildInfo.Module("github.com/evanw/esbuild", "(devel)"));
    assertThat(info.deps())
        .containsExactly(
            new GoBuildInfo.Module("golang.org/x/sys", "v0.0.0-20220715151400-c0bba94af5f8"));
  }

  @Test
  void goReplacementsReplaceTheModuleAbove() {
    GoBuildInfo.Info info =
        GoBuildInfo.parseModInfo(
            "go1.22.0",
            "path\texample.com/cmd/x\nmod\texample.com\tv1.0.0\th1:a=\n"
                + "dep\tgithub.com/a/b\tv1.2.0\th1:b=\n=>\tgithub.com/fork/b\tv1.2.1\th1:c=\n"
                + "dep\tgithub.com/c/d\tv0.1.0\th1:d=\nbuild\t-compiler=gc\n");
    assertThat(info.deps())
        .containsExactly(
            new GoBuildInfo.Module("github.com/fork/b", "v1.2.1"),
            new GoBuildInfo.Module("github.com/c/d", "v0.1.0"));
  }

  @Test
  void theFilesTheBuildAddedWithChecksums() throws Exception {
    Sbom s =
        Sbom.generate(
            input(
                1,
                List.of(
                    file("etc/base.conf", "base"),
                    file("etc/replaced.conf", "old"),
                    file("etc/deleted.conf", "gone")),
                List.of(
                    file("etc/replaced.conf", "new"),
                    LayerEntry.whiteout("etc/deleted.conf"),
                    file("app/added.txt", "added"),
                    file("app/later.txt", "v1"),
                    LayerEntry.symlink("app/link", "added.txt", 0, 0),
                    LayerEntry.dir("app/empty", 0755, 0, 0)),
                List.of(
                    file("app/later.txt", "v2"),
                    LayerEntry.hardlink("app/hard", "app/later.txt", 0644, 0, 0))));

    assertThat(s.files())
        .extracting(SbomFile::path, SbomFile::sha256, SbomFile::layer)
        .containsExactly(
            tuple("app/added.txt", sha256("added"), 1),
            tuple("app/hard", sha256("v2"), 2),
            tuple("app/later.txt", sha256("v2"), 2),
            tuple("etc/replaced.conf", sha256("new"), 1));
    assertThat(s.files().get(0).sha1())
        .isEqualTo(
            HexFormat.of()
                .formatHex(
                    MessageDigest.getInstance("SHA-1")
                        .digest("added".getBytes(StandardCharsets.UTF_8))));
  }

  private static String sha256(String s) {
    return Digest.sha256Of(s).hex();
  }

  /** One image with every source, the jar added by the build. */
  private static SbomInput everything(long epoch) throws Exception {
    String status =
        dpkgStanza("base-files", "12.4+deb12u5", "install ok installed", null)
            + "\n"
            + dpkgStanza("curl", "7.88.1-10+deb12u5", "install ok installed", null);
    List<LayerEntry> base =
        List.of(
            file("var/lib/dpkg/status", status),
            file("etc/os-release", DEBIAN_OS_RELEASE),
            file(
                "usr/lib/python3/dist-packages/odd-1.0.egg-info",
                "Name: odd\nVersion: 1.0\nLicense: BSD-like, see COPYING\n"),
            file(
                "usr/lib/node_modules/plus/package.json",
                "{\"name\":\"plus\",\"version\":\"1.0.0\",\"license\":\"GPL-2.0+\"}"));
    List<LayerEntry> build =
        List.of(
            file(
                "app/node_modules/express/package.json",
                "{\"name\":\"express\",\"version\":\"4.19.2\",\"license\":\"MIT\"}"),
            file(
                "app/node_modules/dual/package.json",
                "{\"name\":\"dual\",\"version\":\"1.0.0\",\"license\":\"(mit OR apache-2.0)\"}"),
            bytes(
                "app/app.jar",
                0644,
                jar(
                    Map.of(
                        "META-INF/maven/com.example/app/pom.properties",
                        pomProperties("com.example", "app", "1.2.3")))),
            file("app/README", "hello"));
    SbomInput i = input(1, base, build);
    return new SbomInput(i.imageName(), i.platform(), i.layers(), 1, epoch, i.imageDigest());
  }

  @Test
  void spdxDocumentIsValidSpdx23AndDescribesTheImage() throws Exception {
    byte[] json = Sbom.generate(everything(SbomFixtures.EPOCH)).toSpdxJson();
    assertThat(SbomSchemas.spdxProblems(json)).isEmpty();

    JsonObject doc = (JsonObject) Json.parse(json);
    assertThat(str(doc, "spdxVersion")).isEqualTo("SPDX-2.3");
    assertThat(str(doc, "dataLicense")).isEqualTo("CC0-1.0");
    assertThat(str(doc, "SPDXID")).isEqualTo("SPDXRef-DOCUMENT");
    assertThat(str(doc, "name")).isEqualTo("registry.example/team/app:1.0");
    assertThat(str(doc, "documentNamespace"))
        .isEqualTo(
            "https://slimbuild.dev/spdx/registry.example-team-app-1.0-" + SbomFixtures.IMAGE.hex());
    JsonObject creation = (JsonObject) doc.get("creationInfo").orElseThrow();
    assertThat(str(creation, "created")).isEqualTo("2023-11-14T22:13:20Z");

    Map<String, JsonObject> packages = new LinkedHashMap<>();
    for (JsonValue v : arr(doc, "packages")) {
      JsonObject p = (JsonObject) v;
      packages.put(str(p, "name"), p);
    }
    assertThat(packages)
        .containsKeys(
            "registry.example/team/app:1.0",
            "debian",
            "base-files",
            "curl",
            "express",
            "dual",
            "com.example:app",
            "odd");
    JsonObject curl = packages.get("curl");
    assertThat(str(curl, "versionInfo")).isEqualTo("7.88.1-10+deb12u5");
    JsonObject ref = (JsonObject) ((JsonArray) curl.get("externalRefs").orElseThrow()).get(0);
    assertThat(str(ref, "referenceType")).isEqualTo("purl");
    assertThat(str(ref, "referenceLocator"))
        .isEqualTo("pkg:deb/debian/curl@7.88.1-10%2Bdeb12u5?arch=amd64&distro=debian-12");
    assertThat(str(packages.get("express"), "licenseDeclared")).isEqualTo("MIT");
    assertThat(str(packages.get("dual"), "licenseDeclared")).isEqualTo("(MIT OR Apache-2.0)");
    String odd = str(packages.get("odd"), "licenseDeclared");
    assertThat(odd).startsWith("LicenseRef-");
    JsonObject extracted = (JsonObject) arr(doc, "hasExtractedLicensingInfos").get(0);
    assertThat(str(extracted, "licenseId")).isEqualTo(odd);
    assertThat(str(extracted, "extractedText")).isEqualTo("BSD-like, see COPYING");
    JsonObject image = packages.get("registry.example/team/app:1.0");
    JsonObject imageRef = (JsonObject) ((JsonArray) image.get("externalRefs").orElseThrow()).get(0);
    assertThat(str(imageRef, "referenceLocator"))
        .isEqualTo(
            "pkg:oci/app@sha256%3A"
                + SbomFixtures.IMAGE.hex()
                + "?arch=amd64&repository_url=registry.example%2Fteam%2Fapp"
                + "&tag=1.0");

    Map<String, JsonObject> files = new LinkedHashMap<>();
    for (JsonValue v : arr(doc, "files")) {
      files.put(str((JsonObject) v, "fileName"), (JsonObject) v);
    }
    assertThat(files)
        .containsOnlyKeys(
            "/app/README",
            "/app/app.jar",
            "/app/node_modules/dual/package.json",
            "/app/node_modules/express/package.json");
    JsonObject readme = files.get("/app/README");
    List<String> sums = new ArrayList<>();
    for (JsonValue v : arr(readme, "checksums")) {
      sums.add(str((JsonObject) v, "algorithm") + "=" + str((JsonObject) v, "checksumValue"));
    }
    assertThat(sums).contains("SHA256=" + sha256("hello"));

    List<String> rels = new ArrayList<>();
    for (JsonValue v : arr(doc, "relationships")) {
      JsonObject r = (JsonObject) v;
      rels.add(
          str(r, "spdxElementId")
              + " "
              + str(r, "relationshipType")
              + " "
              + str(r, "relatedSpdxElement"));
    }
    String jarId = str(packages.get("com.example:app"), "SPDXID");
    String jarFile = str(files.get("/app/app.jar"), "SPDXID");
    assertThat(rels)
        .contains(
            "SPDXRef-DOCUMENT DESCRIBES SPDXRef-Image",
            "SPDXRef-Image CONTAINS " + str(curl, "SPDXID"),
            "SPDXRef-Image CONTAINS " + str(readme, "SPDXID"),
            jarId + " OTHER " + jarFile);
    assertThat(rels.stream().filter(r -> r.contains(" OTHER ")).collect(Collectors.toList()))
        .hasSize(3); // the jar and the two package.json files; the dpkg database is the base's
  }

  @Test
  void sameInputSameBytesAndTheEpochIsTheCreationTime() throws Exception {
    Sbom a = Sbom.generate(everything(SbomFixtures.EPOCH));
    Sbom b = Sbom.generate(everything(SbomFixtures.EPOCH));
    assertThat(a.toSpdxJson()).isEqualTo(b.toSpdxJson());
    assertThat(a.toCycloneDxJson()).isEqualTo(b.toCycloneDxJson());
    Sbom later = Sbom.generate(everything(SbomFixtures.EPOCH + 86400));
    JsonObject doc = (JsonObject) Json.parse(later.toSpdxJson());
    assertThat(str((JsonObject) doc.get("creationInfo").orElseThrow(), "created"))
        .isEqualTo("2023-11-15T22:13:20Z");
  }

  @Test
  void cycloneDxDocumentIsValidCycloneDx16() throws Exception {
    byte[] json = Sbom.generate(everything(SbomFixtures.EPOCH)).toCycloneDxJson();
    assertThat(SbomSchemas.cycloneDxProblems(json)).isEmpty();

    JsonObject doc = (JsonObject) Json.parse(json);
    assertThat(str(doc, "bomFormat")).isEqualTo("CycloneDX");
    assertThat(str(doc, "specVersion")).isEqualTo("1.6");
    JsonObject metadata = (JsonObject) doc.get("metadata").orElseThrow();
    assertThat(str(metadata, "timestamp")).isEqualTo("2023-11-14T22:13:20Z");
    Map<String, JsonObject> components = new LinkedHashMap<>();
    for (JsonValue v : arr(doc, "components")) {
      components.put(str((JsonObject) v, "name"), (JsonObject) v);
    }
    JsonObject curl = components.get("curl");
    assertThat(str(curl, "type")).isEqualTo("library");
    assertThat(str(curl, "purl"))
        .isEqualTo("pkg:deb/debian/curl@7.88.1-10%2Bdeb12u5?arch=amd64&distro=debian-12");
    assertThat(str(components.get("/app/README"), "type")).isEqualTo("file");
    assertThat(str(components.get("debian"), "type")).isEqualTo("operating-system");
    assertThat(str((JsonObject) arr(components.get("plus"), "licenses").get(0), "expression"))
        .isEqualTo("GPL-2.0+");
    JsonObject mit = (JsonObject) arr(components.get("express"), "licenses").get(0);
    assertThat(str((JsonObject) mit.get("license").orElseThrow(), "id")).isEqualTo("MIT");
  }

  @Test
  void forImageReadsTheLayersFromTheStore(@TempDir Path dir) throws Exception {
    BlobStore store = new BlobStore(dir);
    BuiltImage image =
        TestImages.image(
            store,
            Platform.parse("linux/arm64"),
            Map.of(
                "var/lib/dpkg/status",
                dpkgStanza("hello", "2.10-3", "install ok installed", null)
                    .replace("amd64", "arm64"),
                "etc/os-release",
                DEBIAN_OS_RELEASE));
    Sbom s = Sbom.forImage(store, image, 0, SbomFixtures.EPOCH, "");

    assertThat(s.packages())
        .extracting(SbomPackage::purl)
        .containsExactly("pkg:deb/debian/hello@2.10-3?arch=arm64&distro=debian-12");
    assertThat(s.files())
        .extracting(SbomFile::path)
        .containsExactly("etc/os-release", "var/lib/dpkg/status");
    assertThat(s.input().imageDigest()).isEqualTo(image.descriptor().digest());
    JsonObject doc = (JsonObject) Json.parse(s.toSpdxJson());
    assertThat(str(doc, "name")).isEqualTo(image.descriptor().digest().toString());
    assertThat(SbomSchemas.spdxProblems(s.toSpdxJson())).isEmpty();
    assertThat(SbomSchemas.cycloneDxProblems(s.toCycloneDxJson())).isEmpty();
  }

  private static String str(JsonObject o, String key) {
    return ((JsonString) o.get(key).orElseThrow(() -> new AssertionError("no " + key))).value();
  }

  private static List<JsonValue> arr(JsonObject o, String key) {
    return ((JsonArray) o.get(key).orElseThrow(() -> new AssertionError("no " + key))).values();
  }
}
