package dev.kafru.it;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Finds where a server with a fixed port layout (WildFly's port offset, Payara Server's port
 * base) can start without clashing with another server on this machine.
 */
final class FreePorts {

    private FreePorts() {
    }

    /** A number that, added to each of {@code ports}, gives ports all free on the loopback interface. */
    static int offset(List<Integer> ports) {
        for (int attempt = 0; attempt < 50; attempt++) {
            int offset = ThreadLocalRandom.current().nextInt(100, 20_000);
            if (ports.stream().allMatch(port -> isFree(port + offset))) {
                return offset;
            }
        }
        throw new IllegalStateException("no offset with the ports " + ports + " all free");
    }

    private static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
