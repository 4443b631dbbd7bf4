package dev.tollgate.common.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class QueryRedactionTest {

    @Test
    void everyValueIsReplacedAndEveryNameKept() {
        assertEquals("token=REDACTED", QueryRedaction.redact("token=tg_ml_secret"));
        assertEquals("a=REDACTED&flag&b=REDACTED&=REDACTED", QueryRedaction.redact("a=1&flag&b=x=y&=z"));
        assertEquals("", QueryRedaction.redact(""));
    }
}
