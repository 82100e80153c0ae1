package io.jserve.api.cli.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ConfigFileTest {
    private static final Set<String> KNOWN = Set.of("port", "max-num-seqs", "api-key", "enable-prefix-caching", "config");

    @TempDir
    Path dir;

    private Path write(String yaml) throws IOException {
        Path file = dir.resolve("serve.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    @Test
    void readsScalarsListsAndUnderscoreKeys() throws IOException {
        Path file = write("""
                port: 9000
                max_num_seqs: 8
                api-key: [k1, k2]
                enable-prefix-caching: false
                """);
        assertEquals(Map.of("port", "9000", "max-num-seqs", "8", "api-key", "k1,k2", "enable-prefix-caching", "false"),
                ConfigFile.read(file, KNOWN));
    }

    @Test
    void anEmptyFileSetsNothing() throws IOException {
        assertEquals(Map.of(), ConfigFile.read(write(""), KNOWN));
    }

    @Test
    void unknownKeysAreNamed() throws IOException {
        Path file = write("prot: 9000\n");
        assertEquals("config file " + file + ": unknown key 'prot'; known keys: api-key, config, enable-prefix-caching, "
                        + "max-num-seqs, port",
                assertThrows(IllegalArgumentException.class, () -> ConfigFile.read(file, KNOWN)).getMessage());
    }

    @Test
    void nestedValuesAndNonMappingsAreRefused() throws IOException {
        Path nested = write("port: {a: 1}\n");
        assertEquals("config file " + nested + ": 'port' must be a value or a list of values",
                assertThrows(IllegalArgumentException.class, () -> ConfigFile.read(nested, KNOWN)).getMessage());
        Path list = write("- 1\n- 2\n");
        assertEquals("config file " + list + " must be a mapping of option names to values",
                assertThrows(IllegalArgumentException.class, () -> ConfigFile.read(list, KNOWN)).getMessage());
    }

    @Test
    void aMissingFileIsOneLine() {
        Path missing = dir.resolve("nope.yaml");
        String message = assertThrows(IllegalArgumentException.class, () -> ConfigFile.read(missing, KNOWN)).getMessage();
        assertEquals(1, message.lines().count());
        assertEquals("cannot read config file " + missing + ": " + missing, message);
    }
}
