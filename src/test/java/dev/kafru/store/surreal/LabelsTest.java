package dev.kafru.store.surreal;

import dev.kafru.InvalidTaskException;
import dev.kafru.Task;
import dev.kafru.TaskFilter;
import dev.kafru.TaskRequest;
import dev.kafru.TaskStatus;
import dev.kafru.store.Outcome;
import dev.kafru.surrealdb.RpcSurrealConnection;
import dev.kafru.testing.SurrealLauncher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Labels on rows and units: stored with the task, found by a filter through kafru_labels, gone with the task, on the real engine. */
class LabelsTest {

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

    private static List<TaskRequest> requests(int n, String prefix, String... labels) {
        List<TaskRequest> requests = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            requests.add(TaskRequest.of("h").queue("q").name(prefix + i).labels(labels));
        }
        return requests;
    }

    private Set<String> ids(TaskFilter filter) {
        return store.list(filter, 1000, 0).stream().map(Task::id).collect(Collectors.toSet());
    }

    private long labelEntries() {
        return ((List<?>) db.query("SELECT id FROM kafru_labels", Map.of()).get(0)).size();
    }

    @Test
    void aLabelFilterFindsExactlyTheTasksPushedWithThatLabelInRowsAndUnitsAlike() {
        List<TaskRequest> push = new ArrayList<>();
        push.addAll(requests(10, "unit-a", "tenant-7", "import")); // a unit
        push.addAll(requests(5, "unit-b", "tenant-8"));            // same queue, other labels: a unit of its own
        push.addAll(requests(10, "plain"));                         // a unit without labels
        List<Task> stored = store.insert(push);
        List<Task> rows = store.insert(List.of(TaskRequest.of("h").queue("q").name("row").labels("tenant-7", "tenant-7", "x/y"),
                TaskRequest.of("h").queue("q").name("bare")));
        assertEquals(3, ((List<?>) db.query("SELECT id FROM kafru_queues WHERE unit = true", Map.of()).get(0)).size(),
                "a push's tasks of other labels are another unit");

        Set<String> tenant7 = stored.subList(0, 10).stream().map(Task::id).collect(Collectors.toSet());
        tenant7.add(rows.get(0).id());
        assertEquals(tenant7, ids(TaskFilter.ANY.withLabel("tenant-7")));
        assertEquals(11, store.count(TaskFilter.ANY.withLabel("tenant-7"), 1000));
        assertEquals(stored.subList(10, 15).stream().map(Task::id).collect(Collectors.toSet()), ids(TaskFilter.ANY.withLabel("tenant-8")));
        assertEquals(Set.of(rows.get(0).id()), ids(TaskFilter.ANY.withLabel("x/y")));
        assertEquals(Set.of(), ids(TaskFilter.ANY.withLabel("tenant-9")));
        assertEquals(Set.of(), ids(TaskFilter.ANY.withLabel("x' OR true OR '")), "a label is a value, not SurrealQL");
        assertEquals(10, store.count(new TaskFilter(TaskStatus.Waiting, "q", "h", null, null, "import"), 1000));
        assertEquals(0, store.count(new TaskFilter(TaskStatus.Completed, null, null, null, null, "import"), 1000));
        assertEquals(Set.of(stored.get(3).id()), ids(new TaskFilter(null, null, null, "unit-a3", null, "tenant-7")));
        List<Task> page = store.list(TaskFilter.ANY.withLabel("tenant-7"), 4, 8);
        assertEquals(3, page.size(), "a page of the label's 11 tasks, after 8 of them");

        assertEquals(List.of("tenant-7", "import"), store.get(stored.get(4).id()).orElseThrow().labels(), "a unit member's labels");
        assertEquals(List.of("tenant-7", "x/y"), store.get(rows.get(0).id()).orElseThrow().labels(), "repeats dropped, order kept");
        assertEquals(List.of(), store.get(stored.get(20).id()).orElseThrow().labels());
        assertEquals(List.of(), store.get(rows.get(1).id()).orElseThrow().labels());
        assertEquals(List.of("tenant-7", "import"), stored.get(0).labels(), "the pushed task says its labels");
        assertEquals(2 + 1 + 2, labelEntries(), "an entry per label of each labelled unit and row, none for unlabelled tasks");
        assertEquals(27, store.count(TaskFilter.ANY, 1000), "the filter without a label is as before");
    }

    @Test
    void aLabelsTasksAreListedOldestFirst() {
        List<String> pushed = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            pushed.add(store.insert(List.of(TaskRequest.of("h").queue("q").labels("z-" + (4 - i), "t"))).get(0).id());
        }
        assertEquals(pushed, store.list(TaskFilter.ANY.withLabel("t"), 10, 0).stream().map(Task::id).toList());
    }

    @Test
    void aLabelOfManyTasksIsPagedAndCountedAcrossTheChunksItIsReadIn() {
        List<TaskRequest> push = new ArrayList<>();
        for (int i = 0; i < 450; i++) { // rows: each priority is a group of its own
            push.add(TaskRequest.of("h").queue("q").name("r" + i).priority(i).labels(i % 3 == 0 ? "third" : "many"));
        }
        List<Task> stored = store.insert(push);
        List<String> third = stored.stream().filter(t -> t.labels().equals(List.of("third"))).map(Task::id).toList();
        List<String> all = store.list(new TaskFilter(null, "q", null, null), 1000, 0).stream()
                .filter(t -> t.labels().equals(List.of("third"))).map(Task::id).toList();
        assertEquals(150, third.size());
        assertEquals(all, store.list(TaskFilter.ANY.withLabel("third"), 1000, 0).stream().map(Task::id).toList(),
                "the label's tasks in the order of the unfiltered list");
        assertEquals(all.subList(120, 150), store.list(TaskFilter.ANY.withLabel("third"), 100, 120).stream().map(Task::id).toList());
        assertEquals(300, store.count(TaskFilter.ANY.withLabel("many"), 1000));
        assertEquals(250, store.count(TaskFilter.ANY.withLabel("many"), 250), "counted up to the cap");
        assertEquals(100, store.count(new TaskFilter(null, null, null, null, null, "many").withLabel("many"), 100));
    }

    @Test
    void aMemberThatLeavesItsUnitKeepsItsLabelsAndIsListedOnce() {
        List<Task> stored = store.insert(requests(6, "t", "tenant-7"));
        Task edited = store.update(stored.get(2).id(), TaskRequest.of("h").queue("q").name("edited")).orElseThrow();
        assertEquals(List.of("tenant-7"), store.get(edited.id()).orElseThrow().labels());
        List<Task> claimed = store.claim("q", "a/q", 2, Duration.ofSeconds(30));
        store.finish("a/q", claimed.stream().map(t -> Outcome.failed(t.id(), "no")).toList()).join();
        for (Task t : claimed) {
            Task failed = store.get(t.id()).orElseThrow();
            assertEquals(TaskStatus.Error, failed.status());
            assertEquals(List.of("tenant-7"), failed.labels(), "a member that failed out of its unit");
        }
        assertEquals(stored.stream().map(Task::id).collect(Collectors.toSet()), ids(TaskFilter.ANY.withLabel("tenant-7")));
        assertEquals(2, store.count(new TaskFilter(TaskStatus.Error, null, null, null, null, "tenant-7"), 100));
        assertEquals(Set.of(edited.id()), ids(new TaskFilter(null, null, null, "edited", null, "tenant-7")));

        assertTrue(store.remove(edited.id()));
        assertTrue(store.remove(claimed.get(0).id()));
        assertEquals(4, store.count(TaskFilter.ANY.withLabel("tenant-7"), 100));
    }

    @Test
    void retentionAndPurgeDeleteTheLabelEntriesOfTheTasksTheyDelete() {
        List<TaskRequest> push = new ArrayList<>(requests(5, "u", "tenant-7"));
        push.add(TaskRequest.of("h").queue("q").name("row").labels("tenant-7", "import").priority(3));
        push.add(TaskRequest.of("h").queue("q").name("plain").priority(3));
        store.insert(push);
        assertEquals(3, labelEntries());
        List<Task> claimed = store.claim("q", "a/q", 10, Duration.ofSeconds(30));
        assertEquals(7, claimed.size());
        store.finish("a/q", claimed.stream().map(t -> Outcome.completed(t.id())).toList()).join();
        assertEquals(7, store.deleteFinished("q", TaskStatus.Completed, Instant.now().plusSeconds(1), 100));
        assertEquals(0, labelEntries(), "retention deletes the label entries of the rows and units it deletes");
        assertEquals(0, store.count(TaskFilter.ANY.withLabel("tenant-7"), 100));

        store.insert(requests(5, "u", "tenant-7"));
        store.insert(List.of(TaskRequest.of("h").queue("q").labels("import")));
        assertEquals(2, labelEntries());
        assertEquals(6, store.purge(null, "q"));
        assertEquals(0, labelEntries(), "a purge deletes them too");
    }

    @Test
    void aLabelThatIsTooLongOrTooManyLabelsAreRefusedNamingTheField() {
        InvalidTaskException tooLong = assertThrows(InvalidTaskException.class,
                () -> TaskRequest.of("h").labels("x".repeat(200)).validate());
        assertEquals("labels", tooLong.field());
        assertTrue(tooLong.getMessage().contains("200 characters") && tooLong.getMessage().contains("1 to 64"), tooLong.getMessage());
        assertEquals("labels", assertThrows(InvalidTaskException.class,
                () -> TaskRequest.of("h").labels("a", "b", "c", "d", "e", "f", "g", "h", "i").validate()).field());
        assertEquals("labels", assertThrows(InvalidTaskException.class, () -> TaskRequest.of("h").labels("a b").validate()).field());
        assertEquals("labels", assertThrows(InvalidTaskException.class, () -> TaskRequest.of("h").labels("").validate()).field());
        TaskRequest.of("h").labels("a", "a", "a", "a", "a", "a", "a", "a", "a", "b").validate(); // repeats are one label
    }
}
