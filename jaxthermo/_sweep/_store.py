"""The on-disk chunk store of a resumable sweep: a directory with `sweep.json` (the sweep's
fingerprint) and one `chunk_XXXXXXXX.npz` per finished chunk, each written atomically
(`os.replace` of a complete file), so an interrupted sweep resumes bit for bit."""

import hashlib
import json
import os
from pathlib import Path

import numpy as np


FORMAT = 2  # 2: chunk files also hold the per-point result codes


def fingerprint(kind: str, leaves: list[np.ndarray], chunk: int, out_spec) -> str:
    """A hash of everything that determines a sweep's results except `fn`'s code: the kind
    and values of its points, the chunk size and the output structure."""
    h = hashlib.sha256()
    h.update(f"{FORMAT}|{kind}|{chunk}|{out_spec}".encode())
    for leaf in leaves:
        h.update(f"{leaf.dtype}|{leaf.shape}".encode())
        h.update(np.ascontiguousarray(leaf).tobytes())
    return h.hexdigest()


def _write_atomic(path: Path, arrays: dict[str, np.ndarray]) -> None:
    tmp = path.with_name(path.name + f".tmp{os.getpid()}")
    with open(tmp, "wb") as f:
        np.savez(f, **arrays)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


class ChunkStore:
    """Chunks of one sweep in `directory` (or none, if `directory` is None).

    A directory written for a different sweep (another fingerprint), or a corrupt chunk
    file, raises a `ValueError` naming it: results are never silently reused. Only the
    `writer` process (process 0 of a multi-host run) writes."""

    def __init__(self, directory, meta: dict, specs, writer: bool):
        self.directory = None if directory is None else Path(directory)
        self.specs = specs
        self.writer = writer
        if self.directory is None:
            return
        meta_file = self.directory / "sweep.json"
        if meta_file.exists():
            try:
                found = json.loads(meta_file.read_text())
            except Exception as err:  # noqa: BLE001
                raise ValueError(f"sweep: {meta_file} is corrupt ({err}).") from err
            if found != meta:
                raise ValueError(
                    f"sweep: {self.directory} holds results of a different sweep (its sweep.json "
                    "does not match these axes/batch values, chunk size or outputs); use "
                    "another `path` or delete it."
                )
        elif writer:
            self.directory.mkdir(parents=True, exist_ok=True)
            tmp = meta_file.with_name("sweep.json.tmp")
            tmp.write_text(json.dumps(meta))
            os.replace(tmp, meta_file)

    def _file(self, k: int) -> Path | None:
        return None if self.directory is None else self.directory / f"chunk_{k:08d}.npz"

    def has(self, k: int) -> bool:
        file = self._file(k)
        return file is not None and file.exists()

    def load(self, k: int, rows: int) -> list[np.ndarray]:
        path = self._file(k)
        try:
            with np.load(path) as data:
                leaves = [data[f"leaf_{i}"] for i in range(len(self.specs))]
        except Exception as err:  # noqa: BLE001 (any unreadable file is reported the same way)
            raise ValueError(
                f"sweep: results file {path} is corrupt or unreadable ({err}); delete it to "
                "recompute that chunk."
            ) from err
        for leaf, (shape, dtype) in zip(leaves, self.specs, strict=True):
            if leaf.shape != (rows, *shape) or str(leaf.dtype) != dtype:
                raise ValueError(
                    f"sweep: results file {path} does not match this sweep (found "
                    f"{leaf.shape} {leaf.dtype}, expected {(rows, *shape)} {dtype}); delete it "
                    "to recompute that chunk."
                )
        return leaves

    def save(self, k: int, leaves: list[np.ndarray]) -> None:
        file = self._file(k)
        if file is not None and self.writer:
            _write_atomic(file, {f"leaf_{i}": x for i, x in enumerate(leaves)})
