package io.jserve.engine;

import io.jserve.engine.model.ModelConfig;
import io.jserve.kernels.DeviceMemory;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KvPoolSizingTest {
    // 2 layers, 2 KV heads of 8: a block of 16 tokens holds 2 * 2 * 16 * 16 * 4 = 4096 bytes of K and V
    private static final ModelConfig MODEL = new ModelConfig("llama", 32, 2, 64, 4, 2, 8, 8, 10000f, false, 1e-5f,
            1024, 100);
    private static final EngineConfig DEFAULTS = EngineConfig.defaults(Path.of("m.gguf"));

    @Test
    void explicitBlocksAndBytesAreTakenAsGiven() {
        assertEquals(77, KvPoolSizing.shape(DEFAULTS.withNumKvBlocks(77), MODEL, 1024, Optional.empty(), 4).numBlocks());
        EngineConfig bytes = new EngineConfig(Path.of("m.gguf"), "auto", 256, 2048, 16, 0, 4096 * 10 + 5, 0, 1024,
                true, null, 0.9);
        assertEquals(10, KvPoolSizing.shape(bytes, MODEL, 1024, Optional.empty(), 4).numBlocks());
    }

    @Test
    void theHostDefaultLetsEverySlotReachTheFullContext() {
        // 256 slots * 64 blocks of 16 = 16384 blocks, 64 MiB: under the 2 GiB cap
        assertEquals(256 * 64, KvPoolSizing.shape(DEFAULTS, MODEL, 1024, Optional.empty(), 4).numBlocks());
    }

    @Test
    void aDeviceGetsItsMemoryFractionLessActivations() {
        DeviceMemory memory = new DeviceMemory(60L << 30, 80L << 30);
        long budget = (60L << 30) - (long) ((80L << 30) * (1 - 0.9)) - KvPoolSizing.activationBytes(DEFAULTS, MODEL);
        int blocks = KvPoolSizing.shape(DEFAULTS, MODEL, 1024, Optional.of(memory), 4).numBlocks();
        assertEquals(budget / 4096, blocks);
        assertTrue(blocks > 1_000_000);
    }

    @Test
    void halfPrecisionValuesFitTwiceTheBlocks() {
        assertEquals(20, KvPoolSizing.shape(new EngineConfig(Path.of("m.gguf"), "auto", 256, 2048, 16, 0, 4096 * 10,
                0, 1024, true, null, 0.9), MODEL, 1024, Optional.empty(), 2).numBlocks());
    }

    @Test
    void aDeviceTooFullForOneSequenceIsRefusedClearly() {
        DeviceMemory memory = new DeviceMemory(1L << 20, 80L << 30);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KvPoolSizing.shape(DEFAULTS, MODEL, 1024, Optional.of(memory), 4));
        assertTrue(e.getMessage().contains("gpu-memory-utilization"), e.getMessage());
    }
}
