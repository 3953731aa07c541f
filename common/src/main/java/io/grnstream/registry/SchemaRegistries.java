package io.grnstream.registry;

import io.grnstream.config.CommonSettings;
import io.grnstream.config.ConfigException;
import io.grnstream.config.GrnConfig;

/** Chooses the registry client a configuration names. */
public final class SchemaRegistries {
    private SchemaRegistries() {
    }

    public static SchemaRegistryClient fromConfig(GrnConfig config) {
        String url = config.get(CommonSettings.SCHEMA_REGISTRY_URL);
        if (url.startsWith("mem://")) {
            return InMemorySchemaRegistry.named(url.substring("mem://".length()));
        }
        if (url.startsWith("http://") || url.startsWith("https://")) {
            return new HttpSchemaRegistryClient(url, config.get(CommonSettings.SCHEMA_REGISTRY_USER_INFO),
                    config.get(CommonSettings.SCHEMA_REGISTRY_TIMEOUT));
        }
        throw new ConfigException(CommonSettings.SCHEMA_REGISTRY_URL.key(), "unsupported scheme in " + url);
    }
}
