package io.jserve.api.server.http;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonTest {

    private static ApiException refused(byte[] body) {
        return assertThrows(ApiException.class, () -> Json.parseObject(body));
    }

    private static ApiException refused(String body) {
        return refused(body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void parsesAnObject() {
        assertEquals("{\"a\":[1,2]}", Json.parseObject("{\"a\": [1, 2]}".getBytes(StandardCharsets.UTF_8)).toString());
    }

    @Test
    void malformedJsonIs400WithoutParam() {
        ApiException e = refused("{bad json");
        assertEquals(400, e.status());
        assertEquals("invalid_request_error", e.type());
        assertEquals(null, e.param());
        assertTrue(e.getMessage().startsWith("The request body is not valid JSON: "), e.getMessage());
    }

    @Test
    void truncatedTrailingAndDuplicateAreRefused() {
        assertEquals(400, refused("{\"prompt\": \"x\"").status());
        assertEquals(400, refused("{\"a\":1} {\"b\":2}").status());
        assertEquals(400, refused("{\"a\":1,\"a\":2}").status());
        assertEquals(400, refused("{\"a\":NaN}").status());
        assertEquals(400, refused("{\"a\":1} // comment").status());
    }

    @Test
    void emptyAndNonObjectBodiesAreRefused() {
        assertEquals("The request body is empty; expected a JSON object.", refused("").getMessage());
        assertEquals("The request body must be a JSON object, got an array.", refused("[1]").getMessage());
        assertEquals("The request body must be a JSON object, got a string.", refused("\"x\"").getMessage());
        assertEquals("The request body must be a JSON object, got null.", refused("null").getMessage());
    }

    @Test
    void invalidUtf8IsRefused() {
        byte[] body = {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
        assertEquals(400, refused(body).status());
    }

    @Test
    void deepNestingIsRefusedBeforeItCanHurt() {
        String deep = "{\"a\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}";
        ApiException e = refused(deep);
        assertEquals(400, e.status());
        assertTrue(e.getMessage().contains("nested"), e.getMessage());
    }

    @Test
    void absurdNumbersAreRefused() {
        ApiException e = refused("{\"max_tokens\": 1" + "0".repeat(5000) + "}");
        assertEquals(400, e.status());
        assertTrue(e.getMessage().contains("number"), e.getMessage());
    }
}
