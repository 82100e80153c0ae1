package io.jserve.cuda;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jcuda.driver.CUdeviceptr;

/**
 * The parameter lists of the kernels, read from their PTX ({@code .entry NAME( .param .u64 ..., .param .f32 ...,
 * .param .align 4 .b8 ...[1024] )}), and the check of every launch's Java arguments against them: a pointer or a
 * {@code long} for {@code .u64}, an {@code Integer} for {@code .u32}/{@code .s32}, a {@code Float} for
 * {@code .f32}, an {@code int[]} of exactly the bytes of a {@code .b8} array (a struct passed by value). The
 * context checks each kernel's first launch (each kernel is launched from one place, with arguments of fixed kinds),
 * so a wrong argument list fails there with the kernel's name instead of running on garbage, at no cost per step.
 */
final class KernelSignatures {
    /** One kernel parameter: its PTX type and size in bytes. */
    record Param(String type, int bytes) {
    }

    private static final Pattern ENTRY = Pattern.compile("\\.entry\\s+(\\w+)\\s*\\(([^)]*)\\)");
    private static final Pattern PARAM =
            Pattern.compile("\\.param\\s+(?:\\.align\\s+\\d+\\s+)?\\.(\\w+)(?:\\s+\\.ptr(?:\\s+\\.\\w+)*?(?:\\s+\\.align\\s+\\d+)?)?\\s+\\w+(?:\\[(\\d+)])?");

    private final Map<String, List<Param>> kernels;

    private KernelSignatures(Map<String, List<Param>> kernels) {
        this.kernels = kernels;
    }

    /** The signatures of every kernel of the packaged modules. */
    static KernelSignatures load() {
        Map<String, List<Param>> all = new HashMap<>();
        for (String module : KernelModules.NAMES) {
            byte[] ptx = KernelModules.load(module);
            all.putAll(parse(new String(ptx, 0, ptx.length - 1, StandardCharsets.US_ASCII)));
        }
        return new KernelSignatures(all);
    }

    /** The parameter lists of the entries of one PTX text, by kernel name. */
    static Map<String, List<Param>> parse(String ptx) {
        Map<String, List<Param>> out = new HashMap<>();
        Matcher entry = ENTRY.matcher(ptx);
        while (entry.find()) {
            List<Param> params = new ArrayList<>();
            Matcher p = PARAM.matcher(entry.group(2));
            while (p.find()) {
                String type = p.group(1);
                int width = switch (type) {
                    case "u64", "s64", "b64", "f64" -> 8;
                    case "u32", "s32", "b32", "f32" -> 4;
                    case "u16", "s16", "b16", "f16" -> 2;
                    case "u8", "s8", "b8" -> 1;
                    default -> throw new IllegalStateException("PTX parameter type ." + type + " of " + entry.group(1));
                };
                params.add(new Param(type, p.group(2) != null ? width * Integer.parseInt(p.group(2)) : width));
            }
            out.put(entry.group(1), List.copyOf(params));
        }
        return out;
    }

    /** Test use: signatures from given entries. */
    static KernelSignatures of(Map<String, List<Param>> kernels) {
        return new KernelSignatures(Map.copyOf(kernels));
    }

    /** Fails unless {@code args} fit kernel {@code name}'s parameters one by one. */
    void check(String name, Object[] args) {
        List<Param> params = kernels.get(name);
        if (params == null) {
            throw new IllegalArgumentException("no CUDA kernel named " + name);
        }
        if (params.size() != args.length) {
            throw new IllegalArgumentException("kernel %s takes %d arguments, given %d"
                    .formatted(name, params.size(), args.length));
        }
        for (int i = 0; i < args.length; i++) {
            Param p = params.get(i);
            Object a = args[i];
            boolean fits = switch (a) {
                case CUdeviceptr ignored -> p.bytes() == 8 && !p.type().startsWith("f");
                case Long ignored -> p.bytes() == 8 && !p.type().startsWith("f");
                case Integer ignored -> p.bytes() == 4 && !p.type().startsWith("f") && !p.type().equals("b8");
                case Float ignored -> p.type().equals("f32");
                case int[] v -> p.type().equals("b8") && p.bytes() == 4 * v.length;
                default -> false;
            };
            if (!fits) {
                throw new IllegalArgumentException("kernel %s argument %d: %s given for a .%s parameter of %d bytes"
                        .formatted(name, i, describe(a), p.type(), p.bytes()));
            }
        }
    }

    private static String describe(Object a) {
        return a instanceof int[] v ? "int[" + v.length + "]" : a.getClass().getSimpleName();
    }
}
