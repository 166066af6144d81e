package dev.slimbuild.core.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slimbuild.core.SlimbuildException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** The pure parts of RUN: mount flags, user resolution, BuildKit's history text. */
class RunPartsTest {
  private static final String PASSWD =
      "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1001:app:/home/app:/bin/sh\n"
          + "nohome:x:1002:1002::/:/bin/sh\n";
  private static final String GROUP =
      "root:x:0:\nstaff:x:50:\napp:x:1001:\nwheel:x:10:root,app\ndocker:x:999:app\n";

  @Test
  void mountFlagsAsBuildKitReadsThem() {
    RunMountSpec cache =
        RunMountSpec.parse(
            "type=cache,target=/root/.cache,id=go,sharing=locked,uid=1000,gid=1000,mode=0700",
            UnaryOperator.identity());
    assertThat(cache.type()).isEqualTo(RunMountSpec.Type.CACHE);
    assertThat(cache.target()).isEqualTo("/root/.cache");
    assertThat(cache.id()).isEqualTo("go");
    assertThat(cache.sharing()).isEqualTo(RunMountSpec.Sharing.LOCKED);
    assertThat(cache.uid()).isEqualTo(1000);
    assertThat(cache.mode()).isEqualTo(0700);
    assertThat(cache.readOnly()).isFalse();

    RunMountSpec bind = RunMountSpec.parse("from=build,src=/out,dst=/mnt", UnaryOperator.identity());
    assertThat(bind.type()).isEqualTo(RunMountSpec.Type.BIND);
    assertThat(bind.readOnly()).isTrue();
    assertThat(bind.from()).contains("build");
    assertThat(bind.source()).isEqualTo("/out");
    assertThat(RunMountSpec.parse("type=bind,target=/m,rw", UnaryOperator.identity()).readOnly())
        .isFalse();
    assertThat(RunMountSpec.parse("type=cache,target=/m,ro", UnaryOperator.identity()).readOnly())
        .isTrue();
    // values are expanded, quotes removed
    assertThat(RunMountSpec.parse("\"target=$D,x\"", s -> s.replace("$D", "/d")).target())
        .isEqualTo("/d,x");

    assertThatThrownBy(() -> RunMountSpec.parse("type=secret,id=x", UnaryOperator.identity()))
        .isInstanceOf(SlimbuildException.class).hasMessageContaining("not supported yet");
    assertThatThrownBy(() -> RunMountSpec.parse("type=cache", UnaryOperator.identity()))
        .hasMessageContaining("target is required");
    assertThatThrownBy(() -> RunMountSpec.parse("type=volume,target=/x", UnaryOperator.identity()))
        .hasMessageContaining("unsupported mount type");
    assertThatThrownBy(() -> RunMountSpec.parse("target=/x,bogus=1", UnaryOperator.identity()))
        .hasMessageContaining("unexpected key 'bogus'");
    // BuildKit's testMountInvalid: a near miss gets "did you mean"
    assertThatThrownBy(() -> RunMountSpec.parse("typ=tmpfs", UnaryOperator.identity()))
        .hasMessage("unexpected key 'typ' in 'typ=tmpfs' (did you mean type?)");
    assertThatThrownBy(() -> RunMountSpec.parse("type=tmp", UnaryOperator.identity()))
        .hasMessage("unsupported mount type \"tmp\" (did you mean tmpfs?)");
  }

  @Test
  void usersResolveThroughPasswdAndGroup() {
    // supplementary groups: those listing the user, unless a group is given (runc)
    assertThat(RunUser.resolve(null, PASSWD, GROUP))
        .isEqualTo(new RunUser(0, 0, "/root", List.of(10)));
    assertThat(RunUser.resolve("app", PASSWD, GROUP))
        .isEqualTo(new RunUser(1000, 1001, "/home/app", List.of(10, 999)));
    assertThat(RunUser.resolve("app:staff", PASSWD, GROUP)).isEqualTo(new RunUser(1000, 50, "/home/app"));
    assertThat(RunUser.resolve("1000", PASSWD, GROUP))
        .isEqualTo(new RunUser(1000, 1001, "/home/app", List.of(10, 999)));
    assertThat(RunUser.resolve("4242", PASSWD, GROUP)).isEqualTo(new RunUser(4242, 0, "/"));
    assertThat(RunUser.resolve("4242:7", null, null)).isEqualTo(new RunUser(4242, 7, "/"));
    assertThat(RunUser.resolve("0", null, null)).isEqualTo(new RunUser(0, 0, "/root"));
    assertThat(RunUser.resolve("root", null, null)).isEqualTo(RunUser.ROOT);
    assertThatThrownBy(() -> RunUser.resolve("ghost", PASSWD, GROUP))
        .hasMessageContaining("unable to find user ghost");
    assertThatThrownBy(() -> RunUser.resolve("app:ghosts", PASSWD, GROUP))
        .hasMessageContaining("unable to find group ghosts");
  }

  @Test
  void historyTextHasBuildKitsArgPrefix() {
    Map<String, String> vars = new LinkedHashMap<>();
    vars.put("A", "1");
    vars.put("B", "from env");
    List<String> argv = List.of("/bin/sh", "-c", "make all");
    assertThat(RunStep.commandString(argv, List.of(), vars)).isEqualTo("/bin/sh -c make all");
    assertThat(RunStep.commandString(argv, List.of("A", "B", "C"), vars))
        .isEqualTo("|3 A=1 B=from env C= /bin/sh -c make all");
  }
}
