package dev.kafru.admin;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * The admin API's users, from MicroProfile Config: {@code kafru.admin.username} /
 * {@code kafru.admin.password} (role kafru-admin; when no password is set, one is generated at
 * start and logged once) and {@code kafru.users} ({@code name:role:password,…}, the password
 * plain or a {@link PasswordHash PBKDF2 hash}). A bad entry fails the deployment with a message
 * naming the entry and the fix, never the password.
 *
 * <p>These users exist only for kafru's admin paths: they are deliberately not a Jakarta
 * Security {@code IdentityStore} bean, which would let them log in to the application that
 * embeds kafru.
 */
@ApplicationScoped
public class KafruUsers {

    public static final String ADMIN = "kafru-admin";
    public static final String VIEWER = "kafru-viewer";
    static final Set<String> ROLES = Set.of(ADMIN, VIEWER);
    private static final Logger LOG = Logger.getLogger(KafruUsers.class.getName());
    private static final Pattern USER_NAME = Pattern.compile("[A-Za-z0-9_.@\\-]{1,64}");

    @Inject
    @ConfigProperty(name = "kafru.admin.username", defaultValue = "admin")
    String adminName;

    @Inject
    @ConfigProperty(name = "kafru.admin.password")
    Optional<String> adminPassword;

    @Inject
    @ConfigProperty(name = "kafru.users")
    Optional<String> users;

    private Map<String, Account> accounts;
    private final byte[] cacheSalt = new byte[16];
    private final Set<String> verified = ConcurrentHashMap.newKeySet();

    /** One user: a name, a role and how to check the password. */
    record Account(String name, String role, PasswordHash hash, byte[] plainDigest) {
    }

    /** A caller whose password checked out. */
    public record Caller(String name, String role) {
    }

    @PostConstruct
    void load() {
        loadWith(LOG::warning);
    }

    void loadWith(Consumer<String> log) {
        accounts = accounts(adminName, adminPassword.orElse(null), users.orElse(null), log);
        new SecureRandom().nextBytes(cacheSalt);
    }

    /** Loads the users (and logs a generated admin password) when the application starts. */
    void start(@Observes @Initialized(ApplicationScoped.class) Object started) {
        LOG.fine(() -> "kafru admin users: " + accounts.keySet());
    }

    /**
     * Reads the users from the configured values.
     *
     * @param log where a generated admin password is written (once)
     * @throws IllegalStateException naming the entry at fault and the fix
     */
    static Map<String, Account> accounts(String adminName, String adminPassword, String users, Consumer<String> log) {
        Map<String, Account> accounts = new LinkedHashMap<>();
        if (adminName == null || !USER_NAME.matcher(adminName).matches()) {
            throw new IllegalStateException("kafru.admin.username '" + adminName
                    + "' is not a user name: use letters, digits, _ . @ - (1 to 64 characters)");
        }
        String password = adminPassword;
        if (password == null || password.isEmpty()) {
            byte[] random = new byte[18];
            new SecureRandom().nextBytes(random);
            password = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
            log.accept("kafru generated the admin password for user '" + adminName + "' (set kafru.admin.password,"
                    + " or KAFRU_ADMIN_PASSWORD, to choose it; it changes at every start): " + password);
        }
        accounts.put(adminName, account("kafru.admin.password", adminName, ADMIN, password));
        if (users != null && !users.isBlank()) {
            List<String> entries = splitList(users);
            for (int i = 0; i < entries.size(); i++) {
                String entry = entries.get(i).strip();
                String where = "kafru.users entry " + (i + 1);
                String[] parts = entry.split(":", 3);
                if (parts.length != 3) {
                    throw new IllegalStateException(where + " is not name:role:password (found " + (parts.length - 1)
                            + " colon(s)); separate users with commas");
                }
                if (!USER_NAME.matcher(parts[0]).matches()) {
                    throw new IllegalStateException(where + ": '" + parts[0] + "' is not a user name: use letters, digits, _ . @ -");
                }
                if (!ROLES.contains(parts[1])) {
                    throw new IllegalStateException(where + " (" + parts[0] + "): role '" + parts[1] + "' is not "
                            + ADMIN + " or " + VIEWER);
                }
                if (accounts.containsKey(parts[0])) {
                    throw new IllegalStateException(where + ": user '" + parts[0] + "' is defined twice");
                }
                accounts.put(parts[0], account(where + " (" + parts[0] + ")", parts[0], parts[1], parts[2]));
            }
        }
        return Map.copyOf(accounts);
    }

    private static Account account(String where, String name, String role, String password) {
        if (password.isEmpty()) {
            throw new IllegalStateException(where + ": the password is empty");
        }
        if (PasswordHash.looksHashed(password)) {
            try {
                return new Account(name, role, PasswordHash.parse(password), null);
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException(where + ": " + e.getMessage()
                        + " (make one with: java -cp kafru-classes.jar dev.kafru.admin.PasswordHash PASSWORD)");
            }
        }
        return new Account(name, role, null, sha256(password.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Checks {@code kafru.admin.username}, {@code kafru.admin.password} and {@code kafru.users} as
     * {@link #accounts} reads them, without logging a generated password.
     *
     * @return the user names
     * @throws IllegalStateException naming the entry at fault and the fix (never a password)
     */
    public static Set<String> check(org.eclipse.microprofile.config.Config config) {
        return accounts(config.getOptionalValue("kafru.admin.username", String.class).orElse("admin"),
                config.getOptionalValue("kafru.admin.password", String.class).orElse(null),
                config.getOptionalValue("kafru.users", String.class).orElse(null), generated -> {
                }).keySet();
    }

    /** Splits an MP Config list value on commas that are not escaped with a backslash. */
    static List<String> splitList(String value) {
        List<String> items = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\' && i + 1 < value.length() && value.charAt(i + 1) == ',') {
                current.append(',');
                i++;
            } else if (c == ',') {
                items.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        items.add(current.toString());
        return items.stream().filter(s -> !s.isBlank()).toList();
    }

    /** The caller when the name and password match a user; empty otherwise. */
    public Optional<Caller> authenticate(String name, String password) {
        Account account = accounts.get(name);
        byte[] given = password.getBytes(StandardCharsets.UTF_8);
        if (account == null) {
            return Optional.empty();
        }
        if (account.plainDigest() != null) {
            return MessageDigest.isEqual(account.plainDigest(), sha256(given)) ? caller(account) : Optional.empty();
        }
        // PBKDF2 is slow on purpose; Basic sends the password with every request, so a password
        // once verified is remembered (as a salted digest) for this process
        String remembered = name + ":" + Base64.getEncoder().encodeToString(sha256(concat(cacheSalt, given)));
        if (verified.contains(remembered)) {
            return caller(account);
        }
        if (account.hash().matches(password.toCharArray())) {
            if (verified.size() < 10_000) {
                verified.add(remembered);
            }
            return caller(account);
        }
        return Optional.empty();
    }

    private static Optional<Caller> caller(Account account) {
        return Optional.of(new Caller(account.name(), account.role()));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
