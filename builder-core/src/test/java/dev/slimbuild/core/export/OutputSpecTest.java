package dev.slimbuild.core.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slimbuild.core.SlimbuildException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class OutputSpecTest {
  @Test
  void buildxForms() {
    assertThat(OutputSpec.parse("type=oci,dest=out.tar"))
        .isEqualTo(
            new OutputSpec(
                OutputSpec.Type.OCI, Optional.of(Path.of("out.tar")), true, List.of(), false));
    assertThat(OutputSpec.parse("type=oci,dest=dir,tar=false").tar()).isFalse();
    assertThat(OutputSpec.parse("type=docker,dest=-").toStdout()).isTrue();
    assertThat(OutputSpec.parse("out"))
        .isEqualTo(
            new OutputSpec(
                OutputSpec.Type.LOCAL, Optional.of(Path.of("out")), false, List.of(), false));
    OutputSpec stdout = OutputSpec.parse("-");
    assertThat(stdout.type()).isEqualTo(OutputSpec.Type.TAR);
    assertThat(stdout.toStdout()).isTrue();
    OutputSpec registry = OutputSpec.parse("type=registry");
    assertThat(registry.type()).isEqualTo(OutputSpec.Type.IMAGE);
    assertThat(registry.push()).isTrue();
    OutputSpec image = OutputSpec.parse("type=image,\"name=r/a:1,r/b:2\",push=true");
    assertThat(image.names()).containsExactly("r/a:1", "r/b:2");
    assertThat(image.push()).isTrue();
    assertThat(OutputSpec.parse("type=image,name=r/a:1").push()).isFalse();
    assertThat(OutputSpec.parse("type=registry,push=false").push()).isFalse();
    assertThat(OutputSpec.parse("type=image,name=a,oci-mediatypes=true,compression=zstd").names())
        .containsExactly("a");
  }

  @Test
  void errorsNameTheInput() {
    String[][] bad = {
      {"type=zip,dest=x", "unknown type 'zip'"},
      {"dest=x", "type= is required"},
      {"type=oci", "needs dest=FILE"},
      {"type=tar,dest=x,tar=false", "tar= is for type=oci"},
      {"type=registry,dest=x", "not dest= or tar="},
      {"type=oci,dest=x,push=true", "name= and push= are for type=image"},
      {"type=oci,dest=x,push=maybe", "push=maybe"},
      {"type=oci,dest=x,oci-mediatypes=false", "OCI media types only"},
      {"type=image,\"name=a", "unterminated quote"},
      {"type=oci,tar=false,dest=-", "not standard output"},
    };
    for (String[] b : bad) {
      assertThatThrownBy(() -> OutputSpec.parse(b[0]))
          .as(b[0])
          .isInstanceOf(SlimbuildException.class)
          .hasMessageContaining("invalid --output '" + b[0] + "'")
          .hasMessageContaining(b[1]);
    }
  }
}
