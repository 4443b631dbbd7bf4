package dev.tollgate.account;

import dev.tollgate.testing.ServiceArchitecture;
import org.junit.jupiter.api.Test;

class AccountArchitectureTest {

    @Test
    void dependsOnNoOtherServiceAndKeepsResourcesThin() {
        ServiceArchitecture.checkService("account");
    }
}
