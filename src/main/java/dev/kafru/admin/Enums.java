package dev.kafru.admin;

import java.util.Arrays;

/** Enum values by their exact name, refusing others with the list of valid ones. */
final class Enums {

    private Enums() {
    }

    static <E extends Enum<E>> E parse(String field, Class<E> type, String value) {
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equals(value)) {
                return constant;
            }
        }
        throw ProblemException.invalid(field, field + " '" + JsonText.abbreviate(value) + "' is not one of "
                + String.join(", ", Arrays.stream(type.getEnumConstants()).map(Enum::name).toList()));
    }
}
