package dev.slimbuild.core.sbom;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Declared licenses that are SPDX expressions, in the list's spelling, and those that are not. */
class LicensesTest {
  @Test
  void listedIdentifiersAndExpressionsAreKeptInTheListsSpelling() {
    assertThat(Licenses.expression("mit")).isEqualTo("MIT");
    assertThat(Licenses.expression("(mit or apache-2.0)")).isEqualTo("(MIT OR Apache-2.0)");
    assertThat(Licenses.expression("GPL-2.0-or-later WITH Classpath-exception-2.0"))
        .isEqualTo("GPL-2.0-or-later WITH Classpath-exception-2.0");
    assertThat(Licenses.expression("GPL-2.0+")).isEqualTo("GPL-2.0+");
    assertThat(Licenses.expression("LicenseRef-mine AND ISC")).isEqualTo("LicenseRef-mine AND ISC");
  }

  @Test
  void textsThatAreNoExpressionAreNotTakenForOne() {
    assertThat(Licenses.expression("MIT License")).isNull();
    assertThat(Licenses.expression("BSD")).isNull();
    assertThat(Licenses.expression("SEE LICENSE IN LICENSE.md")).isNull();
    assertThat(Licenses.expression("(MIT")).isNull();
    assertThat(Licenses.expression("MIT OR")).isNull();
    assertThat(Licenses.expression("")).isNull();
  }
}
