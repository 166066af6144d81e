package dev.slimbuild.core;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.util.List;

/**
 * The package graph of the modules below the CLI, as ArchUnit rules. builder-core's
 * ArchitectureTest checks them against json, layer-compress, signing and builder-core; the CLI's
 * ArchitectureTest checks them again with its own classes (through the test jar), so that the
 * command line cannot reach past the wrappers either.
 */
public final class ArchitectureRules {
  private ArchitectureRules() {}

  /** The main classes of {@code dev.slimbuild} on the class path: no tests, no test jars. */
  public static JavaClasses mainClasses() {
    return new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .withImportOption(location -> !location.contains("-tests.jar"))
        .importPackages("dev.slimbuild");
  }

  /** Parsing and planning are pure: text in, records out. */
  public static final ArchRule FRONT_END_DOES_NO_IO =
      noClasses()
          .that()
          .resideInAnyPackage("dev.slimbuild.core.dockerfile..", "dev.slimbuild.core.plan..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("java.io..", "java.nio.file..", "java.net..")
          .because("parsing and planning read no file and no network: the builder hands them text");

  /** jib's types stay behind the registry client. */
  public static final ArchRule JIB_ONLY_IN_REGISTRY =
      noClasses()
          .that()
          .resideOutsideOfPackage("dev.slimbuild.core.registry..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("com.google.cloud.tools.jib..");

  /** BouncyCastle stays behind the signing module's API. */
  public static final ArchRule BOUNCY_CASTLE_ONLY_IN_SIGNING =
      noClasses()
          .that()
          .resideOutsideOfPackage("dev.slimbuild.signing..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("org.bouncycastle..");

  /** CycloneDX's model and package URLs stay in the SBOM package. */
  public static final ArchRule CYCLONEDX_ONLY_IN_SBOM =
      noClasses()
          .that()
          .resideOutsideOfPackage("dev.slimbuild.core.sbom..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("org.cyclonedx..", "com.github.packageurl..");

  /** The JSON module is at the bottom: it knows nothing of ours. */
  public static final ArchRule JSON_DEPENDS_ON_NOTHING_OF_OURS =
      noClasses()
          .that()
          .resideInAPackage("dev.slimbuild.json..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "dev.slimbuild.core..", "dev.slimbuild.signing..", "dev.slimbuild.compress..");

  /** The layer cache is below the builder, which uses it. */
  public static final ArchRule CACHE_BELOW_BUILDER =
      noClasses()
          .that()
          .resideInAPackage("dev.slimbuild.core.cache..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("dev.slimbuild.core.build..");

  /**
   * Our packages depend on each other one way; every package is its own slice, so a subpackage and
   * its parent count as two (the parser and its shell lexer were a cycle until the lexer took Go's
   * white-space test, which the parser's Text now delegates to). No cycle is frozen.
   */
  public static final ArchRule NO_PACKAGE_CYCLES =
      slices().matching("dev.slimbuild.(**)").should().beFreeOfCycles();

  /** Every rule above. */
  public static final List<ArchRule> ALL =
      List.of(
          FRONT_END_DOES_NO_IO,
          JIB_ONLY_IN_REGISTRY,
          BOUNCY_CASTLE_ONLY_IN_SIGNING,
          CYCLONEDX_ONLY_IN_SBOM,
          JSON_DEPENDS_ON_NOTHING_OF_OURS,
          CACHE_BELOW_BUILDER,
          NO_PACKAGE_CYCLES);
}
