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

    RunMountSpec bind =
        RunMountSpec.parse("from=build,src=/out,dst=/mnt", UnaryOperator.identity());
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
  void secretAndSshMountsAsBuildKitReadsThem() {
    RunMountSpec secret = RunMountSpec.parse("type=secret,id=tok", UnaryOperator.identity());
    assertThat(secret.id()).isEqualTo("tok");
    assertThat(secret.target()).isEqualTo("/run/secrets/tok");
    assertThat(secret.mode()).isEqualTo(0400);
    assertThat(secret.readOnly()).isTrue();
    assertThat(secret.required()).isFalse();
    assertThat(secret.env()).isEmpty();
    // the source names the secret; without an id, the target's base name does
    assertThat(RunMountSpec.parse("type=secret,id=a,source=b", UnaryOperator.identity()).id())
        .isEqualTo("b");
    RunMountSpec byTarget =
        RunMountSpec.parse(
            "type=secret,target=/root/.npmrc,required," + "uid=1000,gid=1000,mode=0440",
            UnaryOperator.identity());
    assertThat(byTarget.id()).isEqualTo(".npmrc");
    assertThat(byTarget.target()).isEqualTo("/root/.npmrc");
    assertThat(byTarget.required()).isTrue();
    assertThat(List.of(byTarget.uid(), byTarget.gid(), byTarget.mode()))
        .containsExactly(1000, 1000, 0440);
    // env= alone: the variable only; with a target, both
    RunMountSpec env = RunMountSpec.parse("type=secret,id=t,env=TOKEN", UnaryOperator.identity());
    assertThat(env.env()).contains("TOKEN");
    assertThat(env.target()).isNull();
    assertThat(
            RunMountSpec.parse("type=secret,id=t,env=T,target=/t", UnaryOperator.identity())
                .target())
        .isEqualTo("/t");
    assertThat(
            RunMountSpec.parse("type=secret,id=t,required=false", UnaryOperator.identity())
                .required())
        .isFalse();
    assertThatThrownBy(() -> RunMountSpec.parse("type=secret", UnaryOperator.identity()))
        .isInstanceOf(SlimbuildException.class)
        .hasMessage("RUN --mount=type=secret: a secret needs an id or a target");

    // ssh: id default, 0600, the N-th ssh mount's target /run/buildkit/ssh_agent.N
    List<RunMountSpec> ssh =
        RunMountSpec.withSshTargets(
            List.of(
                RunMountSpec.parse("type=ssh", UnaryOperator.identity()),
                RunMountSpec.parse("type=cache,target=/c", UnaryOperator.identity()),
                RunMountSpec.parse(
                    "type=ssh,id=deploy,target=/s,mode=0666", UnaryOperator.identity()),
                RunMountSpec.parse("type=ssh,id=other,required", UnaryOperator.identity())));
    assertThat(ssh)
        .extracting(RunMountSpec::target)
        .containsExactly("/run/buildkit/ssh_agent.0", "/c", "/s", "/run/buildkit/ssh_agent.2");
    assertThat(ssh)
        .extracting(RunMountSpec::id)
        .containsExactly("default", null, "deploy", "other");
    assertThat(ssh).extracting(RunMountSpec::mode).containsExactly(0600, 0755, 0666, 0600);
    assertThat(ssh.get(3).required()).isTrue();
    assertThatThrownBy(() -> RunMountSpec.parse("type=ssh,source=x", UnaryOperator.identity()))
        .hasMessage("RUN --mount=type=ssh,source=x: an ssh mount takes no source");
  }

  @Test
  void usersResolveThroughPasswdAndGroup() {
    // supplementary groups: those listing the user, unless a group is given (runc)
    assertThat(RunUser.resolve(null, PASSWD, GROUP))
        .isEqualTo(new RunUser(0, 0, "/root", List.of(10)));
    assertThat(RunUser.resolve("app", PASSWD, GROUP))
        .isEqualTo(new RunUser(1000, 1001, "/home/app", List.of(10, 999)));
    assertThat(RunUser.resolve("app:staff", PASSWD, GROUP))
        .isEqualTo(new RunUser(1000, 50, "/home/app"));
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
