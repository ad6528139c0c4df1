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
are removed in O(candidates) with a scratch array (`_dedupe`), not a sort. `max_candidates` (the
template families use 384) keeps only the ids found in the most bands when a query finds more, so a
new member of a family of thousands is compared with a few hundred of it, not with all of it. A query with many
candidates compares their signatures' low bytes first (a copy of them, 1 byte per value: 128 bytes
a document beside the signature's 512): equal values have equal low bytes, so a candidate whose low
bytes match fewer positions than the threshold asks is out without reading its full signature.
`query_insert_many` answers a batch of query-then-insert calls exactly as the single calls would,
with the bucket look-ups of every query before the next buffer flush done at once.
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
_NONE = np.empty(0, dtype=np.int64)


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

    def signature_many(self, texts: Sequence[str]) -> list[np.ndarray | None]:
        """`[signature(t) for t in texts]`, hashed as one batch (`signatures`). The batch's validity
        test (distinct minima) can only under-count distinct shingles, so a row it accepts is valid;
        a row it rejects that has enough grams is re-checked exactly, one text at a time."""
        texts = list(texts)
        if not texts:
            return []
        sigs, valid = self.signatures(texts, return_valid=True)
        out: list[np.ndarray | None] = []
        for i, text in enumerate(texts):
            if valid[i]:
                out.append(sigs[i])
            elif len(text) - self.k + 1 < self.min_shingles:
                out.append(None)
            else:
                out.append(self.signature(text))
        return out

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


def _bucket(v: int | list[int] | None) -> tuple[int] | list[int] | None:
    """A buffered bucket (`LSHIndex._pending`) as a sequence."""
    return (v,) if type(v) is int else v


