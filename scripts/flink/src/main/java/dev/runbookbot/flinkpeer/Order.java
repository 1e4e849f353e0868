package dev.runbookbot.flinkpeer;

/** One order as read from "orders.raw" (a POJO, so Flink serializes it without Kryo). */
public class Order {
    public String orderId;
    public int customerId;
    public long amountCents;
    public long eventTime;
    public String region;

    public Order() {}

    public Order(String orderId, int customerId, long amountCents, long eventTime) {
        this.orderId = orderId;
        this.customerId = customerId;
        this.amountCents = amountCents;
        this.eventTime = eventTime;
    }
}
