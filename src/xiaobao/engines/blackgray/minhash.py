"""Vectorised MinHash over character k-gram shingles, and a banded LSH index (pure numpy).

MinHash (Broder 1997) estimates the Jaccard similarity J(A, B) = |A ∩ B| / |A ∪ B| of two shingle
sets as the fraction of the `num_perm` hash functions whose minimum over A equals their minimum over
B. This implementation is built for batches of short Chinese texts (≈ 100–300 characters):

* **Shingles.** A text becomes a uint32 array of code points (one `str.encode("utf-32-le")` for a
  whole batch). The k-gram at each position is hashed with a polynomial over the k code points in
  wrapping uint64 arithmetic and finalised with the 64-bit MurmurHash3 mixer; the upper 32 bits are
  the shingle value. Grams crossing a text boundary are dropped. No Python `hash()` is involved, so
  signatures are identical across processes, machines and `PYTHONHASHSEED` values.
* **Permutations.** `h_i(x) = (a_i · x + b_i) mod 2^32` with odd random `a_i` and random `b_i`
  drawn from `numpy.random.Generator(PCG64(seed))`. Each `h_i` is a bijection of the 32-bit
  values; applied to already-mixed shingle values its minima behave like those of random
  permutations. This is not a min-wise independent family in the strict sense (datasketch uses
  `(a·x + b) mod (2^61 − 1)`, truncated to 32 bits); in our tests the estimate stays within the
  binomial standard error `sqrt(J(1 − J)/num_perm)` (≈ 0.044 at J = 0.5, num_perm = 128), and 32-bit
  arithmetic is what makes it fast in numpy. 32-bit shingle values collide with probability
  ≈ n²/2^33 per text (negligible for texts below thousands of characters).
* **Cost.** The `num_perm × shingles` hash matrix is computed for ≈ 8,000 shingles at a time in
  a `(num_perm, shingles)` layout that stays in cache and reduced with `np.minimum.reduceat`:
  about 5–6 µs per 160-character text on one core at num_perm = 128 (the Python normaliser, not
  the hashing, dominates a full pipeline). `n_jobs > 1` runs chunks in threads (numpy releases
  the GIL). Memory: `4 · num_perm` bytes per signature.
* **Short texts.** A text with fewer than `min_shingles` *distinct* shingles has no signature: its
  row is `EMPTY` (all ones) and `valid` is False. Distinctness is read off the signature (the
  permutations are bijections, so each minimum is inverted back to the shingle it came from; the
  number of distinct such shingles never exceeds the number of distinct shingles of the text, and
  equals it with overwhelming probability when that number is small), so "我要投诉我要投诉…" repeated is
  rejected as well as "退款". This keeps short texts from collapsing into one LSH bucket.

`LSHIndex` splits a signature into `bands × rows` and stores, per band and document, one uint64 —
the band key's upper 32 bits and the document's internal id — in one sorted array (8 bytes an entry;
batch inserts are merged with one in-place sort, single inserts are buffered in a dict and merged
when the buffer grows), so a query is `bands` binary searches. The probability that a pair with
Jaccard `s` becomes a candidate is `1 − (1 − s^rows)^bands`; with the engine's 42 × 3 it is ≈ 0.996
at s = 0.5, ≈ 0.90 at s = 0.38 (the family threshold), ≈ 0.68 at s = 0.3 and ≈ 0.04 at s = 0.1 —
candidates are then confirmed with `jaccard_estimate`.
Large template families make some buckets huge; `max_per_band` (2,048) caps how many ids one band
contributes to a query (the first inserted ones), which bounds query time; duplicates across bands
are removed in O(candidates) with a scratch array (`_dedupe`), not a sort.
"""

from __future__ import annotations

import itertools
from collections.abc import Hashable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np

EMPTY = np.uint32(0xFFFFFFFF)
_M64 = np.uint64(0xFFFFFFFFFFFFFFFF)
_POLY = np.uint64(0x100000001B3)          # FNV-64 prime, multiplier of the k-gram polynomial
_C1 = np.uint64(0xFF51AFD7ED558CCD)       # MurmurHash3 fmix64 constants
_C2 = np.uint64(0xC4CEB9FE1A85EC53)
_S33 = np.uint64(33)
_S32 = np.uint64(32)
_CHUNK_SHINGLES = 8192


