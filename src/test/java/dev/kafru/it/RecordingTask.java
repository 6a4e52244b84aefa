package dev.kafru.it;

import dev.kafru.TaskContext;
import dev.kafru.TaskHandler;
import dev.kafru.TaskName;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Records each execution as it starts and as it ends — {@code S <task> <epoch µs>} and
 * {@code E <task> <epoch µs>}, one line per write, appended to {@code <it.executions.dir>/<server>}
 * (see {@link Executions}) — and sleeps {@code sleepMillis} in between. Each line is one write
 * call on a file opened for appending, so what a server wrote before a SIGKILL is in the file
 * (the kernel has it); a start without an end is an execution the kill cut short. With
 * {@code failOnce} its first attempt fails after recording its end.
 */
@TaskName("it-record")
@ApplicationScoped
public class RecordingTask implements TaskHandler {

    @Inject
    @ConfigProperty(name = "kafru.server.name")
    String server;

    @Inject
    @ConfigProperty(name = "it.executions.dir")
    String directory;

    private FileChannel file;

    @PostConstruct
    void open() {
        try {
            file = FileChannel.open(Path.of(directory, server), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @PreDestroy
    void close() {
        try {
            file.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void run(TaskContext ctx) throws Exception {
        write("S", ctx.taskId());
        long sleep = ctx.getLong("sleepMillis", 0);
        if (sleep > 0) {
            Thread.sleep(sleep);
        }
        write("E", ctx.taskId());
        if (ctx.getBoolean("failOnce", false) && ctx.attempt() == 1) {
            throw new IllegalStateException("failing the first attempt, as asked");
        }
    }

    private void write(String event, String task) throws IOException {
        long micros = ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
        ByteBuffer line = ByteBuffer.wrap((event + " " + task + " " + micros + "\n").getBytes(StandardCharsets.US_ASCII));
        while (line.hasRemaining()) {
            file.write(line);
        }
    }
}
