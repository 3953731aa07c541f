/**
 * Refiner workers: consume GenerationRequests as a consumer group, run GRN global refinement with entropy-guided steps, publish LatentVideos in one short transaction per job.
 */
package io.grnstream.refiner;
