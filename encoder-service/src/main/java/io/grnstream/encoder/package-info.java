/**
 * The HBQ codec stage: dequantize LatentVideo bits and run the bundle's VAE decoder, publishing FrameChunks as each latent frame is decoded.
 */
package io.grnstream.encoder;
