"""
A PyTorch reference of llm-tutor's default `attention-seq2seq` run (issue 13), written the way a
course's script would be (nn.Module, nn.GRU, nn.Linear, torch.optim.Adam, clip_grad_norm_), for two
uses: timing it side by side with `llm-tutor train attention-seq2seq --backend wasm`, and checking
our numbers with an independent implementation.

It trains on what scripts/reference/export-attention-seq2seq.ts exports from our engine: the same
encoded examples, the same batches in the same order and the same initial weights. The model is the
chapter's (src/engine/chapters/attention-seq2seq/model.ts): GRU encoder and decoder (reset-after
gates r, z, n), the whole decoder run under teacher forcing first, then additive attention
score = v . tanh(W_q q + W_k k + b) over the unpadded source positions, and logits from
[decoder_output, context]. Loss: cross-entropy averaged over non-padding target tokens; gradients
clipped to a global norm of clipNorm; Adam with TensorFlow.js's epsilon 1e-7. After every epoch it
evaluates as src/engine/kits/seq2seq/evaluate.ts does (teacher-forced validation loss, greedy exact
match) and prints one line:

    epoch=1 train_loss=... val_loss=... val_exact=... seconds=... step_ms=...

(seconds since the process started, before torch was imported; step_ms = the epoch's training time
per step, evaluation excluded).

    node --import tsx scripts/reference/export-attention-seq2seq.ts /tmp/export.json
    python scripts/reference/attention_seq2seq.py /tmp/export.json [--epochs N] [--check] [--threads 2]

--check first prints the loss and gradient norm of the first batch at the initial weights (and
after one step) beside the values our engine computed. Needs PyTorch (CPU) and NumPy; not part of
the extension, the CLI or the tests.
"""
import time

START = time.time()

import argparse  # noqa: E402
import copy  # noqa: E402
import json  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402

# The special ids (src/engine/tasks/vocab.ts); main() reads them from the export.
PAD, BOS, EOS = 0, 1, 2


class Encoder(nn.Module):
    def __init__(self, vocab_size, embedding_size, hidden_size):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embedding_size)
        self.gru = nn.GRU(embedding_size, hidden_size, batch_first=True)

    def forward(self, source, lengths):
        outputs, _ = self.gru(self.embedding(source))  # [batch, source_len, hidden]
        # Right padding: the state after each example's last real token is its final state.
        final = outputs[torch.arange(source.shape[0]), lengths - 1]  # [batch, hidden]
        return outputs, final


class AdditiveAttention(nn.Module):
    def __init__(self, query_size, key_size, attention_size):
        super().__init__()
        self.query = nn.Linear(query_size, attention_size, bias=False)
        self.key = nn.Linear(key_size, attention_size)
        self.score = nn.Linear(attention_size, 1, bias=False)

    def forward(self, queries, keys, values, mask):
        # queries [batch, queries, hidden], keys = self.key(encoder_outputs) [batch, source_len, attention]
        hidden = torch.tanh(self.query(queries).unsqueeze(2) + keys.unsqueeze(1))
        scores = self.score(hidden).squeeze(-1)  # [batch, queries, source_len]
        scores = scores.masked_fill(~mask.unsqueeze(1), -1e9)
        weights = torch.softmax(scores, dim=-1)
        return torch.bmm(weights, values)  # [batch, queries, hidden]


class Decoder(nn.Module):
    def __init__(self, vocab_size, embedding_size, hidden_size, attention_size):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embedding_size)
        self.gru = nn.GRU(embedding_size, hidden_size, batch_first=True)
        self.attention = AdditiveAttention(hidden_size, hidden_size, attention_size)
        self.out = nn.Linear(2 * hidden_size, vocab_size)

    def forward(self, inputs, state, encoder_outputs, keys, mask):
        outputs, state = self.gru(self.embedding(inputs), state)  # [batch, len, hidden]
        context = self.attention(outputs, keys, encoder_outputs, mask)
        return self.out(torch.cat([outputs, context], dim=-1)), state  # [batch, len, vocab]


