/** The build executor: runs a plan's stages instruction by instruction into layers and configs. */
package dev.slimbuild.core.build;
