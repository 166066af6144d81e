package dev.slimbuild.core.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slimbuild.core.SlimbuildException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --secret} and {@code --ssh} as buildx reads them, and how a secret reaches a file. */
class SecretFlagsTest {
  @TempDir Path dir;

  @Test
  void secretsFromFilesAndTheEnvironmentAsBuildxNamesThem() throws Exception {
    Path file = dir.resolve("npmrc");
    Files.writeString(file, "from the file");
    Map<String, String> env = Map.of("TOKEN", "from the env", "npmrc", "shadowed");
    BuildSecrets s =
        BuildSecrets.parse(
            List.of(
                "id=a,src=" + file,
                "id=b,env=TOKEN",
                "type=env,id=c,src=TOKEN",
                "src=" + file,
                "env=TOKEN",
                "id=TOKEN",
                "id=" + file,
                "type=file,id=d,source=" + file),
            env);
    assertThat(s.ids()).containsExactly("a", "b", "c", "npmrc", "TOKEN", file.toString(), "d");
    assertThat(s.text("a")).isEqualTo("from the file");
    assertThat(s.text("b")).isEqualTo("from the env");
    assertThat(s.text("c")).isEqualTo("from the env"); // type=env: src names the variable
    assertThat(s.text("npmrc")).isEqualTo("from the file"); // the id: the file's base name
    assertThat(s.text("TOKEN")).isEqualTo("from the env"); // the id alone: the variable...
    assertThat(s.text(file.toString())).isEqualTo("from the file"); // ...else the file
    assertThat(s.text("d")).isEqualTo("from the file");
    // a later flag for an id replaces the earlier one
    assertThat(BuildSecrets.parse(List.of("id=a,env=TOKEN", "id=a,src=" + file), env).text("a"))
        .isEqualTo("from the file");
    // never a value in what may be printed
    assertThat(s.toString()).doesNotContain("from the").contains("TOKEN");
    assertThat(BuildSecrets.none().has("a")).isFalse();
  }

  @Test
  void aSecretIsWrittenToAFileOnlyItsOwnerCouldReadBeforeItsModeIsSet() throws Exception {
    Path file = dir.resolve("token");
    Files.writeString(file, "value");
    BuildSecrets s = BuildSecrets.parse(List.of("id=t,src=" + file), Map.of());
    Path out = dir.resolve("out");
    s.write("t", out, 0440, false, 0, 0);
    assertThat(Files.readString(out)).isEqualTo("value");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(out)))
        .isEqualTo("r--r-----");
    // read when used: the file as it is then
    Files.writeString(file, "changed");
    assertThat(s.text("t")).isEqualTo("changed");
  }

  @Test
  void badSecretFlagsNameThemselves() throws Exception {
    Path big = dir.resolve("big");
    Files.write(big, new byte[(int) BuildSecrets.MAX_SIZE + 1]);
    Map<String, String> cases =
        Map.of(
            "id=a,src=" + dir.resolve("none"),
            dir.resolve("none") + " does not exist",
            "id=a,src=" + dir,
            dir + " is not a regular file",
            "id=a,src=" + big,
            big + " is over 500 KiB",
            "id=a,env=UNSET",
            "the environment variable UNSET is not set",
            "id=a,mode=0400",
            "unexpected key 'mode' (expected type, id, src or env)",
            "type=secret,id=a",
            "unsupported type 'secret' (expected file or env)",
            "type=env",
            "no id",
            "id",
            "'id' is not KEY=VALUE");
    for (Map.Entry<String, String> c : cases.entrySet()) {
      assertThatThrownBy(() -> BuildSecrets.parse(List.of(c.getKey()), Map.of()))
          .isInstanceOf(SlimbuildException.class)
          .hasMessage("invalid --secret '" + c.getKey() + "': " + c.getValue());
    }
  }

  @Test
  void sshSourcesAreASocketOrKeyFiles() throws Exception {
    Path sock = dir.resolve("agent.sock");
    Path key1 = dir.resolve("id_ed25519");
    Path key2 = dir.resolve("id_rsa");
    Files.writeString(key1, "k1");
    Files.writeString(key2, "k2");
    try (ServerSocketChannel agent = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      agent.bind(UnixDomainSocketAddress.of(sock));
      SshSources s =
          SshSources.parse(
              List.of("default", "deploy=" + key1 + "," + key2, "other=" + sock, "bare"),
              Map.of("SSH_AUTH_SOCK", sock.toString()));
      assertThat(s.ids()).containsExactly("default", "deploy", "other", "bare");
      assertThat(s.get("default").orElseThrow())
          .isEqualTo(new SshSources.Source("default", Optional.of(sock), List.of()));
      assertThat(s.get("deploy").orElseThrow())
          .isEqualTo(new SshSources.Source("deploy", Optional.empty(), List.of(key1, key2)));
      assertThat(s.get("other").orElseThrow().socket()).contains(sock);
      assertThat(s.get("bare").orElseThrow().socket()).contains(sock); // no path: SSH_AUTH_SOCK
      assertThat(s.get("absent")).isEmpty();

      Map<String, String> cases =
          Map.of(
              "default",
              "SSH_AUTH_SOCK is not set (start an ssh-agent, or give default=SOCKET or"
                  + " default=KEYFILE)",
              "k=" + dir.resolve("none"),
              dir.resolve("none") + " does not exist",
              "k=" + key1 + "," + sock,
              sock + " is a socket: give one agent socket or key files",
              "k=" + dir,
              dir + " is neither an agent's socket nor a key file",
              "k=",
              "an empty path",
              "=x",
              "expected default or ID[=SOCKET|KEY[,KEY...]]");
      for (Map.Entry<String, String> c : cases.entrySet()) {
        assertThatThrownBy(() -> SshSources.parse(List.of(c.getKey()), Map.of()))
            .isInstanceOf(SlimbuildException.class)
            .hasMessage("invalid --ssh '" + c.getKey() + "': " + c.getValue());
      }
      assertThatThrownBy(() -> SshSources.parse(List.of("k=" + key1, "k=" + key2), Map.of()))
          .hasMessage("invalid --ssh 'k=" + key2 + "': a second source for id k");
    }
  }
}
