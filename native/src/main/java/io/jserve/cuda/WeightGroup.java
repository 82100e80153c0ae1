package io.jserve.cuda;

import java.util.List;

/**
 * Weights stored as one device matrix ({@code whole}: their rows one after another) so that a product with all of
 * them is one launch; each part is a {@link DeviceWeight} over its rows of the same memory, usable alone.
 */
record WeightGroup(DeviceWeight whole, List<DeviceWeight> parts) {
    WeightGroup {
        parts = List.copyOf(parts);
        long rows = 0;
        for (DeviceWeight p : parts) {
            rows += p.rows();
        }
        if (rows != whole.rows() || parts.size() < 2 || parts.size() > 3) {
            throw new IllegalArgumentException("a group of %d parts with %d rows in all for a whole of %d rows"
                    .formatted(parts.size(), rows, whole.rows()));
        }
    }

    /** Whether {@code ws} are exactly the parts, in order (the same objects). */
    boolean isExactly(List<? extends io.jserve.kernels.Weight> ws) {
        if (ws.size() != parts.size()) {
            return false;
        }
        for (int i = 0; i < ws.size(); i++) {
            if (ws.get(i) != parts.get(i)) {
                return false;
            }
        }
        return true;
    }
}
