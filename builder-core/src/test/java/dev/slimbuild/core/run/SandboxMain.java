package dev.slimbuild.core.run;

import dev.slimbuild.core.SlimbuildException;
import dev.slimbuild.core.oci.Platform;
import java.nio.file.Path;
import java.util.List;

/**
 * Selects a sandbox and runs a script in a rootfs, printing what happened; the ITs start it as an
 * unprivileged user. Arguments: mode, rootfs, platform, uid, gid, script.
 */
public final class SandboxMain {
  private SandboxMain() {}

  public static void main(String[] args) throws Exception {
    try {
      SandboxSelector.Selection s =
          SandboxSelector.select(SandboxMode.parse(args[0], "mode"), Platform.parse(args[2]));
      System.out.println("sandbox: " + s.sandbox().name());
      System.out.println("why: " + s.why());
      for (String skipped : s.skipped()) {
        System.out.println("skipped: " + skipped);
      }
      RunSpec spec =
          RunSpec.of(Path.of(args[1]), List.of("sh", "-c", args[5]), Platform.parse(args[2]))
              .withEnv(SandboxContract.ENV)
              .withUser(Integer.parseInt(args[3]), Integer.parseInt(args[4]));
      RunResult r = s.sandbox().run(spec, (stream, line) -> System.out.println("out: " + line));
      System.out.println("exit: " + r.exitCode());
    } catch (SlimbuildException e) {
      System.out.println("error: " + e.getMessage());
      System.exit(2);
    }
  }
}
