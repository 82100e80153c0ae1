package io.jserve.api.cli.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses byte counts as operators write them: {@code 1073741824}, {@code 512M}, {@code 4GiB}, {@code 1.5G}. K, M, G
 * and T are binary multiples (1024-based) with or without {@code i}/{@code B}, as in vLLM's and Kubernetes' usage.
 */
public final class ByteSize {
    private static final Pattern FORMAT = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmgt]?)(?:i?b)?");

    private ByteSize() {
    }

    /** @throws IllegalArgumentException naming the value when it is not a byte count */
    public static long parse(String text) {
        Matcher m = FORMAT.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a byte count (e.g. 1073741824, 512M, 4GiB)");
        }
        int shift = switch (m.group(2)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            case "t" -> 40;
            default -> 0;
        };
        double value = Double.parseDouble(m.group(1)) * Math.pow(2, shift);
        if (value >= Long.MAX_VALUE) {
            throw new IllegalArgumentException("'" + text + "' is too large");
        }
        return (long) value;
    }
}
