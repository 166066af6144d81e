/** Build events: the core reports progress through these instead of logging. */
package dev.slimbuild.core.event;
