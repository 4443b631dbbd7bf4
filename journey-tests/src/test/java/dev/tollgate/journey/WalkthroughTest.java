package dev.tollgate.journey;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The README's walkthrough, run as written: its shell blocks (between {@code <!-- walkthrough -->} markers) are run
 * by bash, one script as in one terminal, at the repository's root against the packaged suite. Only two things are
 * put for what the local run has: the gateway's port for {@code localhost:8080} and the suite's folder for
 * {@code .tollgate/}; {@code ./tollgate stripe-event} is told the gateway by {@code TOLLGATE_URL}. What the blocks
 * print is then read for what the README promises, in order.
 */
class WalkthroughTest {

    private static final Pattern BLOCK = Pattern.compile("```sh\\n(.*?)```", Pattern.DOTALL);
    private static final String EMAIL = "ada@example.com";
    private static Suite suite;

    @BeforeAll
    static void start() {
        suite = Suite.start();
    }

    @Test
    void everyServiceOfTheLocalRunKnowsEveryKeyItIsGiven() throws Exception {
        try (var logs = Files.list(suite.dir().resolve("logs"))) {
            for (Path log : logs.toList()) {
                List<String> unknown = Files.readAllLines(log, StandardCharsets.UTF_8).stream()
                        .filter(line -> line.contains("Unrecognized configuration key")).toList();
                assertEquals(List.of(), unknown, log.getFileName() + " warns of keys it was given and ignores");
            }
        }
    }

    @Test
    void theReadmeWalkthroughWorksAsWritten() throws Exception {
        Path root = Path.of("").toAbsolutePath().getParent();
        String script = walkthrough(Files.readString(root.resolve("README.md")))
                .replace("localhost:8080", suite.gatewayUrl().substring("http://".length()))
                .replace(".tollgate/", suite.dir() + "/");

        List<String> output = run(root, script);

        int at = expect(output, 0, "mail link requested: 202", "the mail link is requested");
        at = expect(output, at, "tenant [0-9a-f-]{36}", "the sign-in answers tokens and the tenant");
        at = expect(output, at, "key tg_live_[A-Za-z0-9_-]{12}\\.\\.\\.", "an API key is issued");
        at = expect(output, at, ".*\"object\":\"chat.completion\".*\"content\":\".+",
                "the key is served a whole answer");
        at = expect(output, at, "data: \\[DONE]", "and a streamed one");
        at = expect(output, at, ".*\"metric\":\"generations\".*", "the usage is shown");
        at = expect(output, at, "(200 ){8}402 402 ?", "the free tier's 10 generations are used up, then 402");
        at = expect(output, at, "(?=.*\"code\":\"insufficient_quota\")(?=.*\"plan\":\"free\").*",
                "the refusal is OpenAI's error naming the plan");
        at = expect(output, at, "\\s*\\./tollgate stripe-event checkout [0-9a-f-]{36} price_local_pro \\S+ cs_\\S+",
                "the emulator's checkout page names the command");
        at = expect(output, at, "200 .*", "billing-service accepts the first signed webhook");
        at = expect(output, at, "200 .*", "and the second");
        at = expect(output, at, ".*\"plan\":\"pro\".*", "the limits are pro's");
        at = expect(output, at, "served on pro", "the refused call passes on pro");
        at = expect(output, at, "customer key: 200", "a key with its own budget is served");
        at = expect(output, at, "customer key: 200", "twice");
        at = expect(output, at, "(?=.*\"code\":\"insufficient_quota\")(?=.*\"budget\":\"api-key\").*",
                "then refused by its own budget, which the error names");
        at = expect(output, at, "first key: 200", "while the tenant's first key goes on");
        for (String file : List.of("auth.json", "billing.json", "generation.json", "metering.json", "account.json",
                "manifest.json")) {
            assertTrue(output.subList(at, output.size()).contains(file), "the export holds " + file + ": " + output);
        }
        expect(output, at, ".*\"status\":\"complete\".*", "the deletion completes");

        try (Connection db = suite.database();
                PreparedStatement users = db.prepareStatement("select count(*) from auth.users where email = ?")) {
            users.setString(1, EMAIL);
            try (ResultSet count = users.executeQuery()) {
                count.next();
                assertEquals(0, count.getLong(1), "no trace of " + EMAIL + " in auth-service after the walkthrough");
            }
        }
    }

    /** The README's walkthrough blocks, one script. */
    static String walkthrough(String readme) {
        int start = readme.indexOf("<!-- walkthrough -->");
        int end = readme.indexOf("<!-- /walkthrough -->");
        assertTrue(start >= 0 && end > start, "README.md marks its walkthrough");
        Matcher blocks = BLOCK.matcher(readme.substring(start, end));
        StringBuilder script = new StringBuilder();
        while (blocks.find()) {
            script.append(blocks.group(1)).append('\n');
        }
        assertFalse(script.isEmpty(), "the walkthrough has shell blocks");
        assertTrue(script.toString().contains(EMAIL), "the walkthrough signs in as " + EMAIL);
        return script.toString();
    }

    private static List<String> run(Path root, String script) throws IOException, InterruptedException {
        Path log = suite.dir().resolve("walkthrough.log");
        ProcessBuilder bash = new ProcessBuilder("bash", "-eu", "-c", script).directory(root.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        // the JDK running the tests is the one the README asks for: its java and jar come first
        Path jdk = Path.of(System.getProperty("java.home"), "bin");
        bash.environment().put("PATH", jdk + java.io.File.pathSeparator + System.getenv("PATH"));
        bash.environment().put("TOLLGATE_URL", suite.gatewayUrl());
        Process process = bash.start();
        if (!process.waitFor(4, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            fail("the walkthrough did not finish in 4 minutes; it printed:\n" + Files.readString(log));
        }
        List<String> output = new ArrayList<>(Files.readAllLines(log, StandardCharsets.UTF_8));
        assertEquals(0, process.exitValue(), "the walkthrough's commands all succeed; they printed:\n"
                + String.join("\n", output));
        return output;
    }

    /** The first line at or after {@code from} matching {@code regex} whole; answers the line after it. */
    private static int expect(List<String> output, int from, String regex, String what) {
        Pattern pattern = Pattern.compile(regex);
        for (int i = from; i < output.size(); i++) {
            if (pattern.matcher(output.get(i)).matches()) {
                return i + 1;
            }
        }
        fail(what + ": no line matching " + regex + " after line " + from + " of\n" + String.join("\n", output));
        return -1;
    }
}
