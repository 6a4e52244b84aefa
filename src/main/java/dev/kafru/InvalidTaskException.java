package dev.kafru;

/** Input that kafru refuses, naming the field at fault. Nothing was stored. */
public class InvalidTaskException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;
    private final String field;

    public InvalidTaskException(String field, String message) {
        super(message);
        this.field = field;
    }

    /** The field at fault, as the admin API and {@link TaskRequest} name it. */
    public String field() {
        return field;
    }
}
