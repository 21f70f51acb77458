"""Read a letter from a file or stdin as text, refusing bad input with one clear sentence.

Offsets in findings are into the text returned here: for .txt/.md the file decoded as UTF-8 (a leading
byte-order mark is dropped, line endings are kept as they are); for .docx the body paragraphs joined
with newlines, then table cells, one per line.
"""
from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import BinaryIO

MAX_BYTES = 10 * 1024 * 1024
MAX_CHARS = 1_000_000  # about 170,000 words, far beyond any letter: larger text is refused at once
TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text", ""}
UNSUPPORTED = {".doc": "an old Word .doc", ".pdf": "a PDF", ".odt": "an OpenDocument file", ".rtf": "an RTF file",
               ".pages": "a Pages file"}


class LetterInputError(ValueError):
    """The input cannot be read as a letter; the message names the file and the problem."""


def read_letter(path: str, stdin: BinaryIO | None = None) -> str:
    """Return the letter's text. ``path`` "-" reads bytes from ``stdin`` (sys.stdin.buffer by default)."""
    if path == "-":
        import sys

        stream = stdin if stdin is not None else sys.stdin.buffer
        data = stream.read(MAX_BYTES + 1)
        return _decode_text("standard input", data)
    p = Path(path)
    if not p.exists():
        raise LetterInputError(f"{path}: no such file")
    if p.is_dir():
        raise LetterInputError(f"{path}: is a directory, not a letter file")
    suffix = p.suffix.lower()
    if suffix in UNSUPPORTED:
        raise LetterInputError(f"{path}: {UNSUPPORTED[suffix]} cannot be read; save it as .docx or .txt and try again")
    size = p.stat().st_size
    if size > MAX_BYTES:
        raise LetterInputError(f"{path}: file is {size / 1024 / 1024:.1f} MB; letters over 10 MB are not checked "
                               "(is this the right file?)")
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise LetterInputError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    return read_letter_bytes(path, data)


def read_letter_bytes(name: str, data: bytes) -> str:
    """The letter's text from a file's bytes, chosen by its name's suffix (.docx, else UTF-8 text).

    The one decoding path for every way a letter arrives: the CLI's files and stdin, and the letter-check
    app's upload. Raises LetterInputError naming ``name`` and what to do.
    """
    suffix = Path(name).suffix.lower()
    if suffix in UNSUPPORTED:
        raise LetterInputError(f"{name}: {UNSUPPORTED[suffix]} cannot be read; save it as .docx or .txt and try again")
    if len(data) > MAX_BYTES:
        raise LetterInputError(f"{name}: file is {len(data) / 1024 / 1024:.1f} MB; letters over 10 MB are not "
                               "checked (is this the right file?)")
    if suffix == ".docx":
        return _read_docx(name, data)
    return _decode_text(name, data)


def _decode_text(name: str, data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise LetterInputError(f"{name}: more than 10 MB; letters that large are not checked")
    if not data.strip():
        raise LetterInputError(f"{name}: is empty; there is no letter to check")
    if data[:4] == b"PK\x03\x04":
        raise LetterInputError(f"{name}: looks like a .docx or other zip file; give it a .docx name, or save it as "
                               "text")
    if b"\x00" in data[:8192]:
        raise LetterInputError(f"{name}: looks like a binary file, not text; save the letter as .txt or .docx")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise LetterInputError(f"{name}: is not valid UTF-8 text (first bad byte at line {line}, byte {exc.start}); "
                               "save it as UTF-8 and try again") from exc
    if not text.strip():
        raise LetterInputError(f"{name}: is empty; there is no letter to check")
    return check_length(name, text)


def check_length(name: str, text: str) -> str:
    """``text``, or LetterInputError when it is over MAX_CHARS characters."""
    if len(text) > MAX_CHARS:
        raise LetterInputError(f"{name}: is {len(text):,} characters long; letters over {MAX_CHARS:,} characters "
                               "are not checked (is this the right file?)")
    return text


def _read_docx(name: str, data: bytes) -> str:
    import docx  # python-docx
    from docx.opc.exceptions import PackageNotFoundError

    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise LetterInputError(f"{name}: is not a readable .docx (not a Word document, or it is damaged)")
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile, OSError) as exc:
        raise LetterInputError(f"{name}: is not a readable .docx (not a Word document, or it is damaged)") from exc
    except Exception as exc:  # python-docx raises assorted lxml errors on damaged XML
        raise LetterInputError(f"{name}: is not a readable .docx ({type(exc).__name__})") from exc
    parts = [para.text for para in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    text = "\n".join(parts)
    if not text.strip():
        raise LetterInputError(f"{name}: the document has no text to check")
    return check_length(name, text)
