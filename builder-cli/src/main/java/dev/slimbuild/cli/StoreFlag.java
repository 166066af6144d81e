package dev.slimbuild.cli;

import dev.slimbuild.core.image.LocalStore;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The hidden {@code --store DIR} option (for tests and scripts) of the commands that use the local
 * store; without it the store is found through the environment ({@link LocalStore#open}).
 */
final class StoreFlag {
  @Option(names = "--store", hidden = true, description = "Local store directory.")
  Path store;

  /** The store {@code --store} names, else the one {@code env} points to. */
  LocalStore open(Map<String, String> env) {
    return store != null ? new LocalStore(store) : LocalStore.open(env);
  }
}
