package dev.kafru;

import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;

import javax.naming.InitialContext;
import javax.naming.NamingException;
import javax.naming.NoInitialContextException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * Pushes made inside an active JTA transaction wait for it: each transaction's pushes are held by
 * one interposed synchronization and stored in one write after it commits, or dropped when it
 * rolls back. The {@link TransactionSynchronizationRegistry} is looked up lazily at its standard
 * JNDI name, the same on Payara and WildFly; where there is none (CDI without JTA) every push is
 * stored at once.
 *
 * <p>The write runs in {@code afterCompletion}, after the transaction's resources committed: a
 * server that dies in between loses those tasks (at most once for that window, the write's round
 * trip), and a write that fails is logged as SEVERE with the tasks' ids.
 */
final class PushesOnCommit {

    /** The registry's name in every Jakarta EE server (Jakarta EE Platform, "TransactionSynchronizationRegistry"). */
    static final String REGISTRY = "java:comp/TransactionSynchronizationRegistry";
    private static final Logger LOG = Logger.getLogger(PushesOnCommit.class.getName());

    /** The requests of one INSERT statement and the keys made for them before the write. */
    record Statement(List<TaskRequest> requests, List<String> keys) {
    }

    private final Function<List<Statement>, List<Task>> write;
    private final int statementRows;
    private final Object resourceKey = new Object();
    private volatile TransactionSynchronizationRegistry registry;
    private volatile boolean noJndi;

    /**
     * @param write         stores statements, as a push outside a transaction does
     * @param statementRows the most requests one statement holds
     */
    PushesOnCommit(Function<List<Statement>, List<Task>> write, int statementRows) {
        this.write = write;
        this.statementRows = statementRows;
    }

    /**
     * The pushes held for the caller's transaction, or null when there is no active transaction
     * (or no JTA) and a push is stored at once. A transaction already marked for rollback gets a
     * holder that is never written.
     */
    Held current() {
        TransactionSynchronizationRegistry tsr = registry();
        if (tsr == null) {
            return null;
        }
        int status = tsr.getTransactionStatus();
        if (status != Status.STATUS_ACTIVE && status != Status.STATUS_MARKED_ROLLBACK) {
            return null; // none, or one already completing (a push from another synchronization)
        }
        Held held = (Held) tsr.getResource(resourceKey);
        if (held == null) {
            held = new Held();
            if (status == Status.STATUS_ACTIVE) {
                tsr.registerInterposedSynchronization(held);
            }
            tsr.putResource(resourceKey, held);
        }
        return held;
    }

    private TransactionSynchronizationRegistry registry() {
        TransactionSynchronizationRegistry found = registry;
        if (found != null || noJndi) {
            return found;
        }
        try {
            found = (TransactionSynchronizationRegistry) new InitialContext().lookup(REGISTRY);
            registry = found;
            return found;
        } catch (NoInitialContextException e) {
            noJndi = true; // embedded without JNDI: no transactions to wait for, ever
            LOG.fine(() -> "no JNDI, so no JTA: every push is stored at once (" + e + ")");
            return null;
        } catch (NamingException | ClassCastException e) {
            // no registry here (a thread without a component context, a container without JTA): at once this time
            LOG.fine(() -> "no " + REGISTRY + " here: the push is stored at once (" + e + ")");
            return null;
        }
    }

    /** One transaction's pushes, in statements of at most {@code statementRows}; one push's statement is never split. */
    final class Held implements Synchronization {

        private final List<Statement> statements = new ArrayList<>();
        private int held;
        private boolean ended;

        /** Adds one statement's requests with their keys; false when the transaction is already ending (store them at once). */
        synchronized boolean add(List<TaskRequest> requests, List<String> keys) {
            if (ended) {
                return false;
            }
            Statement last = statements.isEmpty() ? null : statements.get(statements.size() - 1);
            if (last != null && last.requests().size() + requests.size() <= statementRows) {
                last.requests().addAll(requests);
                last.keys().addAll(keys);
            } else {
                statements.add(new Statement(new ArrayList<>(requests), new ArrayList<>(keys)));
            }
            held += requests.size();
            return true;
        }

        @Override
        public void beforeCompletion() {
        }

        @Override
        public void afterCompletion(int status) {
            List<Statement> toWrite;
            synchronized (this) {
                ended = true;
                toWrite = List.copyOf(statements);
            }
            if (toWrite.isEmpty()) {
                return; // every push of it was refused before it was held
            }
            if (status != Status.STATUS_COMMITTED) {
                LOG.fine(() -> "the transaction ended with status " + status + ": its " + held + " pushed tasks are dropped");
                return;
            }
            long start = System.nanoTime();
            try {
                write.apply(toWrite);
                LOG.fine(() -> "stored the " + held + " tasks of a committed transaction in "
                        + (System.nanoTime() - start) / 1_000 + " µs");
            } catch (RuntimeException e) {
                LOG.log(Level.SEVERE, "a transaction committed but kafru could not store the " + held
                        + " tasks pushed in it; they are lost unless pushed again: "
                        + toWrite.stream().flatMap(s -> s.keys().stream()).collect(Collectors.joining(", ")), e);
            }
        }
    }
}
