package io.jserve.tokenizer;

import com.hubspot.jinjava.interpret.InvalidInputException;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;

import java.time.Clock;
import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.util.Locale;

/**
 * The globals Hugging Face gives chat templates: {@code raise_exception(msg)} and
 * {@code strftime_now(format)}. Jinjava calls static methods, so the render in progress on this
 * thread keeps its clock and the raised message in thread-locals ({@link #begin}, {@link #end}).
 */
final class TemplateFunctions {
    private static final ThreadLocal<Clock> CLOCK = new ThreadLocal<>();
    private static final ThreadLocal<String> RAISED = new ThreadLocal<>();

    private TemplateFunctions() {
    }

    static void begin(Clock clock) {
        CLOCK.set(clock);
        RAISED.remove();
    }

    /** Ends the render on this thread; returns the message the template raised, or null. */
    static String end() {
        String raised = RAISED.get();
        CLOCK.remove();
        RAISED.remove();
        return raised;
    }

    /** Called by templates; aborts the render (the error strategy makes it fatal). */
    public static String raiseException(String message) {
        if (RAISED.get() == null) {
            RAISED.set(message);
        }
        throw new InvalidInputException(JinjavaInterpreter.getCurrent(), "raise_exception", message);
    }

    public static String strftimeNow(String format) {
        Clock clock = CLOCK.get() != null ? CLOCK.get() : Clock.systemDefaultZone();
        return strftime(format, ZonedDateTime.now(clock));
    }

    /** Python's {@code strftime} for the common directives (English names, as the C locale). */
    static String strftime(String format, ZonedDateTime t) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%' || i + 1 >= format.length()) {
                out.append(c);
                continue;
            }
            char d = format.charAt(++i);
            boolean pad = true;
            if (d == '-' && i + 1 < format.length()) {     // glibc: %-d = no padding
                pad = false;
                d = format.charAt(++i);
            }
            switch (d) {
                case 'd' -> out.append(two(t.getDayOfMonth(), pad));
                case 'e' -> out.append(String.format("%2d", t.getDayOfMonth()));
                case 'm' -> out.append(two(t.getMonthValue(), pad));
                case 'Y' -> out.append(t.getYear());
                case 'y' -> out.append(two(t.getYear() % 100, pad));
                case 'H' -> out.append(two(t.getHour(), pad));
                case 'I' -> out.append(two((t.getHour() + 11) % 12 + 1, pad));
                case 'M' -> out.append(two(t.getMinute(), pad));
                case 'S' -> out.append(two(t.getSecond(), pad));
                case 'p' -> out.append(t.getHour() < 12 ? "AM" : "PM");
                case 'b', 'h' -> out.append(t.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
                case 'B' -> out.append(t.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
                case 'a' -> out.append(t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
                case 'A' -> out.append(t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
                case 'j' -> out.append(pad ? String.format("%03d", t.getDayOfYear()) : t.getDayOfYear());
                case '%' -> out.append('%');
                default -> out.append('%').append(d);
            }
        }
        return out.toString();
    }

    private static String two(int v, boolean pad) {
        return pad ? String.format("%02d", v) : Integer.toString(v);
    }
}