class LSHIndex:
    """Banded LSH over MinHash signatures: `insert`/`insert_many` ids, `query` candidate ids.

    Ids are any hashable values; internally they are numbered in insertion order. Signatures are
    kept (`signature(id)`, `jaccard(sig, ids)`) so candidates can be confirmed without rehashing.
    """

    FLUSH_MIN = 1 << 16   # pending band entries that always fit in the buffer (see `insert`)
    CONFIRM_PAIRS = 1024   # (candidate, query) pairs compared at once by `query_insert_many` (cache-sized)
    SCREEN_FROM = 64       # candidates of one query from which `_confirm_one` screens on low bytes first

    def __init__(self, num_perm: int = 128, bands: int = 42, rows: int = 3, max_per_band: int | None = 2048,
                 seed: int = 1, max_candidates: int | None = None):
        if bands * rows > num_perm:
            raise ValueError(f"bands × rows = {bands * rows} exceeds num_perm = {num_perm}")
        if max_candidates is not None and max_candidates < 1:
            raise ValueError("max_candidates must be at least 1")
        self.num_perm, self.bands, self.rows = num_perm, bands, rows
        self.max_per_band = max_per_band
        self.max_candidates = max_candidates
        rng = np.random.Generator(np.random.PCG64(seed ^ 0x5EED))
        self._salt = rng.integers(0, 1 << 63, bands, dtype=np.uint64)
        self._ids: list[Hashable] = []
        self._index: dict[Hashable, int] = {}
        self._sigs = np.empty((0, num_perm), dtype=np.uint32)
        # the low byte of every signature value: equal values have equal low bytes, so the count of
        # equal low bytes bounds the count of equal values from above, reading a quarter of the bytes
        self._low = np.empty((0, num_perm), dtype=np.uint8)
        self._n = 0
        # one sorted uint64 per (band, document): the band key's upper 32 bits, then the internal id.
        # 8 bytes an entry and one in-place sort, instead of a key array, an id array and an argsort.
        # 32-bit keys collide by chance with probability bands · n / 2³² per query (≈ 0.01 false
        # candidates at a million documents), and candidates are confirmed by Jaccard anyway.
        self._packed = np.empty(0, dtype=np.uint64)
        # inserts not yet merged into `_packed`: band key → internal id, or a list of them when the
        # bucket has more than one (most have one: an int instead of a list saves ≈ 60 bytes an entry,
        # and the buffer holds up to a quarter of the index's entries; see `_flush_at`)
        self._pending: dict[int, int | list[int]] = {}
        self._pending_count = 0
        self._scratch = np.zeros(0, dtype=np.int32)   # query work space (see _dedupe): not thread-safe
        self._work8 = np.empty((0, num_perm), dtype=np.uint8)       # and see _work
        self._workeq = np.empty((0, num_perm), dtype=bool)
        self._work_sigs = np.empty((0, num_perm), dtype=np.uint32)

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
            # grown by a quarter, not doubled: the signatures are most of the index (640 bytes a
            # document), and doubling left up to half the matrix unused, plus old and new matrices
            # side by side while copying (3× the signatures at that moment; now 2.25×)
            size = max(need, self._sigs.shape[0] + self._sigs.shape[0] // 4, 1024)
            grown = np.empty((size, self.num_perm), dtype=np.uint32)
            grown[: self._n] = self._sigs[: self._n]
            self._sigs = grown
            low = np.empty((size, self.num_perm), dtype=np.uint8)
            low[: self._n] = self._low[: self._n]
            self._low = low
        self._sigs[self._n: need] = sigs
        self._low[self._n: need] = sigs      # (the low byte: numpy casts uint32 → uint8 modulo 256)
        internal = np.arange(self._n, need, dtype=np.int64)
        for k, i in enumerate(ids):
            self._index[i] = self._n + k
        self._ids.extend(ids)
        self._n = need
        return internal

    def insert(self, key: Hashable, sig: np.ndarray, keys: np.ndarray | None = None) -> None:
        """Insert one signature (buffered; cheap). `keys`: its `band_keys`, when already computed."""
        sig = np.asarray(sig, dtype=np.uint32)
        if key in self._index:
            raise ValueError(f"id {key!r} already in the index")
        internal = self._n
        if internal >= self._sigs.shape[0]:
            self._store([key], sig[None, :])          # grows the signature matrix
        else:
            self._sigs[internal] = sig
            self._low[internal] = sig
            self._index[key] = internal
            self._ids.append(key)
            self._n = internal + 1
        pending = self._pending
        for k in (self.band_keys(sig) if keys is None else keys).tolist():
            bucket = pending.get(k)
            if bucket is None:
                pending[k] = internal
            elif type(bucket) is int:
                pending[k] = [bucket, internal]
            else:
                bucket.append(internal)
        self._pending_count += self.bands
        if self._pending_count >= self._flush_at():
            self._flush()

    def _flush_at(self) -> int:
        """Buffered single inserts are merged into the sorted array once this many are pending."""
        return max(self.FLUSH_MIN, self._packed.size // 4)

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
        pending = self._pending
        keys = np.repeat(np.fromiter(pending.keys(), dtype=np.uint64, count=len(pending)),
                         np.fromiter((1 if type(v) is int else len(v) for v in pending.values()),
                                     dtype=np.int64, count=len(pending)))
        vals = np.fromiter(itertools.chain.from_iterable(_bucket(v) for v in pending.values()), dtype=np.int64,
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
    def _candidates(self, sig: np.ndarray, keys: np.ndarray | None = None) -> np.ndarray:
        qk = self.band_keys(np.asarray(sig, dtype=np.uint32)) if keys is None else keys
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
                     for k in qk.tolist() if (v := _bucket(self._pending.get(k)))]
            if extra:
                vals = np.concatenate([vals, *extra])
        return self._dedupe(vals)

    def _dedupe(self, vals: np.ndarray) -> np.ndarray:
        """Distinct ids, ascending. Small inputs: np.unique. Large ones (a big template family fills
        every band's bucket with the same ids): a scratch array indexed by id marks the last position
        of each id — O(len(vals)) instead of a sort, which is what keeps the query p99 flat.
        With `max_candidates`, at most that many: those found in the most bands (the likeliest to be
        similar: a pair at Jaccard s shares a band with probability s^rows, each band on its own),
        the newer first among equals — a query inside a family of thousands confirms a few hundred
        of its members, not all of them."""
        cap = self.max_candidates
        if cap is not None and vals.size > cap:
            lo = int(vals.min())
            counts = np.bincount(vals - lo)
            ids = np.flatnonzero(counts)
            if ids.size > cap:
                # one key per id, no ties: band count first, then the id (newer wins)
                rank = counts[ids].astype(np.int64) * (ids[-1] + 1) + ids
                ids = ids[np.argpartition(-rank, cap - 1)[:cap]]
                ids.sort()
            return ids + lo
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

    def query_jaccard(self, sig: np.ndarray, threshold: float = 0.0,
                      keys: np.ndarray | None = None) -> list[tuple[Hashable, float]]:
        """Candidates with their estimated Jaccard ≥ threshold, most similar first. `keys`: the
        signature's `band_keys`, when already computed (a batch computes them in one call)."""
        sig = np.asarray(sig, dtype=np.uint32)
        cand, hits = self._confirm_one(self._candidates(sig, keys), sig, threshold)
        ids = self._ids
        scale = 1.0 / self.num_perm
        return [(ids[c], h * scale) for c, h in zip(cand.tolist(), hits.tolist())]

    def query_insert_many(self, keys: Sequence[Hashable], sigs: np.ndarray, band_keys: np.ndarray,
                          threshold: float) -> list[list[tuple[Hashable, float]]]:
        """For each signature in order: `query_jaccard(sig, threshold)`, then `insert(key, sig)` —
        the same answers and the same index as those calls one by one, with the numpy work done for
        many at a time: bucket look-ups for every document until the next buffer flush, Jaccard
        confirmation for ≈ `CONFIRM_PAIRS` candidates at once. (A query sees the buffered inserts
        before it, its own batch's included, exactly as the single calls do.)"""
        ids, scale = self._ids, 1.0 / self.num_perm
        return [[(ids[c], h * scale) for c, h in zip(found.tolist(), hits.tolist())]
                for found, hits in self.query_insert_many_internal(keys, sigs, band_keys, threshold)]

    def internal_id(self, key: Hashable) -> int:
        """The number the index gave `key` (insertion order, from 0)."""
        return self._index[key]

    def query_insert_many_internal(self, keys: Sequence[Hashable], sigs: np.ndarray, band_keys: np.ndarray,
                                   threshold: float) -> list[tuple[np.ndarray, np.ndarray]]:
        """`query_insert_many`, each answer as arrays: the internal ids found (`internal_id`) and
        their matching signature positions (Jaccard × num_perm), most similar first."""
        keys = list(keys)
        sigs = np.asarray(sigs, dtype=np.uint32)
        if len(keys) != sigs.shape[0] or band_keys.shape != (len(keys), self.bands):
            raise ValueError("keys, signatures and band keys differ in length")
        if len(set(keys)) != len(keys):
            raise ValueError("duplicate ids in one batch")
        out: list[tuple[np.ndarray, np.ndarray]] = []
        t, m = 0, len(keys)
        while t < m:
            # the inserts of the next `seg` documents buffer at most up to the flush that ends them
            seg = min(m - t, max(1, -(-(self._flush_at() - self._pending_count) // self.bands)))
            out.extend(self._query_insert_segment(keys[t:t + seg], sigs[t:t + seg], band_keys[t:t + seg],
                                                  threshold))
            if self._pending_count >= self._flush_at():
                self._flush()
            t += seg
        return out

    def _query_insert_segment(self, keys: list[Hashable], sigs: np.ndarray, band_keys: np.ndarray,
                              threshold: float) -> list[tuple[np.ndarray, np.ndarray]]:
        """Documents whose inserts flush nothing before the last: the sorted array is the same for
        all their queries; each sees the buffer as the inserts before it left it."""
        m, bands, cap = len(keys), self.bands, self.max_per_band
        for k in keys:
            if k in self._index:
                raise ValueError(f"id {k!r} already in the index")
        first = self._n
        self._store(keys, sigs)        # stored first: a query may confirm an earlier one of the batch
        # bucket slices of the sorted array, for every (document, band) at once
        packed = self._packed
        starts = np.zeros(m + 1, dtype=np.int64)
        if packed.size:
            qh = (band_keys & _HIGH32).ravel()
            lo = np.searchsorted(packed, qh, side="left")
            hi = np.searchsorted(packed, qh | _LOW32, side="right")
            if cap is not None:
                hi = np.minimum(hi, lo + cap)
            lens = hi - lo
            total = int(lens.sum())
            np.cumsum(lens.reshape(m, bands).sum(axis=1), out=starts[1:])
            if total:
                nz = lens > 0
                lo, lens = lo[nz], lens[nz]
                offsets = np.repeat(lo - np.concatenate(([0], np.cumsum(lens)[:-1])), lens)
                flat = (packed[offsets + np.arange(total)] & _LOW32).astype(np.int64)
            else:
                flat = np.empty(0, dtype=np.int64)
        else:
            flat = np.empty(0, dtype=np.int64)
        # the buffer, as each document finds it; then its own insert
        pending = self._pending
        cands: list[np.ndarray] = []
        for u, qk in enumerate(band_keys.tolist()):
            vals = flat[starts[u]:starts[u + 1]]
            if pending:
                extra = [v if not cap or len(v) <= cap else v[:cap] for k in qk if (v := _bucket(pending.get(k)))]
                if extra:
                    vals = np.concatenate([vals, np.fromiter(itertools.chain.from_iterable(extra), dtype=np.int64)])
            cands.append(self._dedupe(vals))
            internal = first + u
            for k in qk:
                bucket = pending.get(k)
                if bucket is None:
                    pending[k] = internal
                elif type(bucket) is int:
                    pending[k] = [bucket, internal]
                else:
                    bucket.append(internal)
        self._pending_count += m * bands
        # confirmation: candidates of several documents compared in one pass
        out: list[tuple[np.ndarray, np.ndarray]] = []
        i = 0
        while i < m:
            if cands[i].size >= self.CONFIRM_PAIRS // 2:      # many candidates: compared on their own
                out.append(self._confirm_one(cands[i], sigs[i], threshold))
                i += 1
                continue
            j, pairs = i, 0
            while j < m and cands[j].size < self.CONFIRM_PAIRS // 2 and (
                    j == i or pairs + cands[j].size <= self.CONFIRM_PAIRS):
                pairs += cands[j].size
                j += 1
            out.extend(self._confirm(cands[i:j], sigs[i:j], threshold))
            i = j
        return out

    def _work(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Work space for `n` candidates' low bytes and comparisons (reused: not thread-safe, like
        the scratch array — the detector that owns the index serialises its calls)."""
        if self._work8.shape[0] < n:
            size = max(n, 2 * self._work8.shape[0], 1024)
            self._work8 = np.empty((size, self.num_perm), dtype=np.uint8)
            self._workeq = np.empty((size, self.num_perm), dtype=bool)
        return self._work8[:n], self._workeq[:n]

    def _work32(self, n: int) -> np.ndarray:
        if self._work_sigs.shape[0] < n:
            self._work_sigs = np.empty((max(n, 2 * self._work_sigs.shape[0], 1024), self.num_perm), dtype=np.uint32)
        return self._work_sigs[:n]

    def _confirm_one(self, cand: np.ndarray, sig: np.ndarray, threshold: float) -> tuple[np.ndarray, np.ndarray]:
        """Candidates with their estimated Jaccard ≥ threshold and their matching positions, most
        similar first, ties in id order (`cand` ascending). Many candidates are first screened on
        their low bytes (`_low`): one whose low bytes match fewer than the threshold's positions
        cannot match more in full."""
        if cand.size == 0:
            return _NONE, _NONE
        need = threshold * self.num_perm - 1e-9
        if cand.size >= self.SCREEN_FROM and need > 0:
            low, eq = self._work(cand.size)
            np.take(self._low, cand, axis=0, out=low)        # (into work space: no allocation per query)
            cand = cand[_row_counts(np.equal(low, sig.astype(np.uint8), out=eq)) >= need]
            if cand.size == 0:
                return _NONE, _NONE
        if cand.size >= self.SCREEN_FROM:
            rows = self._work32(cand.size)
            np.take(self._sigs, cand, axis=0, out=rows)
            eq = np.equal(rows, sig, out=self._work(cand.size)[1])
        else:
            eq = self._sigs[cand] == sig
        if (sig == EMPTY).any():
            eq &= sig != EMPTY
        hits = _row_counts(eq)
        keep = hits >= threshold * self.num_perm - 1e-9
        cand, hits = cand[keep], hits[keep]
        order = np.argsort(-hits, kind="stable")      # cand is ascending: ties stay in id order
        return cand[order], hits[order]

    def _confirm(self, cands: list[np.ndarray], sigs: np.ndarray,
                 threshold: float) -> list[tuple[np.ndarray, np.ndarray]]:
        """`query_jaccard`'s confirmation for several queries: per query the candidates with their
        estimated Jaccard ≥ threshold and their matching positions, most similar first, ties in id order."""
        sizes = np.fromiter((c.size for c in cands), dtype=np.int64, count=len(cands))
        if not sizes.any():
            return [(_NONE, _NONE)] * len(cands)
        cand = np.concatenate(cands)
        doc = np.repeat(np.arange(len(cands)), sizes)
        eq = self._sigs[cand] == sigs[doc]
        empty = sigs == EMPTY
        if empty.any():                      # only then can an empty row match (see jaccard_estimate)
            eq &= ~empty[doc]
        hits = _row_counts(eq)
        keep = hits >= threshold * self.num_perm - 1e-9
        cand, hits, doc = cand[keep], hits[keep], doc[keep]
        order = np.lexsort((cand, -hits, doc))       # per query: most similar first, ties by id
        cand, hits = cand[order], hits[order]
        bounds = np.cumsum(np.bincount(doc, minlength=len(cands))).tolist()
        out, at = [], 0
        for end in bounds:
            out.append((cand[at:end], hits[at:end]))
            at = end
        return out

    def signature(self, key: Hashable) -> np.ndarray:
        return self._sigs[self._index[key]]

    def jaccard(self, sig: np.ndarray, keys: Iterable[Hashable]) -> np.ndarray:
        idx = np.fromiter((self._index[k] for k in keys), dtype=np.int64)
        return jaccard_estimate(np.asarray(sig, dtype=np.uint32), self._sigs[idx])
