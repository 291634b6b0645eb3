package io.mxtls;

/**
 * A warning found while loading: {@code kind} is the library's stable name ({@code
 * "legacy_algorithm"}, {@code "no_mac"}, {@code "expiring"}, ...), the message has no secret.
 */
public record Warning(String kind, String message) {}
