package dev.slimbuild.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import org.junit.jupiter.api.Test;

/**
 * The package graph with the CLI on top: builder-core's rules (inherited) hold for the CLI's
 * classes too, and nothing reaches up into the CLI.
 */
class ArchitectureTest extends dev.slimbuild.core.ArchitectureTest {

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