def _fmix64(h: np.ndarray) -> np.ndarray:
    """MurmurHash3 64-bit finaliser, in place on a uint64 array."""
    h ^= h >> _S33
    h *= _C1
    h ^= h >> _S33
    h *= _C2
    h ^= h >> _S33
    return h


_HIGH32 = np.uint64(0xFFFFFFFF00000000)
_LOW32 = np.uint64(0xFFFFFFFF)
_BYTE_SUM = np.uint64(0x0101010101010101)
_S56 = np.uint64(56)


def _row_counts(eq: np.ndarray) -> np.ndarray:
    """True values per row of a C-contiguous bool matrix. The hot step of a query that hits a big
    family: rows are summed as uint64 words (eight bool bytes each, no carry between bytes while a
    row has ≤ 2,040 columns), then the eight byte lanes are added by one multiplication — about 2×
    faster than `np.count_nonzero(axis=1)` on 128 columns."""
    cols = eq.shape[1]
    if cols % 8 or cols > 2040 or not eq.flags.c_contiguous:
        return np.count_nonzero(eq, axis=1)
    lanes = eq.view(np.uint64).sum(axis=1, dtype=np.uint64)
    return ((lanes * _BYTE_SUM) >> _S56).astype(np.int64)


def jaccard_estimate(sig_a: np.ndarray, sig_b: np.ndarray) -> float | np.ndarray:
    """Estimated Jaccard similarity: the fraction of equal signature positions.

    `sig_b` may be a matrix (one signature per row): the result is then one estimate per row.
    Empty signatures (short texts) estimate 0.
    """
    sig_a = np.asarray(sig_a)
    sig_b = np.asarray(sig_b)
    eq = (sig_a == sig_b) & (sig_b != EMPTY)
    if eq.ndim == 1:
        return float(eq.mean())
    return eq.mean(axis=-1)


def shingle_set(text: str, k: int) -> set[str]:
    """The exact k-gram set of a text (for tests and explanations; not used for hashing)."""
    return {text[i:i + k] for i in range(len(text) - k + 1)}


def exact_jaccard(a: str, b: str, k: int) -> float:
    sa, sb = shingle_set(a, k), shingle_set(b, k)
    if not sa and not sb:
        return 0.0
    return len(sa & sb) / len(sa | sb)


