"""PyTorch + Hugging Face transformers decode baseline on the GPU machine, same shapes as jserve's synthetic models.

Random weights (no download), fp16, `model.generate` greedy with a 1024-token prompt. Decode throughput is
measured as (time to generate 1 + N tokens - time to generate 1 token) / N steps, so prefill is excluded.
Usage: python3 hf_baseline.py SHAPE BATCH [BATCH...]   (SHAPE: llama-3-8b | llama-3.2-1b)
"""
import sys
import time

import torch
from transformers import LlamaConfig, LlamaForCausalLM

SHAPES = {
    "llama-3-8b": dict(hidden_size=4096, num_hidden_layers=32, num_attention_heads=32, num_key_value_heads=8,
                       intermediate_size=14336, vocab_size=128256, rope_theta=500000.0, tie_word_embeddings=False),
    "llama-3.2-1b": dict(hidden_size=2048, num_hidden_layers=16, num_attention_heads=32, num_key_value_heads=8,
                         intermediate_size=8192, vocab_size=128256, rope_theta=500000.0, tie_word_embeddings=True),
}


def timed_generate(model, ids, new_tokens):
    torch.cuda.synchronize()
    t0 = time.perf_counter()
    model.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=new_tokens, min_new_tokens=new_tokens,
                   do_sample=False, pad_token_id=0)
    torch.cuda.synchronize()
    return time.perf_counter() - t0


def main():
    shape, batches = sys.argv[1], [int(b) for b in sys.argv[2:]]
    config = LlamaConfig(max_position_embeddings=4096, **SHAPES[shape])
    torch.manual_seed(0)
    with torch.device("cuda"):
        model = LlamaForCausalLM(config).to(torch.float16).eval()
    print(f"transformers {__import__('transformers').__version__}, torch {torch.__version__}, {shape} fp16")
    steps = 32
    for b in batches:
        ids = torch.randint(10, 1000, (b, 1024), device="cuda")
        timed_generate(model, ids, 2)  # warm-up
        one = timed_generate(model, ids, 1)
        full = timed_generate(model, ids, 1 + steps)
        per_step = (full - one) / steps
        print(f"| {shape} | HF transformers fp16 | {b} | {per_step * 1e3:.2f} ms/step | {b / per_step:.1f} tok/s |",
              flush=True)


if __name__ == "__main__":
    main()
