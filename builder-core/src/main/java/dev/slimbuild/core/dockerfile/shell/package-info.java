/**
 * Shell-word expansion for Dockerfile instructions: quotes, escapes and {@code $VAR} / {@code
 * ${VAR...}} substitution with the same results as BuildKit's Dockerfile frontend. Pure: strings
 * in, strings out, no I/O.
 */
package dev.slimbuild.core.dockerfile.shell;
