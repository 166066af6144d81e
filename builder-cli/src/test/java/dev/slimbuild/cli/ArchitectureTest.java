package dev.slimbuild.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.lang.ArchRule;
import dev.slimbuild.core.ArchitectureRules;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The package graph with the CLI on top: builder-core's rules (ArchitectureRules) hold for the
 * CLI's classes too, and nothing reaches up into the CLI.
 */
class ArchitectureTest {
  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes = ArchitectureRules.mainClasses();
  }

  static Stream<ArchRule> coreRules() {
    return ArchitectureRules.ALL.stream();
  }

  @ParameterizedTest
  @MethodSource("coreRules")
  void coreRuleHolds(ArchRule rule) {
    rule.check(classes);
  }

  @Test
  void nothingReachesIntoTheCli() {
    // builder-core cannot compile against the CLI (Maven's module order); this also covers
    // anything added to the CLI module outside its package.
    noClasses()
        .that()
        .resideOutsideOfPackage("dev.slimbuild.cli..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.slimbuild.cli..")
        .check(classes);
  }
}
