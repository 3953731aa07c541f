/**
 * Client library and the grn command: submit a GenerationRequest, follow its RequestEvents, fetch the VideoReady, cancel and replay.
 */
package io.grnstream.producer;
