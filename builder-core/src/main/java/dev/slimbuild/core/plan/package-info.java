/**
 * From a parsed Dockerfile to what to build for one target platform: global ARGs resolved, base
 * names expanded, stage dependencies, and only the stages the target needs.
 */
package dev.slimbuild.core.plan;
