/**
 * Makes the layers a build creates small: cache stripping by named rules, files the lower layers
 * already hold left out, bytes a later layer of the same stage deletes or overwrites never written,
 * optional hardlinks and squashing; and the size report, budget and lints that show the result.
 * Pure functions over {@link dev.slimbuild.core.layer.LayerEntry} lists: nothing here writes a
 * layer.
 */
package dev.slimbuild.core.optimize;
