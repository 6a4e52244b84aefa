package dev.kafru.bench;

import java.util.Map;

final class KafruContainer {
    static Map<String, Double> throughput(Bench.Options o, int servers) { throw new UnsupportedOperationException("not yet"); }
    static Map<String, Double> latency(Bench.Options o) { throw new UnsupportedOperationException("not yet"); }
    static Map<String, Double> run(Bench.Options o) { throw new UnsupportedOperationException("not yet"); }
}
