package io.mxtls;

/**
 * A runtime event: {@code kind} is the library's name ("loaded", "reloaded", "reload_failed",
 * "unchanged", "expiring", "expired", "warning"), the message has no secret.
 */
public record Event(String kind, String message) {}
