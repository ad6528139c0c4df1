"""The seam for speech recognition. Recognising audio is out of scope; whatever does it (a vendor's
ASR, an in-house model, a file of transcripts) plugs in as a `Transcriber` and hands back diarised
turns. `DiarisedTurns` is the adapter for transcripts that arrive already recognised, in any of the
speaker labellings vendors use."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Any, Protocol

from xiaobao.domain.errors import InvalidValue
from xiaobao.engines.collection.model import CALLEE, COLLECTOR, Turn

SPEAKER_ALIASES = {
    "collector": COLLECTOR, "agent": COLLECTOR, "staff": COLLECTOR, "坐席": COLLECTOR, "催收员": COLLECTOR,
    "客服": COLLECTOR, "a": COLLECTOR, "spk0": COLLECTOR, "speaker_0": COLLECTOR,
    "callee": CALLEE, "customer": CALLEE, "debtor": CALLEE, "client": CALLEE, "客户": CALLEE, "被叫": CALLEE,
    "b": CALLEE, "spk1": CALLEE, "speaker_1": CALLEE,
}
MAX_TURNS = 2000
MAX_TURN_CHARS = 5000


class Transcriber(Protocol):
    """Anything that turns a recording into diarised turns (speaker, text, times)."""

    def transcribe(self, recording_ref: str) -> list[Turn]: ...


class DiarisedTurns:
    """Turns from already-recognised transcripts: [{"speaker", "text", "start"?, "end"?}, …]."""

    def __init__(self, aliases: dict[str, str] | None = None):
        self.aliases = {k.lower(): v for k, v in (aliases or SPEAKER_ALIASES).items()}

    def turns(self, raw: Any, field: str = "transcript") -> tuple[Turn, ...]:
        if not isinstance(raw, list):
            raise InvalidValue(field, "应为数组：[{\"speaker\": \"collector\"|\"callee\", \"text\": …}]")
        if len(raw) > MAX_TURNS:
            raise InvalidValue(field, f"轮次超过{MAX_TURNS}")
        return tuple(self._turn(t, f"{field}[{i}]") for i, t in enumerate(raw))

    def _turn(self, t: Any, where: str) -> Turn:
        if not isinstance(t, dict):
            raise InvalidValue(where, "每一轮应为对象 {speaker, text}")
        speaker = self.aliases.get(unicodedata.normalize("NFKC", str(t.get("speaker", ""))).strip().lower())
        if speaker is None:
            raise InvalidValue(f"{where}.speaker", f"未知说话人 {t.get('speaker')!r}（应为 collector 或 callee）")
        text = t.get("text")
        if not isinstance(text, str):
            raise InvalidValue(f"{where}.text", "缺少文本或不是字符串")
        if len(text) > MAX_TURN_CHARS:
            raise InvalidValue(f"{where}.text", f"单轮文本超过{MAX_TURN_CHARS}字")
        return Turn(speaker, text, _seconds(t.get("start"), f"{where}.start"), _seconds(t.get("end"), f"{where}.end"))


def _seconds(v: Any, where: str) -> float | None:
    if v is None or v == "":
        return None
    try:
        s = float(v)
    except (TypeError, ValueError):
        raise InvalidValue(where, f"应为秒数，实际 {v!r}") from None
    if s < 0:
        raise InvalidValue(where, "不能为负数")
    return s


def from_transcriber(transcriber: Transcriber, recording_refs: Iterable[str]) -> dict[str, list[Turn]]:
    return {ref: transcriber.transcribe(ref) for ref in recording_refs}
