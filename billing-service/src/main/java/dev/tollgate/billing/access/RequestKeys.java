package dev.tollgate.billing.access;

import dev.tollgate.common.error.Problems;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The client's {@code Idempotency-Key} for a request that changes something at Stripe: a client that sends the
 * same key again (a retry after a lost answer) makes the same request to Stripe, which applies it once. Without
 * one, each request gets its own.
 */
public final class RequestKeys {

    public static final String HEADER = "Idempotency-Key";
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._:-]{1,100}");

    private RequestKeys() {
    }

    public static String of(String header) {
        if (header == null || header.isBlank()) {
            return UUID.randomUUID().toString();
        }
        if (!VALID.matcher(header).matches()) {
            throw Problems.badRequest("idempotency-key-invalid", "Idempotency Key Invalid",
                    "Idempotency-Key must be 1 to 100 letters, digits or . _ : -");
        }
        return header;
    }
}
