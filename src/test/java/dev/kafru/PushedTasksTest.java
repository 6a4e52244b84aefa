package dev.kafru;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@link PushedTasks}: pushAll's answer, made from its statements when read, in the order pushed. */
class PushedTasksTest {

    private static List<TaskRequest> requests(String queue, int n) {
        List<TaskRequest> requests = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            requests.add(TaskRequest.of("h").queue(queue).priority(i % 3));
        }
        return requests;
    }

    private static List<String> keys(String prefix, int n) {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            keys.add(prefix + i);
        }
        return keys;
    }

    @Test
    void eachTaskIsItsStatementsRequestUnderItsKeyAtItsStatementsTime() {
        Instant first = Instant.parse("2026-12-07T10:00:00Z");
        Instant second = first.plusMillis(3);
        List<PushedTasks.Stored> statements = List.of(
                new PushedTasks.Stored(requests("a", 500), keys("a", 500), first),
                new PushedTasks.Stored(List.of(), List.of(), first), // skipped
                new PushedTasks.Stored(requests("b", 1), keys("b", 1), second),
                new PushedTasks.Stored(requests("c", 7), keys("c", 7), second));
        PushedTasks tasks = new PushedTasks(statements);

        List<Task> expected = new ArrayList<>();
        for (PushedTasks.Stored s : statements) {
            for (int i = 0; i < s.requests().size(); i++) {
                expected.add(Task.waiting(s.keys().get(i), s.requests().get(i), s.now()));
            }
        }
        assertEquals(508, tasks.size());
        assertEquals(expected, tasks);
        assertEquals(expected, new ArrayList<>(tasks), "iterated as read by index");
        assertEquals("a499", tasks.get(499).id());
        assertEquals(first, tasks.get(499).dateCreated());
        assertEquals("b0", tasks.get(500).id());
        assertEquals(second, tasks.get(500).runAt());
        assertEquals("c6", tasks.get(507).id());
        assertEquals(TaskStatus.Waiting, tasks.get(507).status());
        assertEquals(0, new PushedTasks(List.of()).size());
    }

    @Test
    void itCannotBeChangedNorReadPastItsEnd() {
        PushedTasks tasks = new PushedTasks(List.of(new PushedTasks.Stored(requests("a", 2), keys("a", 2), Instant.now())));
        assertThrows(IndexOutOfBoundsException.class, () -> tasks.get(2));
        assertThrows(IndexOutOfBoundsException.class, () -> tasks.get(-1));
        assertThrows(UnsupportedOperationException.class, () -> tasks.add(tasks.get(0)));
        assertThrows(UnsupportedOperationException.class, () -> tasks.remove(0));
        assertThrows(IllegalArgumentException.class,
                () -> new PushedTasks.Stored(requests("a", 2), keys("a", 1), Instant.now()), "a key for each request");
    }
}
