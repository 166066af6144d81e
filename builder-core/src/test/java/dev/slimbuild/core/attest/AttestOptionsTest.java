package dev.slimbuild.core.attest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slimbuild.core.SlimbuildException;
import java.util.List;
import org.junit.jupiter.api.Test;

class AttestOptionsTest {
  private static AttestOptions parse(List<String> sbom, List<String> prov, List<String> attest) {
    return AttestOptions.parse(sbom, prov, attest);
  }

  @Test
  void buildxForms() {
    assertThat(parse(List.of(), List.of(), List.of())).isEqualTo(AttestOptions.DEFAULT);
    assertThat(AttestOptions.DEFAULT.forLayouts().any()).isFalse();
    assertThat(parse(List.of("false"), List.of("false"), List.of()).any()).isFalse();
    AttestOptions max = parse(List.of("generator=cyclonedx"), List.of("mode=max"), List.of());
    assertThat(max.cyclonedx()).isTrue();
    assertThat(max.provenanceMax()).isTrue();
    assertThat(max.forLayouts().provenance()).isTrue(); // asked for: layouts carry it
    assertThat(max.forLayouts().sbom()).isTrue(); // --sbom=generator=... asks for one
    assertThat(parse(List.of(), List.of("false"), List.of()).forLayouts().any()).isFalse();
    // build-push-action's line
    AttestOptions action =
        parse(
            List.of(),
            List.of(),
            List.of(
                "type=provenance,mode=min,"
                    + "inline-only=true,builder-id=https://example.test/runs/1"));
    assertThat(action.provenance()).isTrue();
    assertThat(action.provenanceMax()).isFalse();
    assertThat(parse(List.of(), List.of(), List.of("type=sbom,disabled=true")).sbom()).isFalse();
  }

  @Test
  void errorsNameTheFlagAndValue() {
    assertThatThrownBy(() -> parse(List.of("maybe"), List.of(), List.of()))
        .isInstanceOf(SlimbuildException.class)
        .hasMessageContaining("invalid --sbom 'maybe'");
    assertThatThrownBy(() -> parse(List.of(), List.of("mode=most"), List.of()))
        .hasMessageContaining("invalid --provenance 'mode=most'")
        .hasMessageContaining("min or max");
    assertThatThrownBy(() -> parse(List.of(), List.of(), List.of("type=vex")))
        .hasMessageContaining("invalid --attest 'type=vex'");
    assertThatThrownBy(() -> parse(List.of("generator=syft"), List.of(), List.of()))
        .hasMessageContaining("spdx or cyclonedx");
  }
}
