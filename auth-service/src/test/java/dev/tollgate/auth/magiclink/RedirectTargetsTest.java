package dev.tollgate.auth.magiclink;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tollgate.auth.magiclink.RedirectTargets.Verdict;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Redirect targets judged as parsed URLs against the allowed ones, case by case. */
class RedirectTargetsTest {

    private static final List<String> ALLOWED = List.of("https://app.example.com/", "http://localhost:3000/",
            "https://example.org/app");

    @Test
    void everyCaseGetsItsVerdict() {
        Map<String, Verdict> cases = new LinkedHashMap<>();
        cases.put("https://app.example.com/", Verdict.ALLOWED);
        cases.put("https://app.example.com/welcome?x=1#top", Verdict.ALLOWED);
        cases.put("https://APP.example.com:443/welcome", Verdict.ALLOWED);
        cases.put("https://app.example.com", Verdict.ALLOWED);
        cases.put("http://localhost:3000/after-sign-in", Verdict.ALLOWED);
        cases.put("https://example.org/app", Verdict.ALLOWED);
        cases.put("https://example.org/app/inner", Verdict.ALLOWED);
        cases.put("https://example.org/apples", Verdict.NOT_ALLOWED);
        cases.put("https://example.org/app/../admin", Verdict.NOT_ALLOWED);
        cases.put("https://example.org/app/%2e%2e/admin", Verdict.NOT_ALLOWED);
        cases.put(" https://app.example.com/welcome ", Verdict.ALLOWED);
        cases.put("http://app.example.com/", Verdict.NOT_ALLOWED);
        cases.put("https://app.example.com:8443/", Verdict.NOT_ALLOWED);
        cases.put("https://app.example.com.evil.example/", Verdict.NOT_ALLOWED);
        cases.put("http://localhost.evil.example:3000/", Verdict.NOT_ALLOWED);
        cases.put("http://localhost:3001/", Verdict.NOT_ALLOWED);
        cases.put("http://localhost/", Verdict.NOT_ALLOWED);
        cases.put("https://app.example.com@evil.example/", Verdict.UNPARSABLE);
        cases.put("//app.example.com/", Verdict.UNPARSABLE);
        cases.put("/welcome", Verdict.UNPARSABLE);
        cases.put("javascript:alert(1)", Verdict.UNPARSABLE);
        cases.put("https://app.example.com/%zz", Verdict.UNPARSABLE);
        cases.put("not a url", Verdict.UNPARSABLE);
        Map<String, Verdict> judged = new LinkedHashMap<>();
        cases.keySet().forEach(target -> judged.put(target, RedirectTargets.judge(target, ALLOWED)));
        assertEquals(cases, judged);
    }
}
