package dev.kafru;

import java.time.Instant;
import java.util.AbstractList;
import java.util.Arrays;
import java.util.List;
import java.util.RandomAccess;

/**
 * What {@link KafruQueue#pushAll} answers: the tasks as they were stored, each made when it is
 * read from the statements that stored them (requests, keys, the database's time). A push of a
 * million holds its requests and compact keys until it returns, not a million {@link Task}s as
 * well, which a server doing the work meanwhile paid for in garbage collection. Unmodifiable.
 */
final class PushedTasks extends AbstractList<Task> implements RandomAccess {

    /** One stored statement: its requests, their keys, and when the database stored them. */
    record Stored(List<TaskRequest> requests, List<String> keys, Instant now) {
        Stored {
            if (requests.size() != keys.size()) {
                throw new IllegalArgumentException(requests.size() + " requests but " + keys.size() + " keys");
            }
        }
    }

    private final List<Stored> statements;
    /** Index of each statement's first task; one more entry, the size. */
    private final int[] firsts;

    PushedTasks(List<Stored> statements) {
        this.statements = statements.stream().filter(s -> !s.requests().isEmpty()).toList();
        this.firsts = new int[this.statements.size() + 1];
        for (int s = 0; s < this.statements.size(); s++) {
            firsts[s + 1] = firsts[s] + this.statements.get(s).requests().size();
        }
    }

    @Override
    public Task get(int index) {
        if (index < 0 || index >= size()) {
            throw new IndexOutOfBoundsException("index " + index + " of " + size() + " pushed tasks");
        }
        int found = Arrays.binarySearch(firsts, 0, statements.size(), index); // firsts rise strictly: no statement is empty
        int s = found >= 0 ? found : -found - 2;
        Stored statement = statements.get(s);
        int i = index - firsts[s];
        return Task.waiting(statement.keys().get(i), statement.requests().get(i), statement.now());
    }

    @Override
    public int size() {
        return firsts[firsts.length - 1];
    }
}
