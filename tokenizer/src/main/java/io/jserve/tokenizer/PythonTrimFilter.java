package io.jserve.tokenizer;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.Filter;

/**
 * The {@code trim} filter with Python's {@code str.strip()} semantics, replacing Jinjava's, which strips
 * every char up to U+0020 (control chars included) and keeps NBSP and U+3000. {@code trim(chars)}
 * strips those chars instead, as jinja2 does.
 */
final class PythonTrimFilter implements Filter {

    @Override
    public String getName() {
        return "trim";
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
        if (var == null) {
            return null;
        }
        String chars = args.length > 0 ? args[0] : null;
        return PythonStrings.strip(var.toString(), chars, true, true);
    }
}
