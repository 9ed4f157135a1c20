"""Decode a document's bytes, and build the normalised view the extractor reads.

The decoded text of each document is kept exactly as decoded: character offsets into it are the
provenance of every number the package extracts. Parsing works on a *normalised view*
(:class:`NormalizedText`) that folds full-width characters, drops stray spaces, re-joins words
split across PDF line breaks and unwraps ``PM_{2.5}``; its offset map sends any span found in the
view back to the exact original characters.
"""

from __future__ import annotations

import codecs
import re
from array import array
from dataclasses import dataclass, field

# --------------------------------------------------------------------------------------------
# Decoding
# --------------------------------------------------------------------------------------------


class DecodeError(ValueError):
    """Raised by :func:`decode_bytes` with a message that says what to do."""


def _looks_like_chinese(text: str) -> bool:
    """Guard against GB18030 'succeeding' on bytes that are really another encoding.

    GB18030 maps almost any byte pair to some character, so a Latin-1 or Big5 file can decode
    without error into nonsense. Real Chinese text is mostly common CJK ideographs and CJK
    punctuation among its non-ASCII characters, and nearly all of them are in GB2312 (both
    bytes 0xA1-0xFE). Latin-1 text pairs an accented letter with the ASCII letter after it
    ("é" + "s"), which GB18030 reads as a rare ideograph of its GBK extension (a second byte
    below 0x80): in the CJK block, but not in GB2312.
    """
    non_ascii = [c for c in text if ord(c) > 127]
    if not non_ascii:
        return True
    common = sum(1 for c in non_ascii if _is_common_chinese(c))
    return common / len(non_ascii) >= 0.9


def _is_common_chinese(c: str) -> bool:
    """A character of everyday Chinese text: in GB2312, or common CJK/full-width punctuation."""
    if c in "“”‘’—…·《》" or "\u3000" <= c <= "\u303f" or "\uff00" <= c <= "\uffef":
        return True
    if not "\u4e00" <= c <= "\u9fff":
        return False
    try:
        c.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


#: C0 control characters other than tab, line feed and carriage return.
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def find_control_char(text: str) -> int | None:
    """The offset of the first C0 control character (NUL, form feed...) other than tab, line
    feed and carriage return in ``text``, or None. Such a character is not text: a NUL byte is usually a binary or
    UTF-16 file read as something else."""
    m = _CONTROL_CHARS.search(text)
    return m.start() if m else None


def decode_bytes(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """Decode a document's bytes; return ``(text, encoding_used)``.

    With ``encoding`` given it is used strictly. Otherwise: a UTF-8 or UTF-16 byte-order mark
    decides; then strict UTF-8; then strict GB18030 (a superset of GBK and GB2312, the usual
    encodings of Chinese government files) if the result reads as Chinese. The byte-order mark
    is not part of the text, so offsets start at the first real character.
    """
    if encoding:
        try:
            codec = codecs.lookup(encoding)
        except LookupError:
            raise DecodeError(
                f"unknown encoding {encoding!r}; use a Python codec name such as utf-8 or gb18030"
            ) from None
        name = "utf-8-sig" if codec.name == "utf-8" else codec.name
        try:
            return data.decode(name), codec.name
        except UnicodeDecodeError as exc:
            raise DecodeError(
                f"cannot be decoded as {encoding}: byte {exc.start} ({data[exc.start : exc.start + 4]!r}) "
                f"is invalid; fix the encoding column or re-save the file as UTF-8"
            ) from None
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8) :].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise DecodeError(
                f"starts with a UTF-8 byte-order mark but byte {exc.start + 3} is not UTF-8; "
                "re-save the file as UTF-8"
            ) from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise DecodeError("has a UTF-16 byte-order mark but is not valid UTF-16") from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as utf8_exc:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            text = None
        if text is not None and _looks_like_chinese(text):
            return text, "gb18030"
        raise DecodeError(
            f"is neither UTF-8 (invalid byte at {utf8_exc.start}) nor Chinese GB18030/GBK text; "
            "set its encoding column in manifest.csv to the encoding it was saved in "
            "(e.g. latin-1 or big5) or re-save it as UTF-8"
        ) from None


# --------------------------------------------------------------------------------------------
# Normalised view with an offset map
# --------------------------------------------------------------------------------------------

# Full-width ASCII variants (！ to ～) sit at a fixed distance from ASCII.
_FULLWIDTH_SHIFT = 0xFEE0
_SUBSCRIPT_DIGITS = {chr(0x2080 + i): str(i) for i in range(10)}
_SUPERSCRIPT_DIGITS = {
    "⁰": "0",
    "¹": "1",
    "²": "2",
    "³": "3",
    **{chr(0x2074 + i - 4): str(i) for i in range(4, 10)},
}
# A few traditional characters that PDF conversions of simplified documents leak.
_TRADITIONAL = str.maketrans(
    {
        "實": "实",
        "發": "发",
        "億": "亿",
        "萬": "万",
        "與": "与",
        "經": "经",
        "濟": "济",
        "業": "业",
        "總": "总",
        "產": "产",
        "額": "额",
        "貫": "贯",
    }
)

