package io.grnstream.notifier;

/** A request that asked to be told when it ends: where, and when it was submitted. */
record Hook(String url, long registeredAtMs) {
}
