"""The table-driven offset normalisers give exactly what the per-character loops give."""

import random

import pytest

from xiaobao.engines.blackgray.contacts import _normalize_per_char, normalize_with_offsets
from xiaobao.engines.classify.text import _normalize_with_offsets_per_char
from xiaobao.engines.classify.text import normalize_with_offsets as classify_normalize
from xiaobao.engines.textnorm import folded_with_offsets, nfkc_with_offsets

TRICKY = [
    "", " ", "   ", "\t\n", "本人于２０２４年３月５日借款３０，０００元，ＡＢＣ公司。",
    "İstanbul 催收\t电话\n", "ﬁle ㈱ 费用", "e\u0301 重音", "ΑΣ ΟΔΟΣ σ", "微信：ＶＸ１３８ ００１３ ８０００",
    "emoji 😡 还款 𝐀𝐁𝐂 𠮷", "\u3000全角空格\u3000", "½ ㎡ ℃ ™ Ⅻ ｶﾞ", "ǅ ǈ ß ẞ ﬀ", "\ud800 lone surrogate",
    "Ⓐ①⑴⒈", "\u00a0nbsp\u2028line\u2029para\x1c\x1f", "ＱＱ：１２３４５６７８", "A" * 300 + "，" * 50,
]
POOL = ("本人借款还款逾期催收征信修复停息挂账律师函贵司ＡＢＣａｂｃ１２３，。：；（）！？ \t\n\u3000"
        "ΣσςİIıßﬁ㈱½😡𝐀𠮷e\u0301\u00a0ǅⅫｶﾞ①abcXYZ0189-+*@.")


def _random_texts(n: int, seed: int = 5):
    rng = random.Random(seed)
    for _ in range(n):
        yield "".join(rng.choice(POOL) for _ in range(rng.randint(0, 60)))


@pytest.mark.parametrize("text", TRICKY)
def test_tables_equal_the_per_character_loop(text):
    assert nfkc_with_offsets(text) == _normalize_per_char(text)
    assert folded_with_offsets(text) == _normalize_per_char(text, drop_spaces=True, lower=True)
    assert normalize_with_offsets(text, drop_spaces=True, lower=True) == _normalize_per_char(
        text, drop_spaces=True, lower=True)
    assert folded_with_offsets(text) == _normalize_with_offsets_per_char(text)


def test_tables_equal_the_per_character_loop_on_random_texts():
    for text in _random_texts(3000):
        assert nfkc_with_offsets(text) == _normalize_per_char(text), text
        assert folded_with_offsets(text) == _normalize_per_char(text, drop_spaces=True, lower=True), text


def test_every_bmp_character_alone_matches():
    for cp in range(0x10000):
        ch = chr(cp)
        assert nfkc_with_offsets(ch) == _normalize_per_char(ch)
        assert folded_with_offsets(ch) == _normalize_per_char(ch, drop_spaces=True, lower=True)


@pytest.mark.parametrize("text", TRICKY[:-1])
def test_classify_normalisation_keeps_its_whole_text_fast_path(text):
    """An NFKC-normal text is lower-cased as a whole (final sigma included), as before."""
    import unicodedata

    got = classify_normalize(text)
    if unicodedata.is_normalized("NFKC", text) and len(text.lower()) == len(text):
        low = text.lower()
        where = [i for i, c in enumerate(low) if not c.isspace()]
        assert got == ("".join(low[i] for i in where), where)
    else:
        assert got == _normalize_with_offsets_per_char(text)


def test_a_remembered_text_gives_the_same_result_and_a_list_of_its_own():
    text = "本人于２０２４年３月５日借款，ＡＢＣ公司 催收"
    first = folded_with_offsets(text)
    first[1].append(-1)                       # a caller changing its list changes nobody else's
    again = folded_with_offsets(text)
    assert again == _normalize_per_char(text, drop_spaces=True, lower=True)
    assert again[1] is not folded_with_offsets(text)[1]


def test_fast_nfkc_is_nfkc():
    import unicodedata

    from xiaobao.engines.blackgray.normalize import nfkc

    texts = TRICKY + list(_random_texts(3000, seed=9)) + ["ｅ\u0301", "Ａ\u0308", "\u3000\u0301", "ｶﾞ", "１\u20e3"]
    for text in texts:
        assert nfkc(text) == unicodedata.normalize("NFKC", text), text


def test_demand_words_are_found_as_by_substring_search():
    import unicodedata

    from xiaobao.engines.blackgray.repeat import DEMAND_WORDS, demands_in

    texts = TRICKY + ["要求赔偿，否则向媒体曝光、到法院起诉、找律师、向金融监管和人民银行反映（１２３７８）",
                      "退还全部 费用 并 双倍 赔偿", "监管银保监信访报警公安微博抖音记者"]
    for text in texts:
        t = "".join(unicodedata.normalize("NFKC", text).split())
        assert demands_in(text) == frozenset(w for w in DEMAND_WORDS if w in t)
    assert len(demands_in(texts[-1])) >= 8
