package dev.runbookbot.flinkpeer;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;

/**
 * Enrichment: adds the customer's region from a cache that is operator state (so checkpoints carry
 * real bytes: stateKb per subtask). "backpressure": every order waits for a slow enrichment API
 * (slowRecordMs), so the source behind it is back-pressured. "slow-sync": snapshotState (the
 * synchronous phase of a checkpoint) sleeps slowSyncMs.
 */
public class Enrichment implements MapFunction<Order, Order>, CheckpointedFunction {
    private static final String[] REGIONS = {"eu-west-1", "eu-central-1", "us-east-1", "ap-south-1"};
    private final int stateKb;
    private final long slowRecordMs;
    private final long slowSyncMs;
    private transient ListState<String> cacheState;
    private transient List<String> cache;

    public Enrichment(int stateKb, long slowRecordMs, long slowSyncMs) {
        this.stateKb = stateKb;
        this.slowRecordMs = slowRecordMs;
        this.slowSyncMs = slowSyncMs;
    }

    @Override
    public Order map(Order order) throws Exception {
        if (Faults.on(Faults.BACKPRESSURE)) Thread.sleep(slowRecordMs);
        order.region = REGIONS[Math.floorMod(order.customerId, REGIONS.length)];
        // Refresh one cache entry per order: the state changes between checkpoints.
        if (!cache.isEmpty()) {
            int slot = (int) Math.floorMod(order.eventTime, (long) cache.size());
            cache.set(slot, entry(order.customerId, order.eventTime));
        }
        return order;
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        if (Faults.on(Faults.SLOW_SYNC)) Thread.sleep(slowSyncMs);
        cacheState.update(new ArrayList<>(cache));
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        cacheState = context.getOperatorStateStore().getListState(new ListStateDescriptor<>("customer-cache", String.class));
        cache = new ArrayList<>();
        for (String e : cacheState.get()) cache.add(e);
        // About stateKb KB of entries of 64 characters.
        int entries = Math.max(1, stateKb * 1024 / 64);
        for (int i = cache.size(); i < entries; i++) cache.add(entry(i, i));
    }

    private static String entry(int customer, long seed) {
        StringBuilder b = new StringBuilder(64);
        b.append("customer-").append(customer).append('|').append(REGIONS[Math.floorMod(customer, REGIONS.length)]).append('|');
        long x = seed * 6364136223846793005L + 1442695040888963407L;
        while (b.length() < 64) {
            b.append(Long.toHexString(x));
            x = x * 6364136223846793005L + 1442695040888963407L;
        }
        b.setLength(64);
        return b.toString();
    }
}
