package dev.kafru.bench;

import java.util.Map;

final class ScaleBench {
    static Map<String, Double> run(Bench.Options o) { throw new UnsupportedOperationException("not yet"); }
}
