package io.jserve.bench.serve;

import java.util.Arrays;

/**
 * Mean, median, standard deviation and percentiles of a sample, the way {@code vllm bench serve} computes them
 * (NumPy's default linear interpolation between closest ranks).
 */
public record Distribution(double mean, double median, double std, double p99, int count) {

    /** The statistics of {@code values}; all zero for an empty sample. */
    public static Distribution of(double[] values) {
        if (values.length == 0) {
            return new Distribution(0, 0, 0, 0, 0);
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        double mean = Arrays.stream(sorted).average().orElse(0);
        double variance = Arrays.stream(sorted).map(v -> (v - mean) * (v - mean)).sum() / sorted.length;
        return new Distribution(mean, percentile(sorted, 50), Math.sqrt(variance), percentile(sorted, 99),
                sorted.length);
    }

    /** NumPy's {@code percentile(values, p)} with linear interpolation, on sorted values. */
    static double percentile(double[] sorted, double p) {
        double rank = p / 100.0 * (sorted.length - 1);
        int low = (int) Math.floor(rank);
        int high = (int) Math.ceil(rank);
        return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
    }
}
