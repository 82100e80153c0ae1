package io.jserve.api.server.http;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ErrorBodyTest {

    @Test
    void hasAllFourFieldsEvenWhenNull() {
        assertEquals("{\"error\":{\"message\":\"bad\",\"type\":\"invalid_request_error\",\"param\":\"n\",\"code\":null}}",
                ErrorBody.of(ApiException.invalid("n", "bad")).toString());
        assertEquals("{\"error\":{\"message\":\"The model `x` does not exist.\",\"type\":\"invalid_request_error\","
                        + "\"param\":\"model\",\"code\":\"model_not_found\"}}",
                ErrorBody.of(ApiException.modelNotFound("x")).toString());
    }

    @Test
    void statusMustBeAnError() {
        assertThrows(IllegalArgumentException.class, () -> new ApiException(200, "t", null, null, "m"));
    }
}
