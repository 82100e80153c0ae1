package io.jserve.tokenizer;

import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

import java.beans.FeatureDescriptor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * Gives Jinjava's strings the Python {@code str} methods chat templates call
 * ({@code content.startswith('<think>')}, {@code content.split('</think>')[-1]}, {@code strip('\n')}, …)
 * with Python's semantics, where Java's same-named methods differ (regex {@code split}, no
 * {@code strip(chars)}), and {@code s[i]} indexing (negative from the end). Anything else is left to
 * the next resolver.
 */
final class PythonStringResolver extends ELResolver {

    @Override
    public Object invoke(ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
        if (!(base instanceof String s) || !(method instanceof String name)) {
            return null;
        }
        Object[] p = params == null ? new Object[0] : params;
        Object result = switch (name) {
            case "startswith" -> anyOf(p[0], s::startsWith);
            case "endswith" -> anyOf(p[0], s::endsWith);
            case "strip" -> PythonStrings.strip(s, chars(p), true, true);
            case "lstrip" -> PythonStrings.strip(s, chars(p), true, false);
            case "rstrip" -> PythonStrings.strip(s, chars(p), false, true);
            case "split" -> PythonStrings.split(s, p.length > 0 && p[0] != null ? p[0].toString() : null,
                    p.length > 1 ? ((Number) p[1]).intValue() : -1);
            case "upper" -> s.toUpperCase(Locale.ROOT);
            case "lower" -> s.toLowerCase(Locale.ROOT);
            case "title" -> PythonStrings.title(s);
            case "capitalize" -> s.isEmpty() ? s
                    : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1).toLowerCase(Locale.ROOT);
            case "replace" -> PythonStrings.replace(s, p[0].toString(), p[1].toString(),
                    p.length > 2 ? ((Number) p[2]).intValue() : -1);
            case "find" -> (long) s.indexOf(p[0].toString());
            case "count" -> (long) PythonStrings.count(s, p[0].toString());
            default -> null;
        };
        if (result != null) {
            context.setPropertyResolved(true);
        }
        return result;
    }

    @Override
    public Object getValue(ELContext context, Object base, Object property) {
        if (base instanceof String s && property != null) {
            Integer index = asIndex(property);
            if (index != null) {
                int i = index < 0 ? s.length() + index : index;
                context.setPropertyResolved(true);
                return i >= 0 && i < s.length() ? String.valueOf(s.charAt(i)) : null;
            }
        }
        return null;
    }

    private static Integer asIndex(Object property) {
        if (property instanceof Number n) {
            return n.intValue();
        }
        String p = property.toString();
        return p.matches("-?\\d{1,9}") ? Integer.valueOf(p) : null;
    }

    private static boolean anyOf(Object arg, java.util.function.Predicate<String> test) {
        if (arg instanceof Collection<?> options) {
            return options.stream().anyMatch(o -> test.test(String.valueOf(o)));
        }
        if (arg instanceof Object[] options) {
            return List.of(options).stream().anyMatch(o -> test.test(String.valueOf(o)));
        }
        return test.test(String.valueOf(arg));
    }

    private static String chars(Object[] p) {
        return p.length > 0 && p[0] != null ? p[0].toString() : null;
    }

    @Override
    public Class<?> getCommonPropertyType(ELContext context, Object base) {
        return null;
    }

    @Override
    public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
        return new ArrayList<FeatureDescriptor>().iterator();
    }

    @Override
    public Class<?> getType(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public boolean isReadOnly(ELContext context, Object base, Object property) {
        return true;
    }

    @Override
    public void setValue(ELContext context, Object base, Object property, Object value) {
        // strings are immutable: nothing to set, and not resolved here
    }
}
