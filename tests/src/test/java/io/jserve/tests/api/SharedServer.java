package io.jserve.tests.api;

/**
 * One default server shared by the test classes that need nothing special, started on first use and stopped when
 * the test JVM exits, so the suite pays the start-up once.
 */
final class SharedServer {
    private static TestServer instance;

    private SharedServer() {
    }

    static synchronized TestServer get() {
        if (instance == null) {
            instance = TestServer.start();
            TestServer started = instance;
            Runtime.getRuntime().addShutdownHook(new Thread(started::close));
        }
        return instance;
    }
}
