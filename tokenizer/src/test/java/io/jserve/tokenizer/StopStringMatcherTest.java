package io.jserve.tokenizer;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class StopStringMatcherTest {

    @Test
    void aStopSplitAcrossTokensNeverLeaks() {
        StopStringMatcher m = new StopStringMatcher(List.of("###"));
        assertEquals(new StopStringMatcher.Result("Hello ", false), m.accept("Hello #"));
        assertEquals(new StopStringMatcher.Result("", false), m.accept("#"));
        assertEquals(new StopStringMatcher.Result("", true), m.accept("# and more"));
        assertEquals("###", m.matchedStop());
        assertEquals(new StopStringMatcher.Result("", true), m.accept("later"));
        assertEquals("", m.flush());
    }

    @Test
    void heldTextIsReleasedWhenItTurnsOutNotToBeAStop() {
        StopStringMatcher m = new StopStringMatcher(List.of("###"));
        assertEquals(new StopStringMatcher.Result("ab", false), m.accept("ab##"));
        assertEquals(new StopStringMatcher.Result("##x", false), m.accept("x"));
        assertEquals(new StopStringMatcher.Result("", false), m.accept("#"));
        assertEquals("#", m.flush());
        assertNull(m.matchedStop());
    }

    @Test
    void theEarliestStopWins() {
        StopStringMatcher m = new StopStringMatcher(List.of("cd", "b"));
        assertEquals(new StopStringMatcher.Result("a", true), m.accept("abcd"));
        assertEquals("b", m.matchedStop());
    }

    @Test
    void multiByteStopStrings() {
        StopStringMatcher m = new StopStringMatcher(List.of("\u00E9t\u00E9"));
        assertEquals(new StopStringMatcher.Result("l'", false), m.accept("l'\u00E9"));
        assertEquals(new StopStringMatcher.Result("", true), m.accept("t\u00E9!"));
    }

    @Test
    void withoutStopsEverythingPassesAndEmptyStopsAreRejected() {
        StopStringMatcher m = new StopStringMatcher(List.of());
        assertEquals(new StopStringMatcher.Result("abc", false), m.accept("abc"));
        assertThrows(IllegalArgumentException.class, () -> new StopStringMatcher(List.of("")));
    }
}
