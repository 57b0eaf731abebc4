"""
PyTorch training steps equivalent to the default runs of our Transformer-family chapters
(transformer, mini-gpt, bert-mlm, modern-attention), for issue 13's goal: our ms per training
step within 1.5x of an equivalent PyTorch step on the same machine.

Each model is written the way a course would write it (nn.Module, nn.Linear, nn.LayerNorm,
F.scaled_dot_product_attention, torch.optim.AdamW, clip_grad_norm_) with our default model's
sizes: layers, d_model, heads (and grouped key/value heads), feed-forward width and activation,
pre/post layer norm, tied output weights, the same loss (mean cross-entropy over the positions
our loss mask counts) and AdamW with our betas, epsilon, weight decay (matrices only), learning
rate schedule and global-norm clipping. It trains on the very batch our step benchmark trains on
(the middle batch of epoch 1 of the default run, seed 42), exported by export-step-shapes.ts,
from our model's initial weights, loaded by name. --check verifies that the two models compute the
same function: at those weights, without dropout, the loss and the global gradient norm must equal
ours (exported with them) to a relative 1e-5.

How it is written differs from ours, without changing what a step computes (--check):
- embedding lookups are nn.Embedding (a gather; its backward an index-add), where ours is a
  one-hot matmul (transformer) or a gather with a scatterND backward (the others);
- attention is F.scaled_dot_product_attention (boolean mask, is_causal, enable_gqa), where ours
  adds -1e9 to the forbidden scores of explicit products; --attention explicit is closer to ours;
- bert-mlm picks the predicted positions by indexing, ours with a one-hot batched matmul;
- nn.LayerNorm, F.cross_entropy and GELU are single kernels where ours composes several ops;
- AdamW is PyTorch's default implementation (on CPU a loop over the parameters), ours updates one
  flat vector of all parameters;
- bert-mlm's dropout (0.1, same sites) draws its masks on tensors, ours in JavaScript from a
  seeded generator (the same masks on every backend): the masks differ, the rate does not;
- the learning rate follows the schedule step by step; our timed step applies step 1's rate;
- PyTorch runs --threads threads (2 by default); our wasm backend runs on one.

A step is zero_grad, forward, loss, backward, clip, optimiser step, scheduler step and reading
the loss back. Warm-up 5 steps, then the median (and mean) of 30 timed steps.

  node --import tsx scripts/reference/export-step-shapes.ts SHAPES.json
  python scripts/reference/transformer_steps.py SHAPES.json [--threads 2] [--attention sdpa|explicit]
      [--chapters transformer,mini-gpt,bert-mlm,modern-attention] [--warmup 5] [--steps 30] [--check]

--attention explicit replaces F.scaled_dot_product_attention by softmax(QKᵀ/√d + mask)·V written
out, as in a from-scratch course notebook. Not part of the project's runtime or tests; it needs
PyTorch (CPU).
"""
import argparse
import json
import math
import re
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

PAD_ID = 0  # src/engine/tasks/vocab.ts
MASKED_SCORE = -1e9  # src/engine/nn/masks.ts: what our attention adds to a forbidden score

ATTENTION = "sdpa"  # set from --attention in main()


# ── Attention ─────────────────────────────────────────────────────────────────────────────────


def attend(q, k, v, keep=None, causal=False):
    """q [batch, heads, queries, d_head], k and v [batch, kv_heads, keys, d_head] → [batch, heads, queries, d_head].

    keep: bool, broadcastable to [batch, heads, queries, keys], True = may attend.
    causal: query i sees keys 0..i (used without keep).
    """
    if ATTENTION == "sdpa":
        return F.scaled_dot_product_attention(
            q, k, v, attn_mask=keep, is_causal=causal, enable_gqa=k.shape[1] != q.shape[1]
        )
    group = q.shape[1] // k.shape[1]
    if group > 1:  # query head h reads key/value head h // group
        k = k.repeat_interleave(group, dim=1)
        v = v.repeat_interleave(group, dim=1)
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])  # [batch, heads, queries, keys]
    if causal:
        length = q.shape[2]
        keep = torch.ones(length, length, dtype=torch.bool).tril()
    if keep is not None:
        scores = scores.masked_fill(~keep, MASKED_SCORE)
    return scores.softmax(dim=-1) @ v


