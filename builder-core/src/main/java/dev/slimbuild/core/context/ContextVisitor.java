package dev.slimbuild.core.context;

import java.io.IOException;

/** Receives the entries of a {@link BuildContext#walk} in order. */
@FunctionalInterface
public interface ContextVisitor {
  void visit(ContextEntry entry) throws IOException;
}
