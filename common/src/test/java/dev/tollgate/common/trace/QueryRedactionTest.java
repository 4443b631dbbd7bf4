package dev.tollgate.common.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class QueryRedactionTest {

    @Test
    void everyValueIsReplacedAndEveryNameKept() {
        assertEquals("token=REDACTED", QueryRedaction.redact("token=tg_ml_secret"));
        assertEquals("a=REDACTED&REDACTED&b=REDACTED&=REDACTED", QueryRedaction.redact("a=1&tg_ml_secret&b=x=y&=z"));
        assertEquals("a=REDACTED&", QueryRedaction.redact("a=1&"));
        assertEquals("&a=REDACTED", QueryRedaction.redact("&a=1"));
        assertEquals("", QueryRedaction.redact(""));
    }
}
