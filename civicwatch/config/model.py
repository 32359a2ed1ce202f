"""The learned model's file (models/learned.npz): named numpy arrays, no pickle.

The ground reads it (Config.model, lazily, from CIVICWATCH_MODEL_PATH) and hands the arrays to
the filter chain, which does no I/O of its own. The writer fixes every zip entry's time and
order, so the same arrays give the same bytes: `civicwatch train` is reproducible to the byte.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from civicwatch.exceptions import ConfigError

# Zip entries carry a timestamp; numpy's savez stamps the current time, which breaks byte identity.
_EPOCH = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class ModelFile:
    """The arrays of one model file, by name, and the version string stored among them."""

    path: Path
    arrays: dict[str, np.ndarray]

    @property
    def version(self) -> str:
        return str(self.arrays["version"][()])


def read_model_file(path: Path) -> ModelFile | None:
    """The model at `path`, or None when there is no file (the chain then runs keyword-only).
    A file that is there but unreadable is a ConfigError: a broken model must not pass silently."""
    if not path.exists():
        return None
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}
    except (OSError, ValueError, zipfile.BadZipFile) as exc:
        raise ConfigError(f"not a model file: {exc}", path=str(path)) from None
    if "version" not in arrays:
        raise ConfigError("model file has no 'version' array", path=str(path))
    return ModelFile(path=path, arrays=arrays)


def model_file_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    """An .npz (readable by np.load) of `arrays`, in name order, deflated, with fixed entry times."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(arrays):
            array = np.asarray(arrays[name])
            if array.dtype == object:
                raise ValueError(f"array {name!r} holds Python objects; the model file stores plain arrays")
            info = zipfile.ZipInfo(name + ".npy", date_time=_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            entry = io.BytesIO()
            np.lib.format.write_array(entry, array, allow_pickle=False)
            zf.writestr(info, entry.getvalue(), compresslevel=9)
    return buf.getvalue()
