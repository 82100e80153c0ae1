package io.jserve.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The PTX modules built from {@code src/main/cuda/*.cu} by {@code scripts/build-ptx.sh} and packaged under
 * {@code /cuda/} on the class path. They are absent when the project was built on a machine without {@code nvcc}.
 */
final class KernelModules {
    /** One PTX module per {@code .cu} file. */
    static final List<String> NAMES = List.of("elementwise", "matmul", "attention", "repack", "sampling", "kquant");

    private static final Pattern PTX_VERSION = Pattern.compile("(?m)^\\.version (\\d+)\\.(\\d+)");

    private KernelModules() {
    }

    static String resource(String module) {
        return "/cuda/" + module + ".ptx";
    }

    /** The first module missing from the class path, if any. */
    static Optional<String> firstMissing() {
        return NAMES.stream().filter(n -> KernelModules.class.getResource(resource(n)) == null).findFirst();
    }

    /** A module's PTX text, zero-terminated as {@code cuModuleLoadData} wants it. */
    static byte[] load(String module) {
        try (InputStream in = KernelModules.class.getResourceAsStream(resource(module))) {
            if (in == null) {
                throw new IllegalStateException("missing CUDA kernel module " + resource(module));
            }
            byte[] text = in.readAllBytes();
            byte[] z = new byte[text.length + 1];
            System.arraycopy(text, 0, z, 0, text.length);
            return z;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The PTX header of a module (its first 4 KiB, which hold the .version line). */
    static String header(String module) {
        byte[] ptx = load(module);
        return new String(ptx, 0, Math.min(ptx.length, 4096), StandardCharsets.US_ASCII);
    }

    /**
     * The CUDA driver version (as {@code cuDriverGetVersion} reports it, e.g. 13000) a PTX ISA version needs:
     * ISA 9.x came with CUDA 13.x and ISA 8.x with CUDA 12.x.
     */
    static int requiredDriverVersion(String ptxText) {
        Matcher m = PTX_VERSION.matcher(ptxText);
        if (!m.find()) {
            throw new IllegalStateException("no .version line in the PTX");
        }
        int major = Integer.parseInt(m.group(1));
        int minor = Integer.parseInt(m.group(2));
        return (major + 4) * 1000 + minor * 10;
    }
}