class MinHasher:
    """MinHash signatures of (already normalised) texts; see the module docstring for accuracy and cost."""

    def __init__(self, num_perm: int = 128, k: int = 4, seed: int = 1, min_shingles: int = 12, n_jobs: int = 1):
        if num_perm < 1 or k < 1 or min_shingles < 1:
            raise ValueError("num_perm, k and min_shingles must be positive")
        self.num_perm = num_perm
        self.k = k
        self.seed = seed
        self.min_shingles = min_shingles
        self.n_jobs = max(1, int(n_jobs))
        rng = np.random.Generator(np.random.PCG64(seed))
        self._a = (rng.integers(0, 1 << 32, num_perm, dtype=np.uint64) | np.uint64(1)).astype(np.uint32)
        self._b = rng.integers(0, 1 << 32, num_perm, dtype=np.uint64).astype(np.uint32)
        inv = self._a.copy()                      # a⁻¹ mod 2^32 (Newton: each step doubles the correct bits)
        for _ in range(5):
            inv *= np.uint32(2) - self._a * inv
        self._a_inv = inv
        self._a_col = self._a[:, None]
        self._b_col = self._b[:, None]
        self._powers = [np.uint64(pow(int(_POLY), k - 1 - j, 1 << 64)) for j in range(k)]

    # -- shingles --------------------------------------------------------------------------------
    def _shingle_values(self, codes: np.ndarray) -> np.ndarray:
        """uint32 hash of the k-gram starting at every position of `codes` (len(codes) − k + 1 values)."""
        n = codes.shape[0] - self.k + 1
        c = codes.astype(np.uint64)
        h = c[:n] * self._powers[0]
        for j in range(1, self.k):
            h += c[j:j + n] * self._powers[j]
        return (_fmix64(h) >> _S32).astype(np.uint32)

    def shingles(self, text: str) -> np.ndarray:
        """Distinct shingle values of one text (uint32)."""
        if len(text) < self.k:
            return np.empty(0, np.uint32)
        return np.unique(self._shingle_values(np.frombuffer(text.encode("utf-32-le"), np.uint32)))

    # -- signatures ------------------------------------------------------------------------------
    def signature(self, text: str) -> np.ndarray | None:
        """The signature of one text, or None when it has fewer than `min_shingles` distinct shingles."""
        if len(text) - self.k + 1 < self.min_shingles:
            return None
        x = self._shingle_values(np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32))
        sig = (self._a_col * x[None, :] + self._b_col).min(axis=1)
        if np.unique(x).size < self.min_shingles:
            return None
        return sig

    def signatures(self, texts: Sequence[str], return_valid: bool = False):
        """Signatures of many texts: uint32 array `[len(texts), num_perm]`; rows of texts with too
        few shingles are all `EMPTY`. With `return_valid=True` also returns the boolean mask."""
        texts = list(texts)
        n = len(texts)
        out = np.full((n, self.num_perm), EMPTY, dtype=np.uint32)
        lengths = np.fromiter(map(len, texts), dtype=np.int64, count=n)
        grams = np.maximum(lengths - self.k + 1, 0)
        # texts whose gram count is below the minimum can never be valid: skip them entirely
        candidates = np.flatnonzero(grams >= self.min_shingles)
        if candidates.size:
            # chunks of consecutive candidate texts with ≈ _CHUNK_SHINGLES grams each
            cum = np.cumsum(grams[candidates])
            cuts = np.searchsorted(cum, np.arange(_CHUNK_SHINGLES, cum[-1] + _CHUNK_SHINGLES, _CHUNK_SHINGLES),
                                   side="right")
            bounds = np.unique(np.concatenate(([0], np.minimum(cuts, candidates.size), [candidates.size])))
            jobs = [candidates[lo:hi] for lo, hi in itertools.pairwise(bounds) if hi > lo]

            def run(idx: np.ndarray) -> None:
                out[idx] = self._chunk([texts[i] for i in idx], lengths[idx])

            if self.n_jobs > 1 and len(jobs) > 1:
                with ThreadPoolExecutor(self.n_jobs) as pool:
                    list(pool.map(run, jobs))
            else:
                for idx in jobs:
                    run(idx)
            valid = np.zeros(n, dtype=bool)
            # h_i is a bijection: invert it to recover which shingle gave each minimum, and count
            # the distinct ones
            rows = (out[candidates] - self._b) * self._a_inv
            srt = np.sort(rows, axis=1)
            distinct = (srt[:, 1:] != srt[:, :-1]).sum(axis=1) + 1
            ok = distinct >= self.min_shingles
            valid[candidates[ok]] = True
            out[candidates[~ok]] = EMPTY
        else:
            valid = np.zeros(n, dtype=bool)
        return (out, valid) if return_valid else out

    def _chunk(self, texts: list[str], lengths: np.ndarray) -> np.ndarray:
        """Signatures of texts that each have at least one k-gram."""
        codes = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32)
        values = self._shingle_values(codes)
        # keep only grams that start and end inside one text
        ends = np.cumsum(lengths)
        starts = ends - lengths
        grams = lengths - self.k + 1
        keep = np.repeat(starts - np.concatenate(([0], np.cumsum(grams)[:-1])), grams)
        pos = np.arange(grams.sum(), dtype=np.int64) + keep
        values = values[pos]
        seg = np.concatenate(([0], np.cumsum(grams)[:-1]))
        h = self._a_col * values[None, :]           # (num_perm, shingles), wraps mod 2^32
        h += self._b_col
        return np.minimum.reduceat(h, seg, axis=1).T


