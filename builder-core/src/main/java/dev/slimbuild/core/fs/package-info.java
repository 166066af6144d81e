/** File-system helpers shared by the builder's packages. */
package dev.slimbuild.core.fs;
