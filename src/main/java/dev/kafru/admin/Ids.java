package dev.kafru.admin;

import jakarta.ws.rs.core.SecurityContext;

/** Record ids from paths, and the caller's name. */
final class Ids {

    static final int MAX_LENGTH = 200;

    private Ids() {
    }

    /** An id as given in a path: a record key, with or without its table; at most 200 characters. */
    static String check(String id) {
        if (id == null || id.isBlank()) {
            throw ProblemException.invalid("id", "id is empty: give the record key");
        }
        if (id.length() > MAX_LENGTH) {
            throw ProblemException.invalid("id", "id is longer than " + MAX_LENGTH + " characters; record keys are shorter");
        }
        return id;
    }

    static String user(SecurityContext security) {
        return security == null || security.getUserPrincipal() == null ? null : security.getUserPrincipal().getName();
    }
}
