package dev.kafru.admin;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KafruUsersTest {

    private static KafruUsers users(String admin, String password, String more, List<String> log) {
        KafruUsers users = new KafruUsers();
        users.adminName = admin;
        users.adminPassword = Optional.ofNullable(password);
        users.users = Optional.ofNullable(more);
        users.loadWith(log::add);
        return users;
    }

    @Test
    void withoutAConfiguredPasswordOneIsGeneratedLoggedOnceAndWorks() {
        List<String> log = new ArrayList<>();
        KafruUsers users = users("admin", null, null, log);
        assertEquals(1, log.size(), log.toString());
        String generated = log.get(0).substring(log.get(0).lastIndexOf(' ') + 1);
        assertTrue(generated.length() >= 20, generated);
        assertEquals(Optional.of(new KafruUsers.Caller("admin", KafruUsers.ADMIN)), users.authenticate("admin", generated));
        assertTrue(users.authenticate("admin", "").isEmpty());
        assertTrue(users.authenticate("admin", "admin").isEmpty());

        List<String> again = new ArrayList<>();
        users("admin", null, null, again);
        assertFalse(again.get(0).endsWith(generated), "a new start generates a new password");
    }

    @Test
    void aConfiguredPasswordIsNotLoggedAndOnlyItWorks() {
        List<String> log = new ArrayList<>();
        KafruUsers users = users("root", "s3cret:with,odd chars", null, log);
        assertTrue(log.isEmpty(), log.toString());
        assertTrue(users.authenticate("root", "s3cret:with,odd chars").isPresent());
        assertTrue(users.authenticate("root", "s3cret").isEmpty());
        assertTrue(users.authenticate("admin", "s3cret:with,odd chars").isEmpty());
    }

    @Test
    void moreUsersTakePlainOrHashedPasswordsAndTheirRoles() {
        String hash = PasswordHash.create("view-pw".toCharArray(), 1_000);
        KafruUsers users = users("admin", "a", "viewer:kafru-viewer:" + hash + ", ops:kafru-admin:comma\\,pw", new ArrayList<>());
        assertEquals(Optional.of(new KafruUsers.Caller("viewer", KafruUsers.VIEWER)), users.authenticate("viewer", "view-pw"));
        assertTrue(users.authenticate("viewer", hash).isEmpty(), "the hash itself is not the password");
        assertTrue(users.authenticate("viewer", "view-pw ").isEmpty());
        // verified once, then remembered: still right, and still refusing others
        assertTrue(users.authenticate("viewer", "view-pw").isPresent());
        assertTrue(users.authenticate("viewer", "view-pX").isEmpty());
        assertEquals(Optional.of(new KafruUsers.Caller("ops", KafruUsers.ADMIN)), users.authenticate("ops", "comma,pw"));
    }

    @Test
    void aBadEntryFailsNamingTheEntryAndTheFixButNotThePassword() {
        Map<String, String> cases = Map.of(
                "bob:kafru-root:hunter2", "entry 1 (bob): role 'kafru-root' is not kafru-admin or kafru-viewer",
                "bob:kafru-viewer", "entry 1 is not name:role:password",
                "a:kafru-viewer:x,bob hope:kafru-admin:hunter2", "entry 2: 'bob hope' is not a user name",
                "admin:kafru-viewer:hunter2", "entry 1: user 'admin' is defined twice",
                "bob:kafru-viewer:PBKDF2WithHmacSHA256:10:AAAA:BBBB", "iteration count 10 is out of range",
                "bob:kafru-viewer:PBKDF2WithHmacMD5:1000:AAAA:BBBB", "unknown hash algorithm");
        cases.forEach((entry, expected) -> {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> KafruUsers.accounts("admin", "pw", entry, s -> { }));
            assertTrue(e.getMessage().contains(expected), entry + " -> " + e.getMessage());
            assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
        });
    }

    @Test
    void basicHeadersAreReadAndOthersAreNot() {
        String header = "Basic " + java.util.Base64.getEncoder().encodeToString("ops:pa:ss".getBytes());
        assertEquals(List.of("ops", "pa:ss"), List.of(KafruAuthentication.basic(header).orElseThrow()));
        assertTrue(KafruAuthentication.basic("Bearer abc").isEmpty());
        assertTrue(KafruAuthentication.basic("Basic !!!").isEmpty());
        assertTrue(KafruAuthentication.basic("Basic " + java.util.Base64.getEncoder().encodeToString("nocolon".getBytes())).isEmpty());
    }
}
