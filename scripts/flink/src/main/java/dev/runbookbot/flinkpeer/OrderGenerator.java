package dev.runbookbot.flinkpeer;

import org.apache.flink.connector.datagen.source.GeneratorFunction;

/** The n-th generated order: event time = now (the source is rate-limited, so "now" is live). */
public class OrderGenerator implements GeneratorFunction<Long, Order> {
    @Override
    public Order map(Long n) {
        long i = n;
        return new Order("o-" + i, (int) (Math.floorMod(i * 7919L, 500L)), 100 + Math.floorMod(i * 31L, 20000L), System.currentTimeMillis());
    }
}
