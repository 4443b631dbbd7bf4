package dev.tollgate.account.export;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * An export as a ZIP: one JSON file per service ({@code auth.json}, {@code billing.json}, ...) and
 * {@code manifest.json} naming each file with its service, size and SHA-256.
 */
public final class ExportArchive {

    /** The ZIP and its SHA-256. */
    public record Built(byte[] bytes, String sha256) {
    }

    private ExportArchive() {
    }

    /** {@code files}: service name to its data, in the order they go into the archive. */
    public static Built build(UUID exportId, UUID userId, Instant createdAt, Map<String, JsonObject> files) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        JsonArray listed = new JsonArray();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            for (Map.Entry<String, JsonObject> file : files.entrySet()) {
                byte[] content = file.getValue().encodePrettily().getBytes(StandardCharsets.UTF_8);
                String name = file.getKey() + ".json";
                put(zip, name, content);
                listed.add(new JsonObject().put("file", name).put("service", file.getKey() + "-service")
                        .put("bytes", content.length).put("sha256", sha256(content)));
            }
            JsonObject manifest = new JsonObject()
                    .put("exportId", exportId.toString())
                    .put("userId", userId.toString())
                    .put("createdAt", createdAt.toString())
                    .put("format", "one JSON file per Tollgate service holding data of the user")
                    .put("files", listed);
            put(zip, "manifest.json", manifest.encodePrettily().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] bytes = out.toByteArray();
        return new Built(bytes, sha256(bytes));
    }

    private static void put(ZipOutputStream zip, String name, byte[] content) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(content);
        zip.closeEntry();
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
