package io.jserve.tests.api;

import io.jserve.api.server.ServerConfig;
import io.jserve.engine.EngineConfig;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static io.jserve.tests.api.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Mutation fuzzing of request bodies (seeded, so a failure replays): byte flips, cuts, splices, invalid UTF-8,
 * absurd numbers, swapped types and deep nesting applied to valid requests of every endpoint. Nothing a client
 * sends may produce a 5xx or hurt the engine: afterwards the server still answers exactly.
 */
class RequestFuzzTest {
    private static final int MUTANTS = 1200;
    private static final String[][] SEEDS = {
        {"/v1/completions", "{\"model\":\"stories260K\",\"prompt\":\"Once upon a time\",\"max_tokens\":4,"
                + "\"temperature\":0.7,\"top_p\":0.9,\"top_k\":20,\"seed\":3,\"stop\":[\".\",\"!\"],\"n\":2}"},
        {"/v1/completions", "{\"prompt\":[[1,365,400],[1,2]],\"max_tokens\":3,\"logprobs\":2,\"stream\":true,"
                + "\"stream_options\":{\"include_usage\":true},\"logit_bias\":{\"13\":-100}}"},
        {"/v1/chat/completions", "{\"model\":\"stories260K\",\"messages\":[{\"role\":\"system\",\"content\":\"Be kind.\"},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Hi é 😀\"}]}],\"max_tokens\":4,"
                + "\"logprobs\":true,\"top_logprobs\":3,\"presence_penalty\":0.5,\"frequency_penalty\":0.2}"},
        {"/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"Tell me\"}],\"max_completion_tokens\":3,"
                + "\"stream\":true,\"min_p\":0.1,\"repetition_penalty\":1.2,\"ignore_eos\":true,\"min_tokens\":1,"
                + "\"stop_token_ids\":[2]}"},
        {"/tokenize", "{\"prompt\":\"Once upon a time\",\"add_special_tokens\":false}"},
        {"/tokenize", "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"add_generation_prompt\":true}"},
        {"/detokenize", "{\"tokens\":[1,365,400,2]}"},
    };
    private static final String[] ODD_VALUES = {"1e999", "-1e999", "-1", "0", "99999999999999999999999",
        "0.5", "\"7\"", "null", "true", "[]", "{}", "[[[[]]]]", "\"\\ud800\"", "\"" + "x".repeat(5000) + "\"",
        "-0", "1E+2", "NaN", "2147483648", "-9223372036854775809"};

    @Test
    void noMutatedRequestGetsA5xx() {
        EngineConfig small = new EngineConfig(TestServer.STORIES, "cpu", 8, 256, 16, TestServer.KV_BLOCKS, 0, 96, 64,
                true, null, 0.9);
        try (TestServer server = TestServer.start(ServerConfig.forTests(), small)) {
            SplittableRandom random = new SplittableRandom(20261122);
            List<String> failures = new ArrayList<>();
            int ok = 0;
            for (int i = 0; i < MUTANTS; i++) {
                String[] seed = SEEDS[random.nextInt(SEEDS.length)];
                byte[] body = mutate(seed[1].getBytes(StandardCharsets.UTF_8), random);
                HttpResponse<String> response = server.send(HttpRequest.newBuilder(server.uri(seed[0]))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
                if (response.statusCode() >= 500 || response.body().contains("\"server_error\"")) {
                    failures.add(response.statusCode() + " for " + seed[0] + " "
                            + new String(body, StandardCharsets.UTF_8) + " -> " + response.body());
                } else if (response.statusCode() == 200) {
                    ok++;
                }
            }
            assertEquals(List.of(), failures);
            assertTrue(ok > MUTANTS / 20, "some mutants stay valid and are served: " + ok);
            var after = server.post("/v1/completions", "{\"prompt\":\"Once upon a time\",\"max_tokens\":32,\"temperature\":0}");
            assertEquals(CompletionsTest.LLAMA_CPP_32, json(after).get("choices").get(0).get("text").asText());
        }
    }

    private static byte[] mutate(byte[] seed, SplittableRandom random) {
        byte[] body = seed;
        int rounds = 1 + random.nextInt(3);
        for (int r = 0; r < rounds; r++) {
            body = switch (random.nextInt(8)) {
                case 0 -> flip(body, random);
                case 1 -> cut(body, random);
                case 2 -> splice(body, random, randomBytes(random));
                case 3 -> java.util.Arrays.copyOf(body, random.nextInt(body.length + 1));
                case 4 -> replaceValue(body, random, ODD_VALUES[random.nextInt(ODD_VALUES.length)]);
                case 5 -> replaceValue(body, random, random.nextBoolean() ? "[" : "{\"a\":");
                case 6 -> nest(body, random);
                default -> duplicate(body, random);
            };
        }
        return body;
    }

    private static byte[] flip(byte[] b, SplittableRandom random) {
        byte[] copy = b.clone();
        if (copy.length > 0) {
            copy[random.nextInt(copy.length)] ^= (byte) (1 << random.nextInt(8));
        }
        return copy;
    }

    private static byte[] cut(byte[] b, SplittableRandom random) {
        if (b.length == 0) {
            return b;
        }
        int from = random.nextInt(b.length);
        int to = Math.min(b.length, from + 1 + random.nextInt(16));
        return concat(java.util.Arrays.copyOf(b, from), java.util.Arrays.copyOfRange(b, to, b.length));
    }

    private static byte[] randomBytes(SplittableRandom random) {
        byte[][] pieces = {{(byte) 0xC3, 0x28}, {(byte) 0xFF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {0},
            "\\u0000".getBytes(StandardCharsets.US_ASCII), ",,".getBytes(StandardCharsets.US_ASCII),
            "\"".getBytes(StandardCharsets.US_ASCII), "}".getBytes(StandardCharsets.US_ASCII)};
        return pieces[random.nextInt(pieces.length)];
    }

    private static byte[] splice(byte[] b, SplittableRandom random, byte[] insert) {
        int at = random.nextInt(b.length + 1);
        return concat(concat(java.util.Arrays.copyOf(b, at), insert), java.util.Arrays.copyOfRange(b, at, b.length));
    }

    /** Replaces the value after a random ':' (up to the next ',' or '}') with {@code value}. */
    private static byte[] replaceValue(byte[] b, SplittableRandom random, String value) {
        String s = new String(b, StandardCharsets.ISO_8859_1);
        List<Integer> colons = new ArrayList<>();
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == ':') {
                colons.add(i);
            }
        }
        if (colons.isEmpty()) {
            return b;
        }
        int at = colons.get(random.nextInt(colons.size())) + 1;
        int end = at;
        while (end < s.length() && s.charAt(end) != ',' && s.charAt(end) != '}') {
            end++;
        }
        return (s.substring(0, at) + value + s.substring(end)).getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] nest(byte[] b, SplittableRandom random) {
        int depth = 10 + random.nextInt(5000);
        return replaceValue(b, random, "[".repeat(depth) + "]".repeat(depth));
    }

    private static byte[] duplicate(byte[] b, SplittableRandom random) {
        if (b.length == 0) {
            return b;
        }
        int from = random.nextInt(b.length);
        int to = Math.min(b.length, from + 1 + random.nextInt(40));
        return splice(b, random, java.util.Arrays.copyOfRange(b, from, to));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
