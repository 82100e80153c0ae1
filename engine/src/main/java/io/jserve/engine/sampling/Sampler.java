package io.jserve.engine.sampling;

import io.jserve.engine.StreamEvent.TopLogprob;
import io.jserve.kernels.LogitSummaries;
import io.jserve.kernels.LogitSummary;
import io.jserve.scheduler.SamplingParams;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * Chooses the next token of one sequence, in vLLM's order: logit bias, penalties and the {@code min_tokens} mask
 * change the logits; greedy takes the argmax; otherwise temperature, top-k, top-p and min-p shape the
 * distribution and the sequence's own seeded draw {@code u} picks from it (same seed, same tokens).
 *
 * <p>Two ways in, with one result. Most rows are sampled from a {@link LogitSummary} (their {@value #CANDIDATES}
 * best logits and softmax normalizers, computed where the logits are) and never copied whole; a row whose logits
 * are changed by penalties, bias or the {@code min_tokens} mask, or whose summary cannot decide (a top-p cut past
 * the candidates, a draw in the tail), is sampled from the full row. The full-row path summarizes the row the same
 * way first, so both agree: an untruncated draw walks the candidates best first and then the other tokens in id
 * order, a fixed order that gives each token its probability without sorting the vocabulary.
 *
 * <p>Holds only scratch buffers sized to the vocabulary; one instance serves every sequence of the engine thread.
 */
public final class Sampler {
    /** Candidates a summary keeps per row: more than OpenAI's 20 top log-probabilities and common top-k values. */
    public static final int CANDIDATES = 64;

    private final int vocabSize;
    private final Set<Integer> eosIds;
    private final float[] scratch;
    private final boolean[] isCandidate;
    private final LogitSummary rowSummary = new LogitSummary(CANDIDATES);
    private final SummaryDraw summaryDraw = new SummaryDraw(CANDIDATES);

    /** A chosen token, its log-probability and the requested alternatives. */
    public record Choice(int tokenId, float logprob, List<TopLogprob> topLogprobs) {
    }

    public Sampler(int vocabSize, Set<Integer> eosIds) {
        this.vocabSize = vocabSize;
        this.eosIds = Set.copyOf(eosIds);
        this.scratch = new float[vocabSize];
        this.isCandidate = new boolean[vocabSize];
    }

    /**
     * Whether a sequence's next token may be chosen from a summary: nothing changes its logits this step (no
     * logit bias, no penalties, {@code min_tokens} reached).
     */
    public static boolean summarizable(SamplingParams p, TokenHistory history) {
        return p.logitBias().isEmpty() && p.repetitionPenalty() == 1f && p.presencePenalty() == 0f
                && p.frequencyPenalty() == 0f && history.outputLength() >= p.minTokens();
    }

    /** Asks the summary for the normalizers row {@code row} will need: for a random draw, or for log-probabilities. */
    public static void requestNormalizers(LogitSummary summary, int row, SamplingParams p) {
        if (!p.isGreedy()) {
            summary.requestNormalizers(row, 1f / p.temperature());
        } else if (p.topLogprobs() >= 0) {
            summary.requestNormalizers(row, 1f);
        }
    }

    /**
     * The choice for row {@code row} of a summary, or empty when its candidates cannot decide it: then sample the
     * full row with the same {@code u}. Only for {@link #summarizable} sequences, whose normalizers were
     * {@link #requestNormalizers requested}.
     */
    public Optional<Choice> sample(LogitSummary summary, int row, SamplingParams params, double u) {
        if (params.topLogprobs() > summary.count()) {
            return Optional.empty();
        }
        OptionalInt token = summaryDraw.choose(summary, row, params, u);
        if (token.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(withLogprobs(summary, row, token.getAsInt(), params.topLogprobs()));
    }

    /**
     * Samples from {@code logits[offset .. offset + vocabSize)} (modified in place), drawing {@code u} from
     * {@code rng} unless greedy.
     */
    public Choice sample(float[] logits, int offset, SamplingParams params, TokenHistory history, RandomGenerator rng) {
        return sample(logits, offset, params, history, params.isGreedy() ? 0 : rng.nextDouble());
    }

    /**
     * Samples from {@code logits[offset .. offset + vocabSize)} (modified in place) with the draw {@code u} in
     * {@code [0, 1)}.
     *
     * @param history the sequence's tokens so far, for penalties and {@code min_tokens}
     */
    public Choice sample(float[] logits, int offset, SamplingParams params, TokenHistory history, double u) {
        Penalties.apply(logits, offset, vocabSize, params, history);
        if (history.outputLength() < params.minTokens()) {
            suppress(logits, offset, eosIds);
            suppress(logits, offset, params.stopTokenIds());
        }
        rowSummary.reset(1, vocabSize);
        requestNormalizers(rowSummary, 0, params);
        LogitSummaries.summarizeRow(logits, offset, rowSummary, 0);
        OptionalInt decided = summaryDraw.choose(rowSummary, 0, params, u);
        int token = decided.isPresent() ? decided.getAsInt() : draw(logits, offset, params, u);
        if (params.topLogprobs() < 0) {
            return new Choice(token, Float.NaN, List.of());
        }
        if (params.topLogprobs() <= rowSummary.count() && decided.isPresent()) {
            return withLogprobs(rowSummary, 0, token, params.topLogprobs());
        }
        return withLogprobs(logits, offset, token, params.topLogprobs());
    }

    private void suppress(float[] logits, int offset, Iterable<Integer> ids) {
        for (int id : ids) {
            if (id >= 0 && id < vocabSize) {
                logits[offset + id] = Float.NEGATIVE_INFINITY;
            }
        }
    }

    /** A random draw the row's summary could not decide (greedy is always decided). */
    private int draw(float[] logits, int offset, SamplingParams params, double u) {
        float invTemperature = 1f / params.temperature();
        boolean truncated = (params.topK() > 0 && params.topK() < vocabSize) || params.topP() < 1f
                || params.minP() > 0f;
        if (!truncated) {
            return drawUntruncated(logits, offset, invTemperature, u);
        }
        float[] scores = scratch;
        for (int i = 0; i < vocabSize; i++) {
            scores[i] = logits[offset + i] * invTemperature;
        }
        Candidates candidates = Candidates.of(scores, params.topK());
        candidates.softmax();
        candidates.keepTopP(params.topP());
        candidates.keepMinP(params.minP());
        return candidates.draw(u);
    }

    /**
     * A draw from the whole softmax whose target lies past the candidates: walk the candidates best first, then
     * the other tokens in id order.
     */
    private int drawUntruncated(float[] logits, int offset, float invTemperature, double u) {
        double top = rowSummary.value(0, 0) * invTemperature;
        double z = rowSummary.sumExpScaled(0);
        double cumulative = 0;
        int last = rowSummary.id(0, 0);
        for (int j = 0; j < rowSummary.count(); j++) {
            int id = rowSummary.id(0, j);
            isCandidate[id] = true;
            cumulative += Math.exp(rowSummary.value(0, j) * invTemperature - top) / z;
        }
        int token = -1;
        for (int i = 0; i < vocabSize && token < 0; i++) {
            if (!isCandidate[i]) {
                cumulative += Math.exp(logits[offset + i] * invTemperature - top) / z;
                last = i;
                if (u < cumulative) {
                    token = i;
                }
            }
        }
        for (int j = 0; j < rowSummary.count(); j++) {
            isCandidate[rowSummary.id(0, j)] = false;
        }
        return token >= 0 ? token : last; // u past a total that rounding left just under 1
    }

    private static Choice withLogprobs(LogitSummary s, int row, int token, int top) {
        if (top < 0) {
            return new Choice(token, Float.NaN, List.of());
        }
        double logZ = s.value(row, 0) + Math.log(s.sumExp(row));
        float tokenLogprob = Float.NaN;
        List<TopLogprob> alternatives = new ArrayList<>(top);
        for (int j = 0; j < s.count(); j++) {
            if (j < top) {
                alternatives.add(new TopLogprob(s.id(row, j), (float) (s.value(row, j) - logZ)));
            }
            if (s.id(row, j) == token) {
                tokenLogprob = (float) (s.value(row, j) - logZ);
            }
        }
        return new Choice(token, tokenLogprob, alternatives);
    }

    /**
     * Log-probabilities over the full row, for a token past the candidates or more alternatives than they hold; the
     * row's log-normalizer is the summary's (requested for every row that wants log-probabilities).
     */
    private Choice withLogprobs(float[] logits, int offset, int token, int top) {
        double logZ = rowSummary.value(0, 0) + Math.log(rowSummary.sumExp(0));
        List<TopLogprob> alternatives = new ArrayList<>(top);
        for (int id : LogitSummaries.topIndices(logits, offset, vocabSize, top)) {
            alternatives.add(new TopLogprob(id, (float) (logits[offset + id] - logZ)));
        }
        return new Choice(token, (float) (logits[offset + token] - logZ), alternatives);
    }
}
