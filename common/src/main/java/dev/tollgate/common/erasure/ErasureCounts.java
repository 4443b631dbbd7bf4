package dev.tollgate.common.erasure;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;

/** What an erasure erased (kind of record to how many), as the JSON text the services keep it in. */
public final class ErasureCounts {

    private static final TypeReference<Map<String, Long>> COUNTS = new TypeReference<>() {
    };

    private ErasureCounts() {
    }

    public static String write(ObjectMapper json, Map<String, Long> counts) {
        try {
            return json.writeValueAsString(counts);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Map<String, Long> read(ObjectMapper json, String counts) {
        try {
            return json.readValue(counts, COUNTS);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored erasure counts are unreadable", e);
        }
    }
}
