package dev.runbookbot.flinkpeer;

import org.apache.flink.api.common.functions.MapFunction;

/**
 * Parse/validate, chained to the source. With "crash-loop" or "failed" on it throws once the task
 * has run for a while: an IllegalArgumentException about a malformed order, caused by a
 * NumberFormatException (the real cause is the last "Caused by:").
 */
public class ParseValidate implements MapFunction<Order, Order> {
    private final long crashAfterMs;
    private transient long openedAt;

    public ParseValidate(long crashAfterMs) {
        this.crashAfterMs = crashAfterMs;
    }

    @Override
    public Order map(Order order) {
        // Set on the first record (open() differs between Flink 1.x and 2.x).
        if (openedAt == 0) openedAt = System.currentTimeMillis();
        if ((Faults.on(Faults.CRASH_LOOP) || Faults.on(Faults.FAILED))
                && System.currentTimeMillis() - openedAt >= crashAfterMs) {
            String raw = "12,50";
            try {
                Long.parseLong(raw);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        "order " + order.orderId + " from orders.raw is malformed: amount \"" + raw + "\" is not a number", e);
            }
        }
        if (order.amountCents <= 0) throw new IllegalArgumentException("order " + order.orderId + " has no amount");
        return order;
    }
}