class Seq2Seq(nn.Module):
    def __init__(self, source_vocab, target_vocab, embedding_size, hidden_size, attention_size):
        super().__init__()
        self.encoder = Encoder(source_vocab, embedding_size, hidden_size)
        self.decoder = Decoder(target_vocab, embedding_size, hidden_size, attention_size)

    def start(self, source, lengths):
        encoder_outputs, final = self.encoder(source, lengths)
        keys = self.decoder.attention.key(encoder_outputs)  # projected once for every query
        mask = source != PAD
        return encoder_outputs, final.unsqueeze(0), keys, mask

    def forward(self, source, lengths, decoder_inputs):
        encoder_outputs, state, keys, mask = self.start(source, lengths)
        logits, _ = self.decoder(decoder_inputs, state, encoder_outputs, keys, mask)
        return logits

    @torch.no_grad()
    def greedy(self, source, lengths, steps):
        encoder_outputs, state, keys, mask = self.start(source, lengths)
        token = torch.full((source.shape[0], 1), BOS, dtype=torch.long)
        tokens = []
        for _ in range(steps):
            logits, state = self.decoder(token, state, encoder_outputs, keys, mask)
            token = logits.argmax(-1)  # [batch, 1]
            tokens.append(token)
        return torch.cat(tokens, dim=1)  # [batch, steps]


def load_weights(model, weights):
    """Our kernels are [in, out]; nn.Linear and nn.GRU keep [out, in]. The GRU's fused gates are
    (r, z, n) in both, with the same reset-after candidate, so a transpose is all it takes."""

    def w(name):
        entry = weights[name]
        return torch.tensor(np.asarray(entry["values"], dtype=np.float32).reshape(entry["shape"]))

    state = {}
    for side in ("encoder", "decoder"):
        state[f"{side}.embedding.weight"] = w(f"{side}/embeddings")
        state[f"{side}.gru.weight_ih_l0"] = w(f"{side}/gru/input_kernel").T
        state[f"{side}.gru.weight_hh_l0"] = w(f"{side}/gru/recurrent_kernel").T
        state[f"{side}.gru.bias_ih_l0"] = w(f"{side}/gru/bias")
        state[f"{side}.gru.bias_hh_l0"] = w(f"{side}/gru/recurrent_bias")
    state["decoder.attention.query.weight"] = w("attention/query_kernel").T
    state["decoder.attention.key.weight"] = w("attention/key_kernel").T
    state["decoder.attention.key.bias"] = w("attention/bias")
    state["decoder.attention.score.weight"] = w("attention/score_vector").T
    state["decoder.out.weight"] = w("output/kernel").T
    state["decoder.out.bias"] = w("output/bias")
    model.load_state_dict({name: value.contiguous() for name, value in state.items()})


def pad(rows):
    out = torch.full((len(rows), max(len(row) for row in rows)), PAD, dtype=torch.long)
    for i, row in enumerate(rows):
        out[i, : len(row)] = torch.tensor(row)
    return out


def make_batch(examples):
    """Padded to the batch's own longest source and target, as our makeSeq2SeqBatch does."""
    source = pad([e["source"] for e in examples])
    lengths = torch.tensor([len(e["source"]) for e in examples])
    return source, lengths, pad([e["decoderInput"] for e in examples]), pad([e["target"] for e in examples])


def evaluate(model, examples, settings, loss_fn):
    model.eval()
    order = sorted(range(len(examples)), key=lambda i: (len(examples[i]["source"]), i))
    loss_sum, token_count, correct = 0.0, 0, 0
    with torch.no_grad():
        for start in range(0, len(order), settings["batchSize"]):
            chunk = [examples[i] for i in order[start : start + settings["batchSize"]]]
            source, lengths, decoder_inputs, targets = make_batch(chunk)
            logits = model(source, lengths, decoder_inputs)
            loss_sum += loss_fn(logits.flatten(0, 1), targets.flatten()).item() * (targets != PAD).sum().item()
            token_count += (targets != PAD).sum().item()
            predicted = model.greedy(source, lengths, settings["decodeSteps"]).tolist()
            for row, example in zip(predicted, chunk):
                # Exact match: <eos> produced, and everything before it equal to the target.
                if EOS in row and row[: row.index(EOS) + 1] == example["target"]:
                    correct += 1
    model.train()
    return loss_sum / token_count, correct / len(examples)


