package dev.tollgate.devstack;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/** The servers are real: SQL, Redis commands and Kafka records go through them, and Kafka survives a restart. */
class DevStackTest {

    private final DevStack stack = DevStack.shared();

    @Test
    void postgresAnswersSqlInTheSuiteDatabase() throws Exception {
        Map<String, String> config = stack.quarkusConfig();
        try (Connection connection = DriverManager.getConnection(config.get("quarkus.datasource.jdbc.url"),
                PostgresServer.USER, PostgresServer.PASSWORD);
                Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("select current_database(), 6 * 7")) {
            rs.next();
            assertEquals("tollgate", rs.getString(1));
            assertEquals(42, rs.getInt(2));
        }
    }

    @Test
    void redisStoresAndCounts() {
        try (Jedis jedis = new Jedis("127.0.0.1", stack.redis().port())) {
            jedis.del("devstack:test");
            assertEquals(3L, jedis.incrBy("devstack:test", 3));
            assertEquals("3", jedis.get("devstack:test"));
        }
    }

    @Test
    void kafkaKeepsRecordsAcrossABrokerRestart() throws Exception {
        String topic = "devstack.restarted";
        send(topic, "before");
        stack.kafka().stop();
        stack.kafka().restart();
        send(topic, "after");
        assertEquals(List.of("before", "after"), readAll(topic, 2));
    }

    private void send(String topic, String value) throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka().bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(),
                new StringSerializer())) {
            producer.send(new ProducerRecord<>(topic, "tenant-1", value)).get();
        }
    }

    private List<String> readAll(String topic, int expected) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka().bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "devstack-test");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (values.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    values.add(record.value());
                }
            }
        }
        return values;
    }
}
