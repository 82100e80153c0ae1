package io.jserve.api.cli.config;

import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Supplies option values that were not given on the command line, from the environment first
 * ({@code JSERVE_MAX_NUM_SEQS} for {@code --max-num-seqs}) and then from the YAML config file; what neither sets
 * keeps its built-in default. So the precedence is: command line, environment, config file, default.
 */
public final class LayeredDefaults implements CommandLine.IDefaultValueProvider {
    /** Prefix of the environment variables. */
    public static final String ENV_PREFIX = "JSERVE_";

    private final Map<String, String> environment;
    private final Map<String, String> file;

    /**
     * @param environment the process environment
     * @param file        the config file's values by option name without dashes ({@code max-num-seqs})
     */
    public LayeredDefaults(Map<String, String> environment, Map<String, String> file) {
        this.environment = Map.copyOf(Objects.requireNonNull(environment, "environment"));
        this.file = Map.copyOf(Objects.requireNonNull(file, "file"));
    }

    /** The environment variable that sets an option: {@code --max-num-seqs} is {@code JSERVE_MAX_NUM_SEQS}. */
    public static String environmentName(String optionName) {
        return ENV_PREFIX + optionName.replaceFirst("^-+", "").replace('-', '_').toUpperCase(Locale.ROOT);
    }

    @Override
    public String defaultValue(ArgSpec argSpec) {
        if (!(argSpec instanceof OptionSpec option)) {
            return null;
        }
        String name = option.longestName().replaceFirst("^-+", "");
        String fromEnv = environment.get(environmentName(name));
        if (fromEnv != null) {
            return fromEnv;
        }
        return file.get(name);
    }
}
