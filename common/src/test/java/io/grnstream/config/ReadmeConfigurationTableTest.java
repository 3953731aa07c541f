package io.grnstream.config;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's table of shared settings is generated from the definitions; this keeps them equal. */
class ReadmeConfigurationTableTest {

    @Test
    void readmeTableMatchesTheSharedSettingDefinitions() throws Exception {
        Path readme = Path.of("..", "README.md");
        String text = Files.readString(readme);
        String table = ConfigDocs.markdownTable(CommonSettings.definition("any"));
        assertTrue(text.contains(table), "README.md's shared settings table is out of date; replace it with:\n" + table);
    }
}
