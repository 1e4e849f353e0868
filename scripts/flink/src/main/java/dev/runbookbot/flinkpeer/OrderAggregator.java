package dev.runbookbot.flinkpeer;

import org.apache.flink.api.common.functions.AggregateFunction;

/** Orders and amount per customer and window. */
public class OrderAggregator implements AggregateFunction<Order, WindowResult, WindowResult> {
    @Override
    public WindowResult createAccumulator() {
        return new WindowResult(-1, 0, 0);
    }

    @Override
    public WindowResult add(Order order, WindowResult acc) {
        return new WindowResult(order.customerId, acc.orders + 1, acc.amountCents + order.amountCents);
    }

    @Override
    public WindowResult getResult(WindowResult acc) {
        return acc;
    }

    @Override
    public WindowResult merge(WindowResult a, WindowResult b) {
        return new WindowResult(Math.max(a.customerId, b.customerId), a.orders + b.orders, a.amountCents + b.amountCents);
    }
}
