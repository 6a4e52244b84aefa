package dev.kafru.store.surreal;

import dev.kafru.Task;
import dev.kafru.TaskFilter;
import dev.kafru.TaskRequest;
import dev.kafru.TaskStatus;
import dev.kafru.surrealdb.RpcSurrealConnection;
import dev.kafru.testing.SurrealLauncher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Keys made before the write (a push inside a transaction), and the author filter over rows and units, on the real engine. */
class KeysAndAuthorsTest {

    RpcSurrealConnection db;
    SurrealTaskRepository store;

    @BeforeEach
    void open() {
        db = RpcSurrealConnection.open(SurrealLauncher.shared().freshDatabase());
        Schema.apply(db);
        store = new SurrealTaskRepository(db);
    }

    @AfterEach
    void close() {
        db.close();
    }

    private static List<TaskRequest> requests(int n, String queue, String author) {
        List<TaskRequest> requests = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            requests.add(TaskRequest.of("h").queue(queue).name("t" + i).author(author));
        }
        return requests;
    }

    @Test
    void tasksAreStoredUnderTheKeysMadeBeforeTheWriteAlsoWhenTwoPushesKeysAreWrittenInOneStatement() {
        List<TaskRequest> first = requests(10, "q", "alice"); // a unit
        List<TaskRequest> second = requests(2, "q", "alice"); // rows
        List<String> firstKeys = store.newKeys(first);
        List<String> secondKeys = store.newKeys(second);
        assertEquals(Units.memberKey(firstKeys.get(0).substring(0, 20), 9), firstKeys.get(9), "one unit's member keys");

        List<TaskRequest> both = new ArrayList<>(first);
        both.addAll(second);
        List<String> keys = new ArrayList<>(firstKeys);
        keys.addAll(secondKeys);
        List<Task> stored = store.insertAsync(both, keys).join();

        assertEquals(keys, stored.stream().map(Task::id).toList());
        for (int i = 0; i < both.size(); i++) {
            Task read = store.get(keys.get(i)).orElseThrow(() -> new AssertionError("nothing stored under a key made before"));
            assertEquals(both.get(i).name(), read.name());
            assertEquals(TaskStatus.Waiting, read.status());
            assertEquals("alice", read.author());
        }
        List<?> units = (List<?>) db.query("SELECT VALUE id FROM kafru_queues WHERE unit = true", Map.of()).get(0);
        assertEquals(1, units.size(), "the ten of one push are one unit");
        assertEquals(12, store.count(new TaskFilter(null, "q", null, null), 100));
    }

    @Test
    void keysNotInTheOrderMadeAreRefusedAndNothingIsStored() {
        List<TaskRequest> push = requests(5, "q", null);
        List<String> keys = new ArrayList<>(store.newKeys(push));
        java.util.Collections.swap(keys, 0, 1);
        assertThrows(IllegalArgumentException.class, () -> store.insertAsync(push, keys));
        assertEquals(0, store.count(TaskFilter.ANY, 100));
    }

    @Test
    void listsAndCountsFilterByAuthorOverRowsAndUnits() {
        store.insert(requests(30, "q", "alice"));        // a unit
        store.insert(requests(2, "q", "alice"));         // rows
        store.insert(requests(20, "q", "schedule:nightly"));
        store.insert(requests(3, "q", null));             // no author: anonymous

        assertEquals(32, store.count(new TaskFilter(null, null, null, null, "alice"), 1000));
        assertEquals(20, store.count(new TaskFilter(TaskStatus.Waiting, "q", null, null, "schedule:nightly"), 1000));
        assertEquals(0, store.count(new TaskFilter(null, null, null, null, "bob"), 1000));
        List<Task> alices = store.list(new TaskFilter(null, "q", "h", null, "alice"), 1000, 0);
        assertEquals(32, alices.size());
        assertTrue(alices.stream().allMatch(t -> "alice".equals(t.author())), String.valueOf(alices));
        assertEquals(55, store.count(TaskFilter.ANY, 1000));
        List<Task> page = store.list(new TaskFilter(null, null, null, null, "alice"), 5, 28);
        assertEquals(4, page.size(), "the last four of alice's 32, across the unit and the rows");
    }
}
