/** slimbuild's builder: Dockerfile front end, layer engine, images, registries. */
package dev.slimbuild.core;
