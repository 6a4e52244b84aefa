package dev.kafru.store.surreal;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@link Units#member} reads a member's key by hand: it must agree with {@link Units#MEMBER} on every key. */
class UnitsTest {

    private static Units.Member byExpression(String key) {
        Matcher m = Units.MEMBER.matcher(key);
        return m.matches() ? new Units.Member(m.group(1), Integer.parseInt(m.group(2))) : null;
    }

    @Test
    void aMembersKeyIsReadAsTheExpressionReadsIt() {
        String unit = "abcdefghij0123456789";
        List<String> keys = new ArrayList<>(List.of(unit + "-0", unit + "-7", unit + "-12345", unit + "-00042", unit + "-123456",
                unit + "-", unit + "_5", unit + "-5x", unit + "-x5", "ABCDEFGHIJ0123456789-1", "abcdefghij012345678-1",
                "abcdefghij01234567890-1", unit, "", "-1", unit + "--1", unit + "-+1", unit + "-١"));
        Random random = new Random(7);
        String alphabet = "abcz09-_A+";
        for (int i = 0; i < 20_000; i++) {
            StringBuilder key = new StringBuilder(random.nextBoolean() ? unit.substring(0, random.nextInt(21)) : "");
            int more = random.nextInt(28 - key.length());
            for (int j = 0; j < more; j++) {
                key.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            keys.add(key.toString());
            keys.add(unit + "-" + random.nextInt(100_000));
        }
        int members = 0;
        for (String key : keys) {
            assertEquals(byExpression(key), Units.member(key), key);
            members += Units.member(key) != null ? 1 : 0;
        }
        assertEquals(12345, Units.member(unit + "-12345").slot());
        assertEquals(unit, Units.member(unit + "-3").unit());
        assertNull(Units.member(unit + "-123456"), "at most 5 digits");
        assertNotNull(Units.member(Units.memberKey(unit, 99_999)));
        assertEquals(true, members > 20_000, members + " member keys among " + keys.size());
    }

    @Test
    void aPushsCompactKeysReadAsTheStringsTheyStandFor() {
        String unit = "abcdefghij0123456789";
        String row = "zyxwvutsrq9876543210";
        Units.Keys keys = new Units.Keys(new String[] {unit, unit, row, unit}, new int[] {0, 1, -1, 499});
        List<String> strings = List.of(unit + "-0", unit + "-1", row, unit + "-499");
        assertEquals(strings, keys);
        for (int i = 0; i < keys.size(); i++) {
            assertEquals(Units.member(strings.get(i)), Units.member(keys, i), "key " + i);
            assertEquals(Units.member(strings.get(i)), Units.member(strings, i), "key " + i);
        }
        assertNull(Units.member(keys, 2), "a row's key names no unit");
        assertEquals(true, Units.isSlot(keys, 3, unit, 499));
        assertEquals(true, Units.isSlot(strings, 3, unit, 499));
        assertEquals(false, Units.isSlot(keys, 3, unit, 498));
        assertEquals(false, Units.isSlot(keys, 1, row, 1));
        assertEquals(false, Units.isSlot(keys, 2, row, 0));
        assertEquals(false, Units.isSlot(strings, 2, row, 0));
        assertThrows(UnsupportedOperationException.class, () -> keys.set(0, "x"));
    }
}
