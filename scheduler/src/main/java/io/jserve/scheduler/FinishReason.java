package io.jserve.scheduler;

/** Why a sequence stopped, in the OpenAI API's words where it has them. */
public enum FinishReason {
    /** EOS, a stop token id, or (decided by the API layer) a stop string. */
    STOP("stop"),
    /** {@code max_tokens} or the model's context length was reached. */
    LENGTH("length"),
    /** Cancelled by the client or the server. */
    ABORT("abort");

    private final String apiName;

    FinishReason(String apiName) {
        this.apiName = apiName;
    }

    /** The value of the API's {@code finish_reason} field. */
    public String apiName() {
        return apiName;
    }
}
