package io.grnstream.status;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grnstream.config.CommonSettings;
import io.grnstream.config.ConfigDocs;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ReadmeStatusSettingsTest {

    @Test
    void readmeTableMatchesTheStatusSettingDefinitions() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        String table = ConfigDocs.markdownTable(StatusSettings.definition(), CommonSettings.definition("shared"));
        assertTrue(readme.contains(table), "README.md's status settings table is out of date; replace it with:\n" + table);
    }
}
