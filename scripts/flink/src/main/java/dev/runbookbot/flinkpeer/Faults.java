package dev.runbookbot.flinkpeer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The faults switched on in this JVM. The MiniCluster runs the job's operators in this JVM and from
 * the application class path, so the operators and the s3 file system read this one static set.
 *
 * <p>The set starts as the scenario given on the command line. When a control file is given, a
 * daemon thread re-reads it every 200 ms; when the file exists, its words (fault names separated
 * by commas, spaces or new lines) replace the set, so a test can switch a fault off ("the fix
 * worked") or on while the job runs.
 */
public final class Faults {
    public static final String S3_403 = "s3-403";
    public static final String S3_SLOW = "s3-slow";
    public static final String SLOW_SYNC = "slow-sync";
    public static final String BACKPRESSURE = "backpressure";
    public static final String CRASH_LOOP = "crash-loop";
    public static final String FAILED = "failed";
    public static final String STUCK_WATERMARK = "stuck-watermark";
    public static final String NO_WATERMARK = "no-watermark";

    public static final Set<String> KNOWN =
            Collections.unmodifiableSet(
                    new TreeSet<>(
                            Arrays.asList(
                                    S3_403,
                                    S3_SLOW,
                                    SLOW_SYNC,
                                    BACKPRESSURE,
                                    CRASH_LOOP,
                                    FAILED,
                                    STUCK_WATERMARK,
                                    NO_WATERMARK)));

    private static volatile Set<String> active = Collections.emptySet();

    private Faults() {}

    public static boolean on(String fault) {
        return active.contains(fault);
    }

    public static Set<String> active() {
        return active;
    }

    /** Parses "a,b c" into known fault names; "healthy" and blanks mean none. */
    public static Set<String> parse(String text) {
        Set<String> result = new TreeSet<>();
        for (String word : text.split("[,\\s]+")) {
            String w = word.trim();
            if (w.isEmpty() || w.equals("healthy")) continue;
            if (!KNOWN.contains(w)) {
                throw new IllegalArgumentException("unknown fault \"" + w + "\"; known: healthy, " + KNOWN);
            }
            result.add(w);
        }
        return Collections.unmodifiableSet(result);
    }

    public static void set(Set<String> faults) {
        active = faults;
    }

    /** Polls the control file (when not null) for the lifetime of the JVM. */
    public static void watch(Path controlFile) {
        if (controlFile == null) return;
        Thread t =
                new Thread(
                        () -> {
                            String last = null;
                            while (true) {
                                try {
                                    if (Files.exists(controlFile)) {
                                        String text =
                                                new String(Files.readAllBytes(controlFile), StandardCharsets.UTF_8);
                                        if (!text.equals(last)) {
                                            last = text;
                                            try {
                                                Set<String> next = parse(text);
                                                active = next;
                                                System.out.println("FAULTS " + String.join(",", next));
                                            } catch (IllegalArgumentException e) {
                                                System.out.println("FAULTS-REFUSED " + e.getMessage());
                                            }
                                        }
                                    }
                                    Thread.sleep(200);
                                } catch (InterruptedException e) {
                                    return;
                                } catch (Exception e) {
                                    // a half-written file: read it again next time
                                }
                            }
                        },
                        "flink-peer-fault-control");
        t.setDaemon(true);
        t.start();
    }

    public static String describe() {
        return active.isEmpty() ? "healthy" : active.stream().collect(Collectors.joining(","));
    }
}
