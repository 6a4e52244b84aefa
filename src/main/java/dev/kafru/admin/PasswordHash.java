package dev.kafru.admin;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * PBKDF2 password hashes in the format of Jakarta Security's {@code Pbkdf2PasswordHash}:
 * {@code PBKDF2WithHmacSHA256:ITERATIONS:SALT:HASH} (salt and hash in Base64), so a hash made by
 * either verifies with the other. Make one for {@code kafru.users} with
 *
 * <pre>{@code java -cp kafru-classes.jar dev.kafru.admin.PasswordHash 'the password'}</pre>
 */
public final class PasswordHash {

    static final Set<String> ALGORITHMS = Set.of("PBKDF2WithHmacSHA224", "PBKDF2WithHmacSHA256", "PBKDF2WithHmacSHA384",
            "PBKDF2WithHmacSHA512");
    static final int DEFAULT_ITERATIONS = 210_000;

    private final String algorithm;
    private final int iterations;
    private final byte[] salt;
    private final byte[] hash;

    private PasswordHash(String algorithm, int iterations, byte[] salt, byte[] hash) {
        this.algorithm = algorithm;
        this.iterations = iterations;
        this.salt = salt;
        this.hash = hash;
    }

    /** True when the text looks like a PBKDF2 hash (it starts with a PBKDF2 algorithm name and a colon). */
    static boolean looksHashed(String text) {
        int colon = text.indexOf(':');
        return colon > 0 && text.substring(0, colon).startsWith("PBKDF2With");
    }

    /**
     * Reads a stored hash.
     *
     * @throws IllegalArgumentException saying what is wrong with it (never echoing it)
     */
    static PasswordHash parse(String text) {
        String[] parts = text.split(":", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("a PBKDF2 hash has 4 parts ALGORITHM:ITERATIONS:SALT:HASH, this one has " + parts.length);
        }
        if (!ALGORITHMS.contains(parts[0])) {
            throw new IllegalArgumentException("unknown hash algorithm '" + parts[0] + "': use one of " + ALGORITHMS);
        }
        int iterations;
        try {
            iterations = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("the iteration count '" + parts[1] + "' is not a number");
        }
        if (iterations < 1_000 || iterations > 10_000_000) {
            throw new IllegalArgumentException("the iteration count " + iterations + " is out of range: use 1000 to 10000000");
        }
        try {
            byte[] salt = Base64.getDecoder().decode(parts[2]);
            byte[] hash = Base64.getDecoder().decode(parts[3]);
            if (salt.length < 8 || hash.length < 16) {
                throw new IllegalArgumentException("the salt (" + salt.length + " bytes) or hash (" + hash.length
                        + " bytes) is too short: at least 8 and 16 bytes");
            }
            return new PasswordHash(parts[0], iterations, salt, hash);
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("the salt")) {
                throw e;
            }
            throw new IllegalArgumentException("the salt or hash is not Base64");
        }
    }

    /** A new hash of the password with a random salt and 210,000 iterations, for {@code kafru.users}. */
    public static String of(String password) {
        return create(password.toCharArray(), DEFAULT_ITERATIONS);
    }

    /** A new hash of the password with a random salt. */
    static String create(char[] password, int iterations) {
        byte[] salt = new byte[32];
        new SecureRandom().nextBytes(salt);
        byte[] hash = derive("PBKDF2WithHmacSHA256", password, salt, iterations, 32);
        Base64.Encoder b64 = Base64.getEncoder();
        return "PBKDF2WithHmacSHA256:" + iterations + ":" + b64.encodeToString(salt) + ":" + b64.encodeToString(hash);
    }

    boolean matches(char[] password) {
        return MessageDigest.isEqual(hash, derive(algorithm, password, salt, iterations, hash.length));
    }

    private static byte[] derive(String algorithm, char[] password, byte[] salt, int iterations, int bytes) {
        try {
            PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, bytes * 8);
            try {
                return SecretKeyFactory.getInstance(algorithm).generateSecret(spec).getEncoded();
            } finally {
                spec.clearPassword();
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(algorithm + " is not available in this JVM", e);
        }
    }

    /** Prints a hash of the password given as the argument (or read from standard input). */
    public static void main(String[] args) throws IOException {
        String password = args.length > 0 ? args[0]
                : new String(System.in.readAllBytes(), StandardCharsets.UTF_8).strip();
        if (password.isEmpty()) {
            System.err.println("usage: PasswordHash PASSWORD   (or the password on standard input)");
            System.exit(2);
        }
        System.out.println(create(password.toCharArray(), DEFAULT_ITERATIONS));
    }
}
