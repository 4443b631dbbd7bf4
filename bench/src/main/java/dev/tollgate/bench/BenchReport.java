package dev.tollgate.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** What every bench does with its figures: latency percentiles the same way, and a report printed and kept. */
final class BenchReport {

    private BenchReport() {
    }

    /** The {@code p}th percentile (nearest rank) of latencies in nanoseconds, in milliseconds; NaN for none. */
    static double percentileMillis(long[] latenciesNanos, int p) {
        if (latenciesNanos.length == 0) {
            return Double.NaN;
        }
        long[] sorted = latenciesNanos.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)] / 1e6;
    }

    /**
     * User plus system CPU time a process has used, in milliseconds, from {@code /proc/<pid>/stat} (Linux; the
     * kernel counts in ticks of 10 ms).
     */
    static long cpuMillis(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10; // utime + stime, 100 ticks a second
    }

    /** Prints {@code report} and writes it to {@code file} in {@code folder}, saying where. */
    static void write(Path folder, String file, CharSequence report) throws IOException {
        System.out.println();
        System.out.println(report);
        Files.writeString(folder.resolve(file), report);
        System.out.println("report: " + folder.resolve(file));
    }
}
