package dev.kafru.store;

import dev.kafru.surrealdb.SurrealCbor;
import dev.kafru.testing.SurrealLauncher;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The launcher in front of the engine: what it enforces and how it fails. */
class LauncherTest {

    static SurrealLauncher launcher;

    @BeforeAll
    static void start() {
        launcher = SurrealLauncher.start();
    }

    @AfterAll
    static void stop() {
        launcher.close();
    }

    @Test
    void aConnectionThatHasNotSignedInCanDoNothingButSignIn() throws Exception {
        try (RawSocket raw = new RawSocket(launcher)) {
            Map<?, ?> used = raw.call("use", List.of("kafru_test", "raw"));
            assertNull(used.get("error"), "use is allowed before signin, as on a real server: " + used);

            Map<?, ?> query = raw.call("query", List.of("CREATE secrets SET leaked = true", Map.of()));
            assertNotNull(query.get("error"), "an unauthenticated query must be refused: " + query);
            assertTrue(String.valueOf(query.get("error")).toLowerCase().contains("auth"), String.valueOf(query.get("error")));

            Map<?, ?> wrong = raw.call("signin", List.of(Map.of("user", SurrealLauncher.USER, "pass", "wrong")));
            assertNotNull(wrong.get("error"), "a wrong password must be refused: " + wrong);
            assertNotNull(raw.call("query", List.of("RETURN 1", Map.of())).get("error"));

            Map<?, ?> signin = raw.call("signin", List.of(Map.of("user", SurrealLauncher.USER, "pass", SurrealLauncher.PASSWORD)));
            assertNull(signin.get("error"), String.valueOf(signin));
            Map<?, ?> answer = raw.call("query", List.of("DEFINE TABLE IF NOT EXISTS secrets; SELECT * FROM secrets", Map.of()));
            assertNull(answer.get("error"), String.valueOf(answer));
            List<?> statements = (List<?>) answer.get("result");
            assertEquals(List.of(), ((Map<?, ?>) statements.get(1)).get("result"), "the refused CREATE stored nothing");
        }
    }

    @Test
    void eachConnectionHasItsOwnSession() throws Exception {
        try (RawSocket first = new RawSocket(launcher); RawSocket second = new RawSocket(launcher)) {
            first.signIn();
            second.signIn();
            first.call("use", List.of("ns_a", "db_a"));
            second.call("use", List.of("ns_b", "db_b"));
            Map<?, ?> a = first.call("query", List.of("RETURN [session::ns(), session::db()]", Map.of()));
            Map<?, ?> b = second.call("query", List.of("RETURN [session::ns(), session::db()]", Map.of()));
            assertEquals(List.of("ns_a", "db_a"), ((Map<?, ?>) ((List<?>) a.get("result")).get(0)).get("result"));
            assertEquals(List.of("ns_b", "db_b"), ((Map<?, ?>) ((List<?>) b.get("result")).get(0)).get("result"));
        }
    }

    @Test
    void aPortInUseFailsWithAClearMessageAndNonZeroExit() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Path dir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "busy-");
            SurrealLauncher.ProcessResult result = SurrealLauncher.run(List.of("start", "-u", "root", "-p", "secret",
                    "-b", "127.0.0.1:" + taken.getLocalPort(), "rocksdb://" + dir), 60);
            assertNotEquals(0, result.exitCode(), result.output());
            assertTrue(result.output().contains(String.valueOf(taken.getLocalPort())), result.output());
        }
    }

    @Test
    void aDataDirectoryInUseByAnotherLauncherIsRefusedWithAClearMessageAndNonZeroExit() {
        // this class's launcher holds the RocksDB lock of its directory while it runs
        SurrealLauncher.ProcessResult result = SurrealLauncher.run(List.of("start", "-u", "root", "-p", "secret",
                "-b", "127.0.0.1:" + SurrealLauncher.freePort(), "rocksdb://" + launcher.dataDir()), 60);
        assertEquals(1, result.exitCode(), result.output());
        assertTrue(result.output().contains("kafru-surrealdb: error: data directory " + launcher.dataDir()
                + " is locked by another process"), result.output());
        assertTrue(result.output().contains("start with another directory"), "the message names the fix: " + result.output());
        assertFalse(result.output().contains("listening on"), result.output());
        assertTrue(launcher.isRunning(), "the launcher that holds the directory is left alone");
    }

    @Test
    void missingCredentialsFailWithAClearMessage() {
        SurrealLauncher.ProcessResult result = SurrealLauncher.run(List.of("start", "-b", "127.0.0.1:" + SurrealLauncher.freePort(), "rocksdb://target/never"), 60);
        assertNotEquals(0, result.exitCode(), result.output());
        assertTrue(result.output().toLowerCase().contains("user") || result.output().toLowerCase().contains("pass"), result.output());
    }

    @Test
    void aNonLoopbackBindIsRefused() {
        SurrealLauncher.ProcessResult result = SurrealLauncher.run(List.of("start", "-u", "root", "-p", "secret",
                "-b", "0.0.0.0:" + SurrealLauncher.freePort(), "rocksdb://target/never"), 60);
        assertNotEquals(0, result.exitCode(), result.output());
        assertTrue(result.output().contains("0.0.0.0"), result.output());
    }

    /** A bare RPC WebSocket, to see what the launcher itself answers. */
    static final class RawSocket implements WebSocket.Listener, AutoCloseable {
        private final BlockingQueue<Map<?, ?>> answers = new LinkedBlockingQueue<>();
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        private final WebSocket socket;
        private long ids;

        RawSocket(SurrealLauncher launcher) {
            socket = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
                    .buildAsync(launcher.url(), this).join();
        }

        Map<?, ?> call(String method, List<?> params) throws InterruptedException {
            long id = ++ids;
            socket.sendBinary(ByteBuffer.wrap(SurrealCbor.encode(Map.of("id", id, "method", method, "params", params))), true).join();
            while (true) {
                Map<?, ?> answer = answers.poll(10, TimeUnit.SECONDS);
                assertNotNull(answer, "no answer to " + method);
                if (answer.get("id") instanceof Number n && n.longValue() == id) {
                    return answer;
                }
            }
        }

        void signIn() throws InterruptedException {
            Map<?, ?> answer = call("signin", List.of(Map.of("user", SurrealLauncher.USER, "pass", SurrealLauncher.PASSWORD)));
            assertNull(answer.get("error"), String.valueOf(answer));
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            byte[] chunk = new byte[data.remaining()];
            data.get(chunk);
            buffer.writeBytes(chunk);
            if (last) {
                answers.add((Map<?, ?>) SurrealCbor.decode(buffer.toByteArray()));
                buffer.reset();
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public void close() {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").join();
        }
    }
}
