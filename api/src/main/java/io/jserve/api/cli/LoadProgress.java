package io.jserve.api.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Logs that a model is loading, and every few seconds that it still is, so a large model's start does not look
 * like a hang. The engine maps the file, so the log gives the file size and the time spent.
 */
final class LoadProgress implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(LoadProgress.class.getName());
    private static final long PERIOD_SECONDS = 5;

    private final Thread ticker;
    private final long start = System.nanoTime();
    private final Path model;

    private LoadProgress(Path model) {
        this.model = model;
        this.ticker = Thread.ofVirtual().name("load-progress").unstarted(this::tick);
    }

    static LoadProgress start(Path model) {
        long bytes;
        try {
            bytes = Files.size(model);
        } catch (IOException e) {
            bytes = -1;
        }
        LOG.log(System.Logger.Level.INFO, "loading {0} ({1} MiB)", model, Long.toString(bytes >> 20));
        LoadProgress progress = new LoadProgress(model);
        progress.ticker.start();
        return progress;
    }

    private void tick() {
        try {
            while (true) {
                TimeUnit.SECONDS.sleep(PERIOD_SECONDS);
                LOG.log(System.Logger.Level.INFO, "still loading {0} ({1} s)", model.getFileName(),
                        Long.toString(elapsedSeconds()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private long elapsedSeconds() {
        return TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
    }

    @Override
    public void close() {
        ticker.interrupt();
        LOG.log(System.Logger.Level.INFO, "loading ended after {0} ms",
                Long.toString(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)));
    }
}
