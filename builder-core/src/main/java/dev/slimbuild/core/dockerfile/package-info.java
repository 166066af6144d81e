/**
 * The Dockerfile front end, pure text in and records out (no file or network access).
 *
 * <p>Three layers that do not know each other's insides, as in BuildKit's front end:
 *
 * <ol>
 *   <li>{@link dev.slimbuild.core.dockerfile.RawDockerfile}: the syntax tree of {@link
 *       dev.slimbuild.core.dockerfile.Node}s (directives, continuations, comments, flags, JSON vs
 *       shell form, heredocs), printable in BuildKit's S-expression format;
 *   <li>{@link dev.slimbuild.core.dockerfile.Instruction}: one record per instruction, flags
 *       validated, arguments still raw (unexpanded);
 *   <li>{@link dev.slimbuild.core.dockerfile.Dockerfile}: directives, global ARGs and {@link
 *       dev.slimbuild.core.dockerfile.Stage}s, with the cross-instruction checks.
 * </ol>
 *
 * Entry point: {@link dev.slimbuild.core.dockerfile.DockerfileParser#parse(String, String)}. Every
 * user error is a {@link dev.slimbuild.core.dockerfile.DockerfileException} rendered {@code
 * NAME:LINE: message}.
 */
package dev.slimbuild.core.dockerfile;
