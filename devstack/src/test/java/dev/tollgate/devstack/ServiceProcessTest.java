package dev.tollgate.devstack;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a packaged service is told when the local run, the journeys or the fault tests start it. */
class ServiceProcessTest {

    private static final Map<String, String> CONFIG = Map.of("quarkus.redis.hosts", "redis://127.0.0.1:6379",
            "kafka.bootstrap.servers", "127.0.0.1:9092");

    @Test
    void aServicePackagedWithoutTheRedisClientIsNotToldWhereRedisIs(@TempDir Path root) throws Exception {
        Path billing = packaged(root, "billing", "io.quarkus.quarkus-rest-3.34.1.jar");
        Path generation = packaged(root, "generation", "io.quarkus.quarkus-redis-client-3.34.1.jar");

        assertEquals(Map.of("kafka.bootstrap.servers", "127.0.0.1:9092"), ServiceProcess.configFor(billing, CONFIG));
        assertEquals(CONFIG, ServiceProcess.configFor(generation, CONFIG));
    }

    private static Path packaged(Path root, String service, String library) throws Exception {
        Path jar = ServiceProcess.jar(root, service);
        Path libraries = jar.resolveSibling("lib").resolve("main");
        Files.createDirectories(libraries);
        Files.createFile(libraries.resolve(library));
        Files.createFile(jar);
        return jar;
    }
}
