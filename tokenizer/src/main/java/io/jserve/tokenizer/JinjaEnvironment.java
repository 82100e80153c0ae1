package io.jserve.tokenizer;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import jinjava.javax.el.CompositeELResolver;

/**
 * The one Jinjava engine, configured to render Hugging Face chat templates the way Python jinja2
 * does in transformers (trim_blocks, lstrip_blocks, {@code -} trimming on expressions, Python string
 * methods, the HF globals). <b>Nested interpretation is off</b>: Jinjava's default would run template
 * syntax found in user messages.
 */
final class JinjaEnvironment {
    /** Upper bound on one rendered prompt, so a hostile template cannot exhaust memory. */
    private static final long MAX_OUTPUT_CHARS = 16L << 20;

    private JinjaEnvironment() {
    }

    private static final class Holder {
        static final Jinjava JINJAVA = create();
    }

    static Jinjava jinjava() {
        return Holder.JINJAVA;
    }

    private static Jinjava create() {
        CompositeELResolver resolver = new CompositeELResolver();
        resolver.add(new PythonStringResolver());
        resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_ONLY);
        JinjavaConfig config = JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(true)
                .withNestedInterpretationEnabled(false)
                .withLegacyOverrides(LegacyOverrides.newBuilder()
                        .withUseTrimmingForNotesAndExpressions(true)
                        .withParseWhitespaceControlStrictly(true)
                        .withIterateOverMapKeys(true)
                        .build())
                .withElResolver(resolver)
                .withMaxOutputSize(MAX_OUTPUT_CHARS)
                .build();
        Jinjava jinjava = new Jinjava(config);
        jinjava.registerFunction(new ELFunctionDefinition("", "raise_exception", TemplateFunctions.class,
                "raiseException", String.class));
        jinjava.registerFunction(new ELFunctionDefinition("", "strftime_now", TemplateFunctions.class,
                "strftimeNow", String.class));
        jinjava.registerFilter(new PythonTrimFilter());
        return jinjava;
    }
}
