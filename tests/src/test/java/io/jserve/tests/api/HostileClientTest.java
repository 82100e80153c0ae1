package io.jserve.tests.api;

import io.jserve.api.server.ServerConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static io.jserve.tests.api.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Oversized bodies, idle and half-sent connections: refused or outlasted, never able to starve real requests. */
class HostileClientTest {
    private static final int LIMIT = 64 * 1024;
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(ServerConfig.forTests().withMaxRequestBytes(LIMIT), TestServer.engineConfig());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket("127.0.0.1", server.server.port());
        socket.setSoTimeout(10_000);
        return socket;
    }

    /** Reads a whole HTTP/1.1 response from a socket whose server closes the connection after it. */
    private static String readResponse(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }

    @Test
    void aDeclaredBodyOverTheLimitIs413WithoutBeingRead() throws IOException {
        try (Socket socket = connect()) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 1000000000\r\n\r\n{\"prompt\":").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String response = readResponse(socket);
            assertTrue(response.startsWith("HTTP/1.1 413 "), response);
            assertTrue(response.toLowerCase().contains("connection: close"), response);
            assertTrue(response.contains("\"code\":\"request_too_large\""), response);
        }
    }

    @Test
    void aChunkedBodyOverTheLimitIs413() throws IOException {
        try (Socket socket = connect()) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            byte[] chunk = ("2000\r\n" + "a".repeat(0x2000) + "\r\n").getBytes(StandardCharsets.US_ASCII);
            try {
                for (int i = 0; i < 2 * LIMIT / 0x2000; i++) {
                    out.write(chunk);
                }
                out.flush();
            } catch (IOException closedEarly) {
                // The server may answer and close before we finish sending; the answer is still readable.
            }
            String response = readResponse(socket);
            assertTrue(response.startsWith("HTTP/1.1 413 "), response);
        }
    }

    @Test
    void hundredsOfIdleAndHalfSentConnectionsDoNotStarveRealRequests() throws IOException {
        List<Socket> hostile = new ArrayList<>();
        try {
            for (int i = 0; i < 300; i++) {
                Socket socket = connect();
                hostile.add(socket);
                OutputStream out = socket.getOutputStream();
                switch (i % 3) {
                    case 0 -> { } // connected, silent
                    case 1 -> out.write("POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Le"
                            .getBytes(StandardCharsets.US_ASCII));
                    default -> out.write(("POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n"
                            + "{\"prompt\":").getBytes(StandardCharsets.US_ASCII));
                }
                out.flush();
            }
            long start = System.nanoTime();
            for (int i = 0; i < 5; i++) {
                var response = server.post("/v1/completions",
                        "{\"prompt\":\"Once upon a time\",\"max_tokens\":32,\"temperature\":0}");
                assertEquals(200, response.statusCode());
                assertEquals(CompletionsTest.LLAMA_CPP_32, json(response).get("choices").get(0).get("text").asText());
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(millis < 5000, "real requests served promptly: " + millis + " ms");
        } finally {
            for (Socket socket : hostile) {
                socket.close();
            }
        }
    }
}
