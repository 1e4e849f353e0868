package dev.runbookbot.flinkpeer;

import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;

/**
 * Bounded out-of-orderness watermarks (like WatermarkStrategy.forBoundedOutOfOrderness), except:
 * "no-watermark" emits none while on (downstream stays at Long.MIN_VALUE), "stuck-watermark"
 * emits nothing new once one was emitted (the watermark stops advancing while orders still flow).
 */
public class PeerWatermarks implements WatermarkGenerator<Order> {
    private final long outOfOrdernessMs;
    private long maxTimestamp = Long.MIN_VALUE;
    private boolean emitted;

    public PeerWatermarks(long outOfOrdernessMs) {
        this.outOfOrdernessMs = outOfOrdernessMs;
    }

    @Override
    public void onEvent(Order event, long eventTimestamp, WatermarkOutput output) {
        maxTimestamp = Math.max(maxTimestamp, eventTimestamp);
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {
        if (maxTimestamp == Long.MIN_VALUE) return;
        if (Faults.on(Faults.NO_WATERMARK)) return;
        if (Faults.on(Faults.STUCK_WATERMARK) && emitted) return;
        output.emitWatermark(new Watermark(maxTimestamp - outOfOrdernessMs - 1));
        emitted = true;
    }
}
