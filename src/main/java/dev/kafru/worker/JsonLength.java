package dev.kafru.worker;

import java.util.List;
import java.util.Map;

/** How long a JSON value's text is, counted up to a cap (a result's size without writing it out). */
final class JsonLength {

    private JsonLength() {
    }

    /** The length of {@code value} as JSON, or a number past {@code cap} once it is known to be longer. */
    static int of(Object value, int cap) {
        int[] n = {0};
        count(value, n, cap);
        return n[0];
    }

    private static void count(Object value, int[] n, int cap) {
        if (n[0] > cap) {
            return;
        }
        if (value == null) {
            n[0] += 4;
        } else if (value instanceof String s) {
            n[0] += s.length() + 2;
        } else if (value instanceof Map<?, ?> map) {
            n[0] += 2;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                n[0] += String.valueOf(e.getKey()).length() + 4;
                count(e.getValue(), n, cap);
            }
        } else if (value instanceof List<?> list) {
            n[0] += 2;
            for (Object o : list) {
                n[0] += 1;
                count(o, n, cap);
            }
        } else {
            n[0] += String.valueOf(value).length();
        }
    }
}
