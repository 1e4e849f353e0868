package dev.runbookbot.flinkpeer;

/** Orders of one customer in one 5-minute window. */
public class WindowResult {
    public int customerId;
    public long orders;
    public long amountCents;

    public WindowResult() {}

    public WindowResult(int customerId, long orders, long amountCents) {
        this.customerId = customerId;
        this.orders = orders;
        this.amountCents = amountCents;
    }
}
