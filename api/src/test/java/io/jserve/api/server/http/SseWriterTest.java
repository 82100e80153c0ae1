package io.jserve.api.server.http;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SseWriterTest {

    @Test
    void framesEachEventAsOpenAiDoes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SseWriter sse = new SseWriter(out);
        sse.event("{\"a\":1}".getBytes(StandardCharsets.UTF_8));
        sse.event("{\"b\":\"é\"}".getBytes(StandardCharsets.UTF_8));
        sse.done();
        assertEquals("data: {\"a\":1}\n\ndata: {\"b\":\"é\"}\n\ndata: [DONE]\n\n", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void flushesEveryEvent() {
        int[] flushes = {0};
        OutputStream out = new ByteArrayOutputStream() {
            @Override
            public void flush() {
                flushes[0]++;
            }
        };
        SseWriter sse = new SseWriter(out);
        sse.event("{}".getBytes(StandardCharsets.UTF_8));
        sse.done();
        assertEquals(2, flushes[0]);
    }

    @Test
    void aFailedWriteMeansTheClientIsGone() {
        OutputStream broken = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("Broken pipe");
            }
        };
        SseWriter sse = new SseWriter(broken);
        SseWriter.ClientGoneException e = assertThrows(SseWriter.ClientGoneException.class,
                () -> sse.event("{}".getBytes(StandardCharsets.UTF_8)));
        assertEquals("Broken pipe", e.getCause().getMessage());
    }
}
