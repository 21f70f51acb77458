"""Pinned model artefacts: every file the checker loads is verified against its sha256 first, and a file
that does not match is refused (``ModelError``; the CLI turns it into exit 2), never used.

A file ``X`` ships beside ``X.sha256`` ("<hex digest>  X"). Writers write the file, then the checksum, so a
half-written artefact never verifies.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import reference

LETTERS_DIR = Path(reference.__file__).parent / "letters"
MODEL_DIR = LETTERS_DIR / "model"
# Only these module prefixes may appear in a skops file we load (skops refuses anything else unless trusted).
TRUSTED_PREFIXES = ("sklearn.", "numpy.", "scipy.", "builtins.")


class ModelError(RuntimeError):
    """A model artefact is missing, tampered with or unreadable: says which file and what to do."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify(path: Path, expected: str | None = None) -> None:
    """Refuse ``path`` unless its sha256 matches ``expected`` (default: the digest in ``path.sha256``)."""
    if not path.exists():
        raise ModelError(f"the letter model file {path.name} is missing; run `workbench train-letter-model`")
    if expected is None:
        sum_path = path.with_name(path.name + ".sha256")
        if not sum_path.exists():
            raise ModelError(f"the checksum file {sum_path.name} is missing; run `workbench train-letter-model`")
        expected = sum_path.read_text().split()[0]
    actual = sha256_file(path)
    if actual != expected:
        raise ModelError(f"{path.name} does not match its checksum ({actual[:12]}... not {expected[:12]}...); "
                         "refusing to load it. Run `workbench train-letter-model` to rebuild it")


def write_checksum(path: Path) -> str:
    digest = sha256_file(path)
    path.with_name(path.name + ".sha256").write_text(f"{digest}  {path.name}\n")
    return digest


def load_skops(path: Path) -> Any:
    """A verified skops file holding only sklearn, numpy and scipy types."""
    import skops.io as sio  # skops pulls in sklearn: loaded when a model is first needed

    verify(path)
    untrusted = sio.get_untrusted_types(file=path)
    unexpected = [t for t in untrusted if not t.startswith(TRUSTED_PREFIXES)]
    if unexpected:
        raise ModelError(f"{path.name} contains unexpected types {unexpected}; refusing to load it")
    try:
        return sio.load(path, trusted=untrusted)
    except Exception as exc:  # version skew or a damaged file: say so, do not guess
        raise ModelError(f"{path.name} could not be loaded ({type(exc).__name__}: {exc}); "
                         "run `workbench train-letter-model`") from exc


def dump_skops(obj: Any, path: Path) -> str:
    """Write ``obj`` with skops via a temporary file, then its checksum; returns the digest."""
    import skops.io as sio

    tmp = path.with_name(path.name + ".tmp")
    sio.dump(obj, tmp)
    tmp.replace(path)
    return write_checksum(path)


CORPUS_INDEX_FILE = "corpus_index.json"


def load_corpus_index(model_dir: Path = MODEL_DIR) -> tuple[list[str], list[str]]:
    """The labelled sentences the shipped models were trained on (sentences, labels), verified: the pool the
    "similar to" explanations are drawn from."""
    path = model_dir / CORPUS_INDEX_FILE
    verify(path)
    index = json.loads(path.read_text(encoding="utf-8"))
    return list(index["sentences"]), list(index["labels"])
