package dev.slimbuild.cli;

import static dev.slimbuild.cli.BuildFixtures.assertInputError;
import static dev.slimbuild.cli.BuildFixtures.quietOci;
import static org.assertj.core.api.Assertions.assertThat;

import dev.slimbuild.cli.BuildFixtures.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Symlinks that lead out of the build context: a context Dockerfile and {@code COPY d/*} are
 * refused with the path named, and no host file's content is printed.
 */
class ContextSymlinkTest {
  @TempDir Path dir;

  private Path ctx() throws Exception {
    return Files.createDirectories(dir.resolve("ctx"));
  }

  @Test
  void aContextDockerfileThatIsASymlinkToAHostFileIsRefusedUnread() throws Exception {
    Path ctx = ctx();
    Path host = Files.writeString(dir.resolve("host-secret.txt"), "TOPSECRET line one\n");
    Files.createSymbolicLink(ctx.resolve("Dockerfile"), host);
    Run r = quietOci(dir, ctx);
    assertInputError(r);
    assertThat(r.err())
        .contains("Dockerfile")
        .contains(host.toRealPath().toString())
        .contains("outside the build context")
        .doesNotContain("TOPSECRET");
  }

  @Test
  void aContextDockerfileThatIsASymlinkInsideTheContextIsFollowed() throws Exception {
    Path ctx = ctx();
    Files.writeString(ctx.resolve("real.Dockerfile"), "FROM scratch\nLABEL ok=yes\n");
    Files.createSymbolicLink(ctx.resolve("Dockerfile"), Path.of("real.Dockerfile"));
    Run r = quietOci(dir, ctx);
    assertThat(r.code()).as(r.err()).isZero();
  }

  @Test
  void copyWithAWildcardBelowASymlinkToADirectoryOutsideIsRefused() throws Exception {
    Path ctx = ctx();
    Path outside = Files.createDirectories(dir.resolve("outside"));
    Files.writeString(outside.resolve("x"), "host file\n");
    Files.createSymbolicLink(ctx.resolve("d"), outside);
    Files.createSymbolicLink(ctx.resolve("r"), Path.of("../outside"));
    for (String source : new String[] {"d/*", "r/*", "d/x"}) {
      Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nCOPY " + source + " /dst/\n");
      Run r = quietOci(dir, ctx);
      assertInputError(r);
      assertThat(r.err())
          .as(source)
          .contains("Dockerfile:2: ")
          .contains("\"" + source + "\"")
          .contains("points outside the build context");
    }
    // a wildcard that matches nothing inside the context is still no error, as in BuildKit
    Files.createDirectories(ctx.resolve("empty"));
    Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nCOPY empty/* /dst/\n");
    assertThat(quietOci(dir, ctx).code()).isZero();
  }
}
