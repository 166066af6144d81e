/**
 * The build context: the directory a build reads COPY/ADD sources from, filtered by {@code
 * .dockerignore} rules with Docker's pattern semantics. Paths here are always relative to the
 * context root, separated by {@code /}; nothing outside the root is ever read.
 */
package dev.slimbuild.core.context;