def check_first_batch(model, data, loss_fn, hyper):
    """Loss and gradient norm of the first batch at the initial weights, and its loss after one
    step, beside our engine's; on copies, so training starts from the untouched initial weights."""
    model = copy.deepcopy(model)
    optimizer = torch.optim.Adam(model.parameters(), lr=hyper["learningRate"], eps=1e-7)
    source, lengths, decoder_inputs, targets = make_batch([data["train"][i] for i in data["batches"][0][0]])
    loss = loss_fn(model(source, lengths, decoder_inputs).flatten(0, 1), targets.flatten())
    loss.backward()
    norm = torch.nn.utils.clip_grad_norm_(model.parameters(), hyper["clipNorm"])
    optimizer.step()
    with torch.no_grad():
        after = loss_fn(model(source, lengths, decoder_inputs).flatten(0, 1), targets.flatten())
    ours = data["reference"]
    print(
        f"check first_batch_loss={loss.item():.7f} ours={ours['firstBatchLoss']:.7f} "
        f"gradient_norm={norm.item():.7f} ours={ours['firstBatchGradientNorm']:.7f} "
        f"loss_after_one_step={after.item():.7f} ours={ours['firstBatchLossAfterOneStep']:.7f}",
        flush=True,
    )


def main():
    global PAD, BOS, EOS
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("export", help="the JSON written by export-attention-seq2seq.ts")
    parser.add_argument("--epochs", type=int, help="train at most this many of the exported epochs")
    parser.add_argument("--check", action="store_true", help="compare the first step with our engine's first")
    parser.add_argument("--threads", type=int, default=2, help="torch.set_num_threads (default 2)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    with open(args.export) as file:
        data = json.load(file)
    hyper, vocab = data["hyperparameters"], data["vocab"]
    PAD, BOS, EOS = vocab["pad"], vocab["bos"], vocab["eos"]
    model = Seq2Seq(
        vocab["sourceSize"], vocab["targetSize"], hyper["embeddingSize"], hyper["hiddenSize"], hyper["attentionSize"]
    )
    load_weights(model, data["weights"])
    # Mean over the non-padding target tokens (<eos> included), as our maskedCrossEntropy.
    loss_fn = nn.CrossEntropyLoss(ignore_index=PAD)
    if args.check:
        check_first_batch(model, data, loss_fn, hyper)
    # TensorFlow.js's Adam: β1 0.9, β2 0.999, ε 1e-7, a constant learning rate.
    optimizer = torch.optim.Adam(model.parameters(), lr=hyper["learningRate"], eps=1e-7)

    train = data["train"]
    epochs = data["batches"][: args.epochs] if args.epochs else data["batches"]
    for epoch, batches in enumerate(epochs, start=1):
        epoch_start = time.time()
        loss_sum = 0.0
        for indices in batches:
            source, lengths, decoder_inputs, targets = make_batch([train[i] for i in indices])
            logits = model(source, lengths, decoder_inputs)  # [batch, target_len, vocab]
            loss = loss_fn(logits.flatten(0, 1), targets.flatten())
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), hyper["clipNorm"])
            optimizer.step()
            loss_sum += loss.item()
        step_ms = (time.time() - epoch_start) * 1000 / len(batches)
        val_loss, val_exact = evaluate(model, data["validation"], data["evaluation"], loss_fn)
        print(
            f"epoch={epoch} train_loss={loss_sum / len(batches):.4f} val_loss={val_loss:.4f} "
            f"val_exact={val_exact:.4f} seconds={time.time() - START:.1f} step_ms={step_ms:.1f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