def split_heads(x, heads):
    """[batch, len, heads·d_head] → [batch, heads, len, d_head]."""
    batch, length, width = x.shape
    return x.view(batch, length, heads, width // heads).transpose(1, 2)


def merge_heads(x):
    """[batch, heads, len, d_head] → [batch, len, heads·d_head]."""
    batch, heads, length, head_size = x.shape
    return x.transpose(1, 2).reshape(batch, length, heads * head_size)


class SelfAttention(nn.Module):
    """Fused Q, K, V projection (with biases, as ours), kv_heads ≤ heads, optional RoPE."""

    def __init__(self, d_model, heads, kv_heads=None):
        super().__init__()
        self.heads = heads
        self.kv_heads = kv_heads or heads
        self.head_size = d_model // heads
        self.qkv = nn.Linear(d_model, (heads + 2 * self.kv_heads) * self.head_size)
        self.output = nn.Linear(d_model, d_model)

    def forward(self, x, keep=None, causal=False, rope=None):
        q, k, v = self.qkv(x).split(
            [self.heads * self.head_size, self.kv_heads * self.head_size, self.kv_heads * self.head_size], dim=-1
        )
        q, k, v = split_heads(q, self.heads), split_heads(k, self.kv_heads), split_heads(v, self.kv_heads)
        if rope is not None:
            q, k = rope(q), rope(k)
        return self.output(merge_heads(attend(q, k, v, keep, causal)))


class CrossAttention(nn.Module):
    """Queries from the decoder, keys and values (one fused projection, as ours) from the encoder."""

    def __init__(self, d_model, heads):
        super().__init__()
        self.heads = heads
        self.query = nn.Linear(d_model, d_model)
        self.kv = nn.Linear(d_model, 2 * d_model)
        self.output = nn.Linear(d_model, d_model)

    def forward(self, x, memory, keep):
        q = split_heads(self.query(x), self.heads)
        k, v = (split_heads(t, self.heads) for t in self.kv(memory).chunk(2, dim=-1))
        return self.output(merge_heads(attend(q, k, v, keep)))


class FeedForward(nn.Module):
    def __init__(self, d_model, hidden, activation):
        super().__init__()
        self.hidden = nn.Linear(d_model, hidden)
        # Our GELU is the tanh approximation (src/engine/nn/feedForward.ts).
        self.activation = nn.ReLU() if activation == "relu" else nn.GELU(approximate="tanh")
        self.output = nn.Linear(hidden, d_model)

    def forward(self, x):
        return self.output(self.activation(self.hidden(x)))


class Rotary(nn.Module):
    """RoPE, rotate-half pairs (i, i + d_head/2), base 10000 (src/engine/nn/rope.ts)."""

    def __init__(self, head_size, context, base=10000.0):
        super().__init__()
        frequencies = base ** (-torch.arange(0, head_size, 2, dtype=torch.float64) / head_size)
        angles = torch.arange(context, dtype=torch.float64)[:, None] * frequencies[None, :]  # [context, d_head/2]
        angles = torch.cat([angles, angles], dim=-1)  # [context, d_head]
        self.register_buffer("cos", angles.cos().float(), persistent=False)
        self.register_buffer("sin", angles.sin().float(), persistent=False)

    def forward(self, x):  # x [batch, heads, len, d_head]
        length = x.shape[2]
        first, second = x.chunk(2, dim=-1)
        rotated = torch.cat([-second, first], dim=-1)
        return x * self.cos[:length] + rotated * self.sin[:length]


def sinusoids(length, d_model):
    position = torch.arange(length, dtype=torch.float64)[:, None]
    even = torch.arange(0, d_model, 2, dtype=torch.float64)
    angles = position / 10000 ** (even / d_model)
    table = torch.zeros(length, d_model, dtype=torch.float64)
    table[:, 0::2] = angles.sin()
    table[:, 1::2] = angles.cos()
    return table.float()


# ── transformer: encoder–decoder, pre-LN (src/engine/chapters/transformer/model.ts) ───────────
# Module names follow our parameter names (encoder/layer0/self_attention/qkv_kernel is
# encoder.layers.0.self_attention.qkv.weight), so our weights load by name.


class EncoderLayer(nn.Module):
    def __init__(self, d, heads, ffn):
        super().__init__()
        self.self_attention_norm, self.self_attention = nn.LayerNorm(d), SelfAttention(d, heads)
        self.ffn_norm, self.ffn = nn.LayerNorm(d), FeedForward(d, ffn, "relu")

    def forward(self, x, keep):
        x = x + self.self_attention(self.self_attention_norm(x), keep)
        return x + self.ffn(self.ffn_norm(x))


class DecoderLayer(nn.Module):
    def __init__(self, d, heads, ffn):
        super().__init__()
        self.self_attention_norm, self.self_attention = nn.LayerNorm(d), SelfAttention(d, heads)
        self.cross_attention_norm, self.cross_attention = nn.LayerNorm(d), CrossAttention(d, heads)
        self.ffn_norm, self.ffn = nn.LayerNorm(d), FeedForward(d, ffn, "relu")

    def forward(self, y, memory, self_keep, source_keep):
        y = y + self.self_attention(self.self_attention_norm(y), self_keep)
        y = y + self.cross_attention(self.cross_attention_norm(y), memory, source_keep)
        return y + self.ffn(self.ffn_norm(y))


class Stack(nn.Module):
    """An embedding table, layers and the final norm of pre-LN."""

    def __init__(self, vocab, d, layers):
        super().__init__()
        self.embeddings = nn.Embedding(vocab, d)
        self.layers = nn.ModuleList(layers)
        self.final_norm = nn.LayerNorm(d)


class Transformer(nn.Module):
    def __init__(self, hyper, source_vocab, target_vocab, max_length):
        super().__init__()
        if hyper["layerNorm"] != "pre" or not hyper["causalMask"] or hyper["dropout"] != 0:
            raise ValueError("written for the default variant: pre-LN, causal mask, no dropout")
        d, heads, ffn = hyper["dModel"], hyper["heads"], hyper["ffnSize"]
        self.d = d
        self.encoder = Stack(source_vocab, d, (EncoderLayer(d, heads, ffn) for _ in range(hyper["encoderLayers"])))
        self.decoder = Stack(target_vocab, d, (DecoderLayer(d, heads, ffn) for _ in range(hyper["decoderLayers"])))
        self.register_buffer("positions", sinusoids(max_length, d), persistent=False)
        self.output = nn.Linear(d, target_vocab)

    def embed(self, ids, table):
        return table(ids) * math.sqrt(self.d) + self.positions[: ids.shape[1]]

    def forward(self, batch):
        source, decoder_input = batch["source_ids"], batch["decoder_input_ids"]
        source_keep = (source != PAD_ID)[:, None, None, :]  # [batch, 1, 1, source_len]
        length = decoder_input.shape[1]
        causal = torch.ones(length, length, dtype=torch.bool).tril()
        self_keep = (decoder_input != PAD_ID)[:, None, None, :] & causal  # [batch, 1, target_len, target_len]
        x = self.embed(source, self.encoder.embeddings)
        for layer in self.encoder.layers:
            x = layer(x, source_keep)
        memory = self.encoder.final_norm(x)
        y = self.embed(decoder_input, self.decoder.embeddings)
        for layer in self.decoder.layers:
            y = layer(y, memory, self_keep, source_keep)
        return self.output(self.decoder.final_norm(y))  # [batch, target_len, vocab]


# ── mini-gpt and modern-attention: GPT decoder, pre-LN (chapters/mini-gpt, modern-attention) ───


class GptBlock(nn.Module):
    def __init__(self, d, heads, kv_heads):
        super().__init__()
        self.ln1, self.attention = nn.LayerNorm(d), SelfAttention(d, heads, kv_heads)
        self.ln2, self.ffn = nn.LayerNorm(d), FeedForward(d, 4 * d, "gelu")

    def forward(self, x, rope):
        x = x + self.attention(self.ln1(x), causal=True, rope=rope)
        return x + self.ffn(self.ln2(x))


class Gpt(nn.Module):
    """Learned positions (mini-gpt) or RoPE with grouped K/V heads (modern-attention); tied output."""

    def __init__(self, hyper, vocab, kv_heads=None, rope=False):
        super().__init__()
        if hyper["dropout"] != 0 or hyper.get("tieWeights", True) is not True:
            raise ValueError("written for the default variant: no dropout, tied weights")
        d, heads, context = hyper["dModel"], hyper["heads"], hyper["context"]
        self.embeddings = nn.Embedding(vocab, d)
        self.positions = None if rope else nn.Embedding(context, d)
        self.rope = Rotary(d // heads, context) if rope else None
        self.layers = nn.ModuleList(GptBlock(d, heads, kv_heads) for _ in range(hyper["layers"]))
        self.final_ln = nn.LayerNorm(d)
        self.head = nn.Linear(d, vocab, bias=False)
        self.head.weight = self.embeddings.weight  # tied, as ours

    def forward(self, batch):
        ids = batch["token_ids"]
        x = self.embeddings(ids)
        if self.positions is not None:
            x = x + self.positions(torch.arange(ids.shape[1]))
        for block in self.layers:
            x = block(x, self.rope)
        return self.head(self.final_ln(x))  # [batch, len, vocab]


# ── bert-mlm: BERT encoder, post-LN, MLM head at the selected positions (chapters/bert-mlm) ──


class BertLayer(nn.Module):
    def __init__(self, d, heads, ffn, dropout):
        super().__init__()
        self.attention, self.attention_norm = SelfAttention(d, heads), nn.LayerNorm(d)
        self.feed_forward, self.output_norm = FeedForward(d, ffn, "gelu"), nn.LayerNorm(d)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x, keep):
        x = self.attention_norm(x + self.dropout(self.attention(x, keep)))
        return self.output_norm(x + self.dropout(self.feed_forward(x)))


class BertEmbeddings(nn.Module):
    def __init__(self, vocab, max_length, d, dropout):
        super().__init__()
        self.tokens = nn.Embedding(vocab, d)
        self.segments = nn.Embedding(2, d)
        self.positions = nn.Embedding(max_length, d)
        self.norm = nn.LayerNorm(d)
        self.dropout = nn.Dropout(dropout)

    def forward(self, ids, segments):
        x = self.tokens(ids) + self.segments(segments) + self.positions(torch.arange(ids.shape[1]))
        return self.dropout(self.norm(x))


class MlmHead(nn.Module):
    """LN(GELU(x W_t + b_t)), then the token table transposed (tied) plus a bias per word."""

    def __init__(self, d, vocab):
        super().__init__()
        self.transform = nn.Linear(d, d)
        self.norm = nn.LayerNorm(d)
        self.output_bias = nn.Parameter(torch.zeros(vocab))

    def forward(self, x, table):
        return self.norm(F.gelu(self.transform(x), approximate="tanh")) @ table.T + self.output_bias


class Bert(nn.Module):
    def __init__(self, hyper, vocab):
        super().__init__()
        if hyper["nsp"] or hyper["positions"] != "learned":
            raise ValueError("written for the default variant: MLM only, learned positions")
        d, rate = hyper["dModel"], hyper["dropout"]
        self.embeddings = BertEmbeddings(vocab, hyper["maxLength"], d, rate)
        self.encoder = nn.Module()
        self.encoder.layers = nn.ModuleList(
            BertLayer(d, hyper["heads"], hyper["dFf"], rate) for _ in range(hyper["layers"])
        )
        self.mlm = MlmHead(d, vocab)

    def forward(self, batch):
        ids, positions = batch["source_ids"], batch["mlm_positions"]
        keep = (ids != PAD_ID)[:, None, None, :]  # [batch, 1, 1, len]
        x = self.embeddings(ids, batch["segment_ids"])
        for layer in self.encoder.layers:
            x = layer(x, keep)
        selected = x[torch.arange(x.shape[0])[:, None], positions]  # [batch, predictions, d_model]
        return self.mlm(selected, self.embeddings.tokens.weight)  # [batch, predictions, vocab]


# ── The step ──────────────────────────────────────────────────────────────────────────────────

# Optimiser settings each chapter's index.ts passes to adamwOptimizer (β₁ 0.9 throughout).
ADAMW = {
    "transformer": {"betas": (0.9, 0.98), "eps": 1e-9},
    "mini-gpt": {"betas": (0.9, 0.99), "eps": 1e-8},
    "bert-mlm": {"betas": (0.9, 0.999), "eps": 1e-8},
    "modern-attention": {"betas": (0.9, 0.99), "eps": 1e-8},
}
# The cosine's floor as a share of the peak: transformer and the GPTs end at a tenth, bert-mlm at 0.
FLOOR = {"transformer": 0.1, "mini-gpt": 0.1, "bert-mlm": 0.0, "modern-attention": 0.1}


def build_model(exported):
    hyper, chapter = exported["hyperparameters"], exported["chapter"]
    inputs = exported["batch"]["inputs"]
    if chapter == "transformer":
        longest = max(inputs["source_ids"]["shape"][1], inputs["decoder_input_ids"]["shape"][1])
        return Transformer(hyper, exported["sourceVocab"], exported["targetVocab"], longest)
    if chapter == "mini-gpt":
        return Gpt(hyper, exported["sourceVocab"])
    if chapter == "modern-attention":
        if hyper["positions"] != "rope":
            raise ValueError("written for the default variant: RoPE")
        return Gpt(hyper, exported["sourceVocab"], kv_heads=hyper["kvHeads"], rope=True)
    if chapter == "bert-mlm":
        return Bert(hyper, exported["sourceVocab"])
    raise ValueError(f"unknown chapter {chapter}")


def to_tensor(exported):
    dtype = torch.long if exported["dtype"] == "int32" else torch.float32
    return torch.tensor(exported["values"], dtype=dtype).view(exported["shape"])


def warmup_cosine(peak_share_floor, warmup, total):
    """Our warmupCosineSchedule (src/engine/nn/schedule.ts) as a LambdaLR factor of the peak."""

    def factor(index):  # LambdaLR counts from 0 where our steps count from 1
        step = index + 1
        if step < warmup:
            return step / warmup
        progress = min(1.0, (step - warmup) / (total - warmup))
        return peak_share_floor + (1 - peak_share_floor) * 0.5 * (1 + math.cos(math.pi * progress))

    return factor


def masked_cross_entropy(logits, targets, mask):
    """Mean cross-entropy over the positions the mask counts (src/engine/nn/loss.ts)."""
    losses = F.cross_entropy(logits.flatten(0, 1), targets.flatten(), reduction="none")
    return (losses * mask.flatten()).sum() / mask.sum().clamp(min=1)


def torch_name(ours):
    """Our parameter name → the PyTorch model's.

    encoder/layer0/ffn/hidden_kernel → encoder.layers.0.ffn.hidden.weight, layer1/ln1/gain → layers.1.ln1.weight."""
    name = re.sub(r"layer(\d+)/", r"layers.\1/", ours).replace("/", ".")
    name = re.sub(r"_(kernel|bias)$", lambda m: ".weight" if m.group(1) == "kernel" else ".bias", name)
    name = re.sub(r"(^|\.)kernel$", r"\1weight", name)
    name = re.sub(r"\.(gain|position_embeddings)$", ".weight", name)
    return name


def load_weights(exported, model):
    """Copies our initial weights into the model by name; every PyTorch parameter must get one.

    A kernel of ours is [in, out], an nn.Linear weight [out, in]: kernels are transposed."""
    params = dict(model.named_parameters())  # tied weights appear once
    loaded = set()
    for ours, tensor in exported["weights"].items():
        name = torch_name(ours)
        candidates = [name, name + ".weight", re.sub(r"\.bias$", "_bias", name)]  # embeddings; mlm.output_bias
        target = next((params[c] for c in candidates if c in params), None)
        if target is None:
            raise SystemExit(f"{exported['chapter']}: no PyTorch parameter for our {ours} (tried {candidates})")
        value = to_tensor(tensor)
        if ours.endswith("kernel"):
            value = value.T
        if value.shape != target.shape:
            shapes = f"ours {list(value.shape)}, PyTorch's {list(target.shape)}"
            raise SystemExit(f"{exported['chapter']}: {ours} has different shapes: {shapes}")
        with torch.no_grad():
            target.copy_(value)
        loaded.add(id(target))
    missing = [n for n, p in params.items() if id(p) not in loaded]
    if missing:
        raise SystemExit(f"{exported['chapter']}: PyTorch parameters without a counterpart of ours: {missing}")
    count = sum(p.numel() for p in params.values())
    if count != exported["parameterCount"]:
        raise SystemExit(f"{exported['chapter']}: {count} parameters, ours has {exported['parameterCount']}")


def make_model(exported):
    torch.manual_seed(42)  # the dropout masks (bert-mlm) of the timed steps
    model = build_model(exported)
    load_weights(exported, model)
    batch = {name: to_tensor(t) for name, t in exported["batch"]["inputs"].items()}
    targets, mask = to_tensor(exported["batch"]["targets"]), to_tensor(exported["batch"]["lossMask"])
    return model, batch, targets, mask


def check(exported):
    """Our loss and global gradient norm at our initial weights, without dropout, against PyTorch's."""
    model, batch, targets, mask = make_model(exported)
    model.eval()
    loss = masked_cross_entropy(model(batch), targets, mask)
    loss.backward()
    norm = torch.sqrt(sum((p.grad**2).sum() for p in model.parameters())).item()
    ours = exported["check"]
    loss_error = abs(loss.item() - ours["loss"]) / abs(ours["loss"])
    norm_error = abs(norm - ours["gradientNorm"]) / abs(ours["gradientNorm"])
    verdict = "same" if max(loss_error, norm_error) < 1e-5 else "DIFFERENT"
    print(
        f"{exported['chapter']} check ({ATTENTION}): loss {loss.item():.6f} ours {ours['loss']:.6f}, "
        f"gradient norm {norm:.6f} ours {ours['gradientNorm']:.6f}, relative errors "
        f"{loss_error:.1e} {norm_error:.1e}: {verdict}",
        flush=True,
    )
    return verdict == "same"


def training_step(exported):
    """The model (with our initial weights), AdamW, scheduler and the exported batch; returns the step."""
    chapter, hyper = exported["chapter"], exported["hyperparameters"]
    model, batch, targets, mask = make_model(exported)
    model.train()
    # Weight decay on matrices only (our decayMatrices: rank ≥ 2, embeddings included).
    params = list(model.parameters())
    groups = [
        {"params": [p for p in params if p.dim() >= 2], "weight_decay": hyper["weightDecay"]},
        {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0},
    ]
    optimizer = torch.optim.AdamW(groups, lr=hyper["learningRate"], **ADAMW[chapter])
    steps = exported["stepsPerEpoch"] * hyper["epochs"]
    warmup = hyper["warmupSteps"]
    if chapter == "transformer":
        total = max(steps, 2)
        warmup = min(warmup, total // 4)
    else:
        total = max(steps, 2 if chapter == "bert-mlm" else 1)
        warmup = min(warmup, total - 1)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, warmup_cosine(FLOOR[chapter], warmup, total))
    clip = hyper["clipNorm"]

    def step():
        optimizer.zero_grad(set_to_none=True)
        loss = masked_cross_entropy(model(batch), targets, mask)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, clip)
        optimizer.step()
        scheduler.step()
        return loss.item()

    return model, step


