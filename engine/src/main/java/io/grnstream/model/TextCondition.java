package io.grnstream.model;

/**
 * One prompt's conditioning for the refiner: per-layer text keys and values
 * ({@code [layers, heads, L, headDim]} flattened) and the token mask ({@code [L]}), computed once
 * per request and reused at every step.
 */
public record TextCondition(float[] keys, float[] values, long[] mask, long[] shape) {

    /** Elements of keys (or values) for one prompt. */
    public int size() {
        return keys.length;
    }
}
