package io.jserve.kernels;

/**
 * A device's memory as its driver reports it, for sizing the KV pool by a fraction of the device.
 *
 * @param freeBytes  bytes not yet allocated
 * @param totalBytes bytes on the device
 */
public record DeviceMemory(long freeBytes, long totalBytes) {
    public DeviceMemory {
        if (freeBytes < 0 || totalBytes <= 0 || freeBytes > totalBytes) {
            throw new IllegalArgumentException("bad device memory: %d free of %d".formatted(freeBytes, totalBytes));
        }
    }
}