def describe(exported, model):
    hyper, chapter = exported["hyperparameters"], exported["chapter"]
    shapes = " ".join(f"{n}{t['shape']}" for n, t in exported["batch"]["inputs"].items())
    layers = (
        f"{hyper['encoderLayers']}+{hyper['decoderLayers']}" if chapter == "transformer" else str(hyper["layers"])
    )
    kv = hyper.get("kvHeads", hyper["heads"])
    parameters = sum(p.numel() for p in model.parameters())
    return (
        f"layers={layers} d_model={hyper['dModel']} heads={hyper['heads']} kv_heads={kv} "
        f"vocab={exported['sourceVocab']}/{exported['targetVocab']} batch: {shapes} params={parameters}"
    )


def main():
    global ATTENTION
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("shapes", help="the JSON written by export-step-shapes.ts")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--attention", choices=["sdpa", "explicit"], default="sdpa")
    parser.add_argument("--chapters", default="transformer,mini-gpt,bert-mlm,modern-attention")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--check", action="store_true", help="compare loss and gradient norm with ours; no timing")
    args = parser.parse_args()
    ATTENTION = args.attention
    torch.set_num_threads(args.threads)
    with open(args.shapes) as f:
        exported = {c["chapter"]: c for c in json.load(f)["chapters"]}
    chapters = args.chapters.split(",")
    if args.check:
        same = [check(exported[chapter]) for chapter in chapters]
        raise SystemExit(0 if all(same) else 1)
    for chapter in chapters:
        model, step = training_step(exported[chapter])
        for _ in range(args.warmup):
            step()
        times = []
        for _ in range(args.steps):
            start = time.perf_counter()
            step()
            times.append((time.perf_counter() - start) * 1000)
        print(
            f"{chapter} {statistics.median(times):.1f} ms/step median, mean {statistics.mean(times):.1f}, "
            f"min {min(times):.1f} (torch {torch.__version__}, {args.threads} threads, {ATTENTION}; "
            f"{describe(exported[chapter], model)})",
            flush=True,
        )


if __name__ == "__main__":
    main()
