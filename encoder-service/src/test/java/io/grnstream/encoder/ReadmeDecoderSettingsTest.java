package io.grnstream.encoder;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grnstream.config.CommonSettings;
import io.grnstream.config.ConfigDocs;
import io.grnstream.config.ConfigDefinition;
import io.grnstream.model.InferenceSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ReadmeDecoderSettingsTest {

    @Test
    void readmeTablesMatchTheDecoderAndInferenceSettings() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        ConfigDefinition shared = CommonSettings.definition("shared").defineAll(InferenceSettings.all());
        String decoder = ConfigDocs.markdownTable(DecoderSettings.definition(), shared);
        String inference = ConfigDocs.markdownTable(new ConfigDefinition("inference").defineAll(InferenceSettings.all()));
        assertTrue(readme.contains(decoder), "README.md's decoder settings table is out of date; replace it with:\n" + decoder);
        assertTrue(readme.contains(inference), "README.md's inference settings table is out of date; replace it with:\n" + inference);
    }
}