class LSHIndex:
    """Banded LSH over MinHash signatures: `insert`/`insert_many` ids, `query` candidate ids.

    Ids are any hashable values; internally they are numbered in insertion order. Signatures are
    kept (`signature(id)`, `jaccard(sig, ids)`) so candidates can be confirmed without rehashing.
    """

    def __init__(self, num_perm: int = 128, bands: int = 42, rows: int = 3, max_per_band: int | None = 2048,
                 seed: int = 1):
        if bands * rows > num_perm:
            raise ValueError(f"bands × rows = {bands * rows} exceeds num_perm = {num_perm}")
        self.num_perm, self.bands, self.rows = num_perm, bands, rows
        self.max_per_band = max_per_band
        rng = np.random.Generator(np.random.PCG64(seed ^ 0x5EED))
        self._salt = rng.integers(0, 1 << 63, bands, dtype=np.uint64)
        self._ids: list[Hashable] = []
        self._index: dict[Hashable, int] = {}
        self._sigs = np.empty((0, num_perm), dtype=np.uint32)
        self._n = 0
        # one sorted uint64 per (band, document): the band key's upper 32 bits, then the internal id.
        # 8 bytes an entry and one in-place sort, instead of a key array, an id array and an argsort.
        # 32-bit keys collide by chance with probability bands · n / 2³² per query (≈ 0.01 false
        # candidates at a million documents), and candidates are confirmed by Jaccard anyway.
        self._packed = np.empty(0, dtype=np.uint64)
        self._pending: dict[int, list[int]] = {}
        self._pending_count = 0
        self._scratch = np.zeros(0, dtype=np.int32)   # query work space (see _dedupe): not thread-safe

    def __len__(self) -> int:
        return self._n

    def __contains__(self, key: Hashable) -> bool:
        return key in self._index

    # -- keys ------------------------------------------------------------------------------------
    def band_keys(self, sigs: np.ndarray) -> np.ndarray:
        """uint64 key per band: `[n, bands]` for a `[n, num_perm]` matrix (or `[bands]` for one row)."""
        one = sigs.ndim == 1
        s = np.atleast_2d(sigs)[:, : self.bands * self.rows].reshape(-1, self.bands, self.rows).astype(np.uint64)
        h = np.broadcast_to(self._salt, s.shape[:2]).copy()
        for j in range(self.rows):
            h ^= s[:, :, j]
            h *= _POLY
        _fmix64(h)
        return h[0] if one else h

    # -- insert ----------------------------------------------------------------------------------
    def _store(self, ids: Sequence[Hashable], sigs: np.ndarray) -> np.ndarray:
        for i in ids:
            if i in self._index:
                raise ValueError(f"id {i!r} already in the index")
        m = len(ids)
        need = self._n + m
        if need > self._sigs.shape[0]:
            grown = np.empty((max(need, 2 * self._sigs.shape[0], 1024), self.num_perm), dtype=np.uint32)
            grown[: self._n] = self._sigs[: self._n]
            self._sigs = grown
        self._sigs[self._n: need] = sigs
        internal = np.arange(self._n, need, dtype=np.int64)
        for k, i in enumerate(ids):
            self._index[i] = self._n + k
        self._ids.extend(ids)
        self._n = need
        return internal

    def insert(self, key: Hashable, sig: np.ndarray) -> None:
        """Insert one signature (buffered; cheap)."""
        sig = np.asarray(sig, dtype=np.uint32)
        internal = int(self._store([key], sig[None, :])[0])
        for k in self.band_keys(sig).tolist():
            self._pending.setdefault(k, []).append(internal)
        self._pending_count += self.bands
        if self._pending_count >= max(1 << 16, self._packed.size // 4):
            self._flush()

    def insert_many(self, keys: Sequence[Hashable], sigs: np.ndarray) -> None:
        """Insert many signatures at once (one sort; the fast path for building an index)."""
        keys = list(keys)
        sigs = np.asarray(sigs, dtype=np.uint32)
        if len(keys) != sigs.shape[0]:
            raise ValueError("keys and signatures differ in length")
        if not keys:
            return
        internal = self._store(keys, sigs)
        packed = np.empty(len(keys) * self.bands, dtype=np.uint64)
        step = 1 << 16     # band keys in slices: a whole-matrix uint64 copy would cost 8 · num_perm bytes a row
        for lo in range(0, len(keys), step):
            hi = min(lo + step, len(keys))
            bk = self.band_keys(sigs[lo:hi])
            bk &= _HIGH32
            bk |= internal[lo:hi, None].astype(np.uint64)
            packed[lo * self.bands: hi * self.bands] = bk.ravel()
        self._merge_packed(packed)

    def _flush(self) -> None:
        if not self._pending:
            return
        keys = np.fromiter((k for k, v in self._pending.items() for _ in v), dtype=np.uint64,
                           count=self._pending_count)
        vals = np.fromiter((i for v in self._pending.values() for i in v), dtype=np.int64,
                           count=self._pending_count)
        self._pending = {}
        self._pending_count = 0
        self._merge(keys, vals)

    def _merge(self, keys: np.ndarray, vals: np.ndarray) -> None:
        self._merge_packed((keys & _HIGH32) | vals.astype(np.uint64))

    def _merge_packed(self, packed: np.ndarray) -> None:
        # within a bucket entries sort by internal id, i.e. in insertion order
        merged = np.concatenate((self._packed, packed)) if self._packed.size else packed
        merged.sort()
        self._packed = merged

    # -- query -----------------------------------------------------------------------------------
    def _candidates(self, sig: np.ndarray) -> np.ndarray:
        qk = self.band_keys(np.asarray(sig, dtype=np.uint32))
        qh = qk & _HIGH32
        lo = np.searchsorted(self._packed, qh, side="left")
        hi = np.searchsorted(self._packed, qh | _LOW32, side="right")
        if self.max_per_band is not None:
            hi = np.minimum(hi, lo + self.max_per_band)
        lens = hi - lo
        total = int(lens.sum())
        if total:
            # all bucket slices gathered with one fancy index (no Python loop over bands)
            nz = lens > 0
            starts, lens = lo[nz], lens[nz]
            offsets = np.repeat(starts - np.concatenate(([0], np.cumsum(lens)[:-1])), lens)
            vals = (self._packed[offsets + np.arange(total)] & _LOW32).astype(np.int64)
        else:
            vals = np.empty(0, dtype=np.int64)
        if self._pending:
            cap = self.max_per_band
            extra = [np.asarray(v[:cap] if cap else v, dtype=np.int64)
                     for k in qk.tolist() if (v := self._pending.get(k))]
            if extra:
                vals = np.concatenate([vals, *extra])
        return self._dedupe(vals)

    def _dedupe(self, vals: np.ndarray) -> np.ndarray:
        """Distinct ids, ascending. Small inputs: np.unique. Large ones (a big template family fills
        every band's bucket with the same ids): a scratch array indexed by id marks the last position
        of each id — O(len(vals)) instead of a sort, which is what keeps the query p99 flat."""
        if vals.size <= 512:
            return np.unique(vals)
        if self._scratch.size < self._n:
            self._scratch = np.zeros(max(self._n, 2 * self._scratch.size), dtype=np.int32)
        pos = np.arange(vals.size, dtype=np.int32)
        self._scratch[vals] = pos
        out = vals[self._scratch[vals] == pos]
        self._scratch[vals] = 0
        out.sort()
        return out

    def query(self, sig: np.ndarray) -> list[Hashable]:
        """Ids sharing at least one band with `sig` (candidates, not yet confirmed)."""
        return [self._ids[i] for i in self._candidates(sig).tolist()]

    def query_jaccard(self, sig: np.ndarray, threshold: float = 0.0) -> list[tuple[Hashable, float]]:
        """Candidates with their estimated Jaccard ≥ threshold, most similar first."""
        sig = np.asarray(sig, dtype=np.uint32)
        cand = self._candidates(sig)
        if cand.size == 0:
            return []
        eq = self._sigs[cand] == sig
        if (sig == EMPTY).any():            # only then can an empty row match (see jaccard_estimate)
            eq &= sig != EMPTY
        hits = _row_counts(eq)
        keep = hits >= threshold * self.num_perm - 1e-9
        cand, hits = cand[keep], hits[keep]
        order = np.argsort(-hits, kind="stable")      # cand is ascending: ties stay in id order
        ids = self._ids
        scale = 1.0 / self.num_perm
        return [(ids[c], h * scale) for c, h in zip(cand[order].tolist(), hits[order].tolist())]

    def signature(self, key: Hashable) -> np.ndarray:
        return self._sigs[self._index[key]]

    def jaccard(self, sig: np.ndarray, keys: Iterable[Hashable]) -> np.ndarray:
        idx = np.fromiter((self._index[k] for k in keys), dtype=np.int64)
        return jaccard_estimate(np.asarray(sig, dtype=np.uint32), self._sigs[idx])
