"""
The attention-seq2seq chapter in PyTorch, for side-by-side timing against `npm run bench`: the
same model (GRU encoder and decoder with fused reset-after gates, additive attention over all
target positions at once, [decoder_output, context] -> logits), the same data, batches and
initial weights (exported by export-attention-seq2seq.ts), Adam with TensorFlow.js's epsilon,
global-norm clipping, and validation exact match by greedy decoding at the end of every epoch.
Prints the seconds from process start to each evaluation, like the bench.

  python scripts/reference/attention_seq2seq.py EXPORT.json [--threads 2] [--target 0.95]

Not part of the project's runtime or tests; it needs PyTorch (CPU) and NumPy.
"""
import argparse
import json
import time

START = time.time()

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

PAD, BOS, EOS = 0, 1, 2


def padded(rows, key):
    width = max(len(r[key]) for r in rows)
    out = np.zeros((len(rows), width), dtype=np.int64)
    for i, r in enumerate(rows):
        out[i, : len(r[key])] = r[key]
    return torch.from_numpy(out)


class Model(torch.nn.Module):
    def __init__(self, weights, hidden):
        super().__init__()
        t = lambda name: torch.tensor(np.array(weights[name]["values"], dtype=np.float32).reshape(weights[name]["shape"]))
        self.hidden = hidden
        self.src_emb = torch.nn.Parameter(t("encoder/embeddings"))
        self.tgt_emb = torch.nn.Parameter(t("decoder/embeddings"))
        self.enc = torch.nn.GRU(self.src_emb.shape[1], hidden, batch_first=True)
        self.dec = torch.nn.GRU(self.tgt_emb.shape[1], hidden, batch_first=True)
        for gru, side in ((self.enc, "encoder"), (self.dec, "decoder")):
            # Our fused kernels are [in, 3·hidden] with gates (reset, update, candidate): PyTorch's order.
            gru.weight_ih_l0.data = t(f"{side}/gru/input_kernel").T.contiguous()
            gru.weight_hh_l0.data = t(f"{side}/gru/recurrent_kernel").T.contiguous()
            gru.bias_ih_l0.data = t(f"{side}/gru/bias")
            gru.bias_hh_l0.data = t(f"{side}/gru/recurrent_bias")
        self.wq = torch.nn.Parameter(t("attention/query_kernel"))
        self.wk = torch.nn.Parameter(t("attention/key_kernel"))
        self.b = torch.nn.Parameter(t("attention/bias"))
        self.v = torch.nn.Parameter(t("attention/score_vector"))
        self.out_w = torch.nn.Parameter(t("output/kernel"))
        self.out_b = torch.nn.Parameter(t("output/bias"))

    def encode(self, src):
        mask = (src != PAD).float()
        outputs, _ = self.enc(F.embedding(src, self.src_emb))
        last = (mask.sum(1).long() - 1).clamp(min=0)
        final = outputs[torch.arange(src.shape[0]), last]
        return outputs, final, mask

    def attend(self, queries, keys, values, mask):
        # scores [batch, queries, keys] = vᵀ tanh(W_q q + W_k k + b)
        hidden = torch.tanh((queries @ self.wq).unsqueeze(2) + keys.unsqueeze(1))
        scores = (hidden @ self.v).squeeze(-1) + (1 - mask.unsqueeze(1)) * -1e9
        weights = torch.softmax(scores, dim=-1)
        return weights @ values

    def forward(self, src, dec_in):
        enc_out, final, mask = self.encode(src)
        dec_out, _ = self.dec(F.embedding(dec_in, self.tgt_emb), final.unsqueeze(0))
        keys = enc_out @ self.wk + self.b
        context = self.attend(dec_out, keys, enc_out, mask)
        return torch.cat([dec_out, context], -1) @ self.out_w + self.out_b

    @torch.no_grad()
    def greedy(self, src, steps):
        enc_out, state, mask = self.encode(src)
        keys = enc_out @ self.wk + self.b
        token = torch.full((src.shape[0],), BOS, dtype=torch.long)
        h = state.unsqueeze(0)
        out = []
        for _ in range(steps):
            o, h = self.dec(F.embedding(token, self.tgt_emb).unsqueeze(1), h)
            context = self.attend(o, keys, enc_out, mask)
            token = (torch.cat([o, context], -1) @ self.out_w + self.out_b).squeeze(1).argmax(-1)
            out.append(token)
        return torch.stack(out, 1)


def exact_match(model, examples, batch_size=256):
    order = sorted(range(len(examples)), key=lambda i: len(examples[i]["source"]))
    steps = max(len(e["target"]) for e in examples)
    correct = 0
    for start in range(0, len(order), batch_size):
        chunk = [examples[i] for i in order[start : start + batch_size]]
        tokens = model.greedy(padded(chunk, "source"), steps).tolist()
        for row, example in zip(tokens, chunk):
            ended = EOS in row
            cut = row[: row.index(EOS) + 1] if ended else row
            correct += ended and cut == example["target"]
    return correct / len(examples)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("export")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--target", type=float, default=0.95)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    data = json.load(open(args.export))
    hyper = data["hyperparameters"]
    model = Model(data["weights"], hyper["hiddenSize"])
    # TensorFlow.js's Adam: β1 0.9, β2 0.999, ε 1e-7.
    optimizer = torch.optim.Adam(model.parameters(), lr=hyper["learningRate"], eps=1e-7)
    train = data["train"]
    for epoch, batches in enumerate(data["batches"], start=1):
        epoch_start = time.time()
        for indices in batches:
            rows = [train[i] for i in indices]
            logits = model(padded(rows, "source"), padded(rows, "decoderInput"))
            target = padded(rows, "target")
            mask = (target != PAD).float()
            loss = (F.cross_entropy(logits.transpose(1, 2), target, reduction="none") * mask).sum() / mask.sum()
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), hyper["clipNorm"])
            optimizer.step()
        step_ms = (time.time() - epoch_start) * 1000 / len(batches)
        exact = exact_match(model, data["validation"])
        print(f"epoch {epoch} val_exact={exact:.4f} at {time.time() - START:.1f} s ({step_ms:.1f} ms/step)", flush=True)
        if exact >= args.target:
            print(f"reached {args.target} in {time.time() - START:.1f} s", flush=True)
            break


if __name__ == "__main__":
    main()
