package io.grnstream.notifier;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grnstream.config.CommonSettings;
import io.grnstream.config.ConfigDocs;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ReadmeNotifierSettingsTest {

    @Test
    void readmeTableMatchesTheNotifierSettingDefinitions() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        String table = ConfigDocs.markdownTable(NotifierSettings.definition(), CommonSettings.definition("shared"));
        assertTrue(readme.contains(table), "README.md's notifier settings table is out of date; replace it with:\n" + table);
    }
}
