package io.grnstream.config;

import java.time.Duration;

/** Settings every stage shares: where Kafka and the schema registry are, and how topics look. */
public final class CommonSettings {
    private CommonSettings() {
    }

    public static final Setting<String> BOOTSTRAP_SERVERS = Setting.of("bootstrap.servers", SettingType.STRING,
            "localhost:9092", "Kafka bootstrap servers, host:port[,host:port]").validatedBy(Validator.nonBlank());

    public static final Setting<String> TOPIC_PREFIX = Setting.of("topic.prefix", SettingType.STRING, "grn.",
            "prefix of every topic name; the default gives grn.requests, grn.latents, ...")
            .validatedBy(new Validator<>("letters, digits, '.', '_' or '-'", v -> v.matches("[A-Za-z0-9._-]*")));

    public static final Setting<String> SCHEMA_REGISTRY_URL = Setting.of("schema.registry.url", SettingType.STRING,
            "mem://default", "Confluent-API schema registry (http:// or https://), or mem://NAME for an in-process registry shared by name")
            .validatedBy(Validator.startsWithAny("mem://", "http://", "https://"));

    public static final Setting<String> SCHEMA_REGISTRY_USER_INFO = Setting.of("schema.registry.basic.auth.user.info",
            SettingType.STRING, "", "USER:PASSWORD for HTTP basic authentication to the registry; empty for none").asSecret();

    public static final Setting<Duration> SCHEMA_REGISTRY_TIMEOUT = Setting.of("schema.registry.timeout",
            SettingType.DURATION, Duration.ofSeconds(10), "timeout of one schema registry call");

    public static final Setting<Integer> TOPIC_PARTITIONS = Setting.of("topic.partitions", SettingType.INT, 12,
            "partitions of each topic created by the provisioner; keep it 2-4x the most refiner workers expected")
            .validatedBy(Validator.between(1, 10_000));

    public static final Setting<Integer> TOPIC_REPLICATION_FACTOR = Setting.of("topic.replication.factor",
            SettingType.INT, 1, "replication factor of topics created by the provisioner (3 in production)")
            .validatedBy(Validator.between(1, 32));

    public static final Setting<Integer> TOPIC_MIN_INSYNC_REPLICAS = Setting.of("topic.min.insync.replicas",
            SettingType.INT, 1, "min.insync.replicas of created topics (2 in production with replication 3)")
            .validatedBy(Validator.between(1, 32));

    public static final Setting<Duration> REQUESTS_RETENTION = Setting.of("topic.requests.retention",
            SettingType.DURATION, Duration.ofDays(30), "retention of the requests topic: how far back a replay can reach");

    public static final Setting<Duration> DLQ_RETENTION = Setting.of("topic.dlq.retention",
            SettingType.DURATION, Duration.ofDays(30), "retention of the dead-letter topic");

    public static final Setting<String> INSTANCE_ID = Setting.of("instance.id", SettingType.STRING, "",
            "identity of this process in events, provenance and static group membership; empty derives host-pid");

    public static final Setting<String> BLOB_STORE_URI = Setting.of("blob.store.uri", SettingType.STRING, "data/blobs",
            "where frames and videos are stored: a directory path, a file: URI, or s3://bucket/prefix")
            .validatedBy(Validator.nonBlank());

    public static final Setting<String> BLOB_S3_ENDPOINT = Setting.of("blob.s3.endpoint", SettingType.STRING,
            "https://s3.amazonaws.com", "with an s3:// store: the S3-compatible endpoint (e.g. http://minio:9000), path-style");

    public static final Setting<String> BLOB_S3_REGION = Setting.of("blob.s3.region", SettingType.STRING, "us-east-1",
            "with an s3:// store: the signing region");

    public static final Setting<String> BLOB_S3_ACCESS_KEY = Setting.of("blob.s3.access.key", SettingType.STRING, "",
            "with an s3:// store: the access key id").asSecret();

    public static final Setting<String> BLOB_S3_SECRET_KEY = Setting.of("blob.s3.secret.key", SettingType.STRING, "",
            "with an s3:// store: the secret access key").asSecret();

    public static final Setting<Integer> OPS_HTTP_PORT = Setting.of("ops.http.port", SettingType.INT, 9400,
            "port of /metrics and /health/{live,ready}; 0 picks a free port, -1 disables")
            .validatedBy(Validator.between(-1, 65_535));

    public static final Setting<Boolean> TOPIC_PROVISION = Setting.of("topic.provision", SettingType.BOOLEAN, true,
            "create missing topics with their designed settings at start-up (turn off where ACLs forbid it)");

    public static final String KAFKA_PREFIX = "kafka.";

    /** The shared settings, plus raw Kafka client properties under {@code kafka.}. */
    public static ConfigDefinition definition(String serviceName) {
        return new ConfigDefinition(serviceName)
                .define(BOOTSTRAP_SERVERS)
                .define(TOPIC_PREFIX)
                .define(SCHEMA_REGISTRY_URL)
                .define(SCHEMA_REGISTRY_USER_INFO)
                .define(SCHEMA_REGISTRY_TIMEOUT)
                .define(TOPIC_PARTITIONS)
                .define(TOPIC_REPLICATION_FACTOR)
                .define(TOPIC_MIN_INSYNC_REPLICAS)
                .define(REQUESTS_RETENTION)
                .define(DLQ_RETENTION)
                .define(INSTANCE_ID)
                .define(BLOB_STORE_URI)
                .define(BLOB_S3_ENDPOINT)
                .define(BLOB_S3_REGION)
                .define(BLOB_S3_ACCESS_KEY)
                .define(BLOB_S3_SECRET_KEY)
                .define(OPS_HTTP_PORT)
                .define(TOPIC_PROVISION)
                .passThrough(KAFKA_PREFIX, "any Kafka client property, e.g. kafka.security.protocol=SASL_SSL;"
                        + " applied to every producer, consumer and admin client");
    }
}