_HSPACE = r"[ \t\u00a0\u3000\u2002-\u200b]"
_SENTENCE_END = "。！？；：!?;:”’」』）)》】…"
_CHANGES = re.compile(
    r"(?P<sub>_\{(?P<subtext>[0-9.]{1,4})\})"  # PM_{2.5} -> PM2.5 (LaTeX-ish subscript from PDFs)
    r"|(?P<brk>(?<=[^\n])[ \t\u3000]*\n(?:[ \t\u3000]*\n)*[ \t\u3000]*(?=[^\s]))"  # a line break
    rf"|(?P<sp>{_HSPACE}+)"  # horizontal white space
    r"|(?P<fw>[\uff01-\uff5e\u2080-\u2089\u00b2\u00b3\u00b9\u2070\u2074-\u2079])"  # width variants
)
# A line at least this long that stops mid-sentence was wrapped by a PDF converter, not ended.
MIN_WRAPPED_LINE = 40


def _is_ascii_word(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


@dataclass(frozen=True)
class NormalizedText:
    """A parsing view of a document's text with a map back to the original offsets.

    ``origin[i]`` is the original offset of normalised character ``i``; ``origin[len(text)]`` is
    the original length. Spans map back with :meth:`to_original`.
    """

    text: str
    origin: array = field(repr=False)

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a normalised span ``[start, end)`` to the original span that produced it."""
        if not 0 <= start <= end <= len(self.text):
            raise IndexError(f"span [{start}, {end}) outside normalised text of {len(self.text)}")
        if start == end:
            return self.origin[start], self.origin[start]
        return self.origin[start], self.origin[end - 1] + 1

    def original_offset(self, index: int) -> int:
        return self.origin[index]


def normalize_text(original: str) -> NormalizedText:
    """Build the normalised parsing view of ``original`` (see module docstring).

    Line endings are read as line breaks whatever their style: ``\\r\\n`` and a bare ``\\r``
    (old Mac files) become ``\\n`` in the view, each mapped to the offset of its ``\\r``.
    """
    if "\r" not in original:
        return _normalize_lf(original)
    lf_text, lf_origin = _unify_line_endings(original)
    view = _normalize_lf(lf_text)
    origin = array("l", (lf_origin[i] for i in view.origin))
    return NormalizedText(view.text, origin)


def _unify_line_endings(original: str) -> tuple[str, array]:
    """``original`` with every ``\\r\\n`` and bare ``\\r`` as ``\\n``, and the original offset of
    each of its characters (plus the original length at the end)."""
    out: list[str] = []
    origin = array("l")
    pos = 0
    for m in re.finditer(r"\r\n?", original):
        out.append(original[pos : m.start()])
        origin.extend(range(pos, m.start()))
        out.append("\n")
        origin.append(m.start())
        pos = m.end()
    out.append(original[pos:])
    origin.extend(range(pos, len(original)))
    origin.append(len(original))
    return "".join(out), origin


def _normalize_lf(original: str) -> NormalizedText:
    """The normalised view of a text whose line breaks are all ``\\n``."""
    out: list[str] = []
    origin = array("l")
    pos = 0
    n = len(original)
    for m in _CHANGES.finditer(original):
        start, end = m.span()
        if start > pos:  # unchanged stretch, copied in bulk
            out.append(original[pos:start].translate(_TRADITIONAL))
            origin.extend(range(pos, start))
        if m.group("sub"):
            s = m.start("subtext")
            out.append(m.group("subtext"))
            origin.extend(range(s, s + len(m.group("subtext"))))
        elif m.group("brk"):
            line_start = original.rfind("\n", 0, start) + 1
            line = original[line_start:start].strip()
            nxt = original[end] if end < n else ""
            wrapped = (
                len(line) >= MIN_WRAPPED_LINE
                and line[-1] not in _SENTENCE_END
                and not nxt.isspace()
                and nxt not in "#-—*"
            )
            if not wrapped:  # a real paragraph break: keep it exactly
                out.append(m.group("brk"))
                origin.extend(range(start, end))
        elif m.group("sp"):
            prev = original[start - 1] if start > 0 else ""
            nxt = original[end] if end < n else ""
            # Spaces matter only between Latin words ("Noto Sans"); in Chinese text they are
            # PDF noise ("实际到位市外资金 141.6 亿元").
            if (
                _is_ascii_word(prev)
                and _is_ascii_word(nxt)
                and not (prev.isdigit() and nxt.isdigit())
                and (prev.isalpha() or nxt.isalpha())
            ):
                out.append(" ")
                origin.append(start)
        else:
            ch = m.group("fw")
            if ch in _SUBSCRIPT_DIGITS:
                out.append(_SUBSCRIPT_DIGITS[ch])
            elif ch in _SUPERSCRIPT_DIGITS:
                out.append(_SUPERSCRIPT_DIGITS[ch])
            else:
                out.append(chr(ord(ch) - _FULLWIDTH_SHIFT))
            origin.append(start)
        pos = end
    if pos < n:
        out.append(original[pos:].translate(_TRADITIONAL))
        origin.extend(range(pos, n))
    origin.append(n)
    return NormalizedText("".join(out), origin)
