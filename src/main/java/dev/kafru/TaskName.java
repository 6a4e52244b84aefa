package dev.kafru;

import jakarta.enterprise.util.AnnotationLiteral;
import jakarta.inject.Qualifier;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Names a {@link TaskHandler} bean; the name is what {@link KafruQueue#push} refers to.
 *
 * <pre>{@code
 * @TaskName("send-invoice")
 * @ApplicationScoped
 * public class SendInvoice implements TaskHandler {
 *     public void run(TaskContext ctx) { ... }
 * }
 * }</pre>
 *
 * Two beans with the same name fail deployment.
 */
@Qualifier
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER})
public @interface TaskName {

    /** The handler's name: letters, digits, '-', '_', '.', ':' — at most 100 characters. */
    String value();

    /** Selects a handler by name, e.g. {@code Instance<TaskHandler>.select(TaskName.Literal.of("x"))}. */
    final class Literal extends AnnotationLiteral<TaskName> implements TaskName {
        private static final long serialVersionUID = 1L;
        private final String value;

        private Literal(String value) {
            this.value = value;
        }

        public static Literal of(String value) {
            return new Literal(value);
        }

        @Override
        public String value() {
            return value;
        }
    }
}
