package dev.tollgate.generation.provider;

import java.time.Duration;

/** A provider asked for a longer pause than the gateway waits ({@code max-retry-delay}): ask the next one. */
public class ProviderBusy extends RuntimeException {

    public ProviderBusy(String provider, Duration pause, Throwable cause) {
        super(provider + " asked for a pause of " + pause.toMillis() + " ms", cause);
    }
}
