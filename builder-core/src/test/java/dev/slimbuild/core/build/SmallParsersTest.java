package dev.slimbuild.core.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slimbuild.core.SlimbuildException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SmallParsersTest {
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "80|80/tcp",
        "53/udp|53/udp",
        "8000-8002|8000/tcp,8001/tcp,8002/tcp",
        "127.0.0.1:8080:80/tcp|80/tcp",
        "9/SCTP|9/sctp"
      })
  void portsExpand(String spec, String expected) {
    assertThat(String.join(",", Ports.parse(spec))).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource({"abc", "80/xyz", "70000", "90-80"})
  void badPortsAreRejectedNamingTheSpec(String spec) {
    assertThatThrownBy(() -> Ports.parse(spec))
        .isInstanceOf(SlimbuildException.class)
        .hasMessageContaining(spec.contains("/xyz") ? "xyz" : spec.split("-")[0]);
  }

  private static final String PASSWD =
      "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1001:App:/home/app:/bin/sh\n";
  private static final String GROUP = "root:x:0:\nstaff:x:50:app\napp:x:1001:\n";

  @Test
  void chownResolution() {
    UserDb db = new UserDb(PASSWD, GROUP);
    assertThat(db.resolve("app")).isEqualTo(new UserDb.Owner(1000, 1001));
    assertThat(db.resolve("app:staff")).isEqualTo(new UserDb.Owner(1000, 50));
    assertThat(db.resolve("42")).isEqualTo(new UserDb.Owner(42, 42));
    assertThat(db.resolve("42:7")).isEqualTo(new UserDb.Owner(42, 7));
    assertThat(db.resolve("0:staff")).isEqualTo(new UserDb.Owner(0, 50));
  }

  @Test
  void unknownNamesAreClearErrors() {
    UserDb db = new UserDb(PASSWD, GROUP);
    assertThatThrownBy(() -> db.resolve("nobody"))
        .isInstanceOf(SlimbuildException.class)
        .hasMessageContaining("no user 'nobody'");
    assertThatThrownBy(() -> db.resolve("app:wheel")).hasMessageContaining("no group 'wheel'");
    assertThatThrownBy(() -> new UserDb(null, null).resolve("app"))
        .hasMessageContaining("the image has no /etc/passwd");
  }

  @Test
  void rootIsZeroAlsoWhereTheImageDoesNotListIt() {
    // USER root then WORKDIR in an image without /etc/passwd (issue 19): BuildKit takes 0:0
    assertThat(new UserDb(null, null).resolve("root")).isEqualTo(new UserDb.Owner(0, 0));
    assertThat(new UserDb(null, null).resolve("root:root")).isEqualTo(new UserDb.Owner(0, 0));
    assertThat(new UserDb("app:x:1000:1001::/home/app:/bin/sh\n", "").resolve("app:root"))
        .isEqualTo(new UserDb.Owner(1000, 0));
    // an image that says otherwise wins
    assertThat(new UserDb("root:x:7:8::/root:/bin/sh\n", "root:x:9:\n").resolve("root:root"))
        .isEqualTo(new UserDb.Owner(7, 9));
  }
}
