"""Finding, verifying and caching the Fashion-MNIST files (used by `lib.FashionMNIST`).

Sources are tried in this order (the README says the same):

1. ``root=`` given to `FashionMNIST`: the folder itself or torchvision's
   ``<root>/FashionMNIST/raw`` layout;
2. the folder in the environment variable ``FASHION_MNIST_DIR``;
3. the cache: ``$DLF_CACHE_DIR``, else ``$XDG_CACHE_HOME/dlf``, else ``~/.cache/dlf``;
4. Debian's package ``dataset-fashion-mnist`` (``/usr/share/datasets/fashion-mnist``);
5. a download with torchvision (Colab, Binder).

A folder named in 1 or 2 that does not exist or lacks the files is an error: the user
asked for it. Every file is checked against the SHA-256 of the original *before* it is
written to the cache, so a bad copy never reaches it; a source whose files do not match
is skipped with a warning that names its file, and the next source is tried.
"""
import gzip
import hashlib
import os
import shutil
import tempfile
import warnings
from pathlib import Path

import torch

__all__ = ["find_fashion_mnist", "load_fashion_mnist", "cache_dir",
           "ENV_VAR", "CACHE_ENV_VAR", "DEBIAN_DIR", "FILES"]

ENV_VAR = "FASHION_MNIST_DIR"
CACHE_ENV_VAR = "DLF_CACHE_DIR"
DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")
# SHA-256 of the four original (uncompressed) files, in the order of `load_fashion_mnist`.
FILES = {
    "train-images-idx3-ubyte": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    "train-labels-idx1-ubyte": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    "t10k-images-idx3-ubyte": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    "t10k-labels-idx1-ubyte": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
}


class _BadFile(Exception):
    """A source's file is unreadable or is not the original."""


def cache_dir():
    """The folder of this library's caches (honours $DLF_CACHE_DIR, then $XDG_CACHE_HOME)."""
    if os.environ.get(CACHE_ENV_VAR):
        return Path(os.environ[CACHE_ENV_VAR])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "dlf"


def _raw_cache():
    return cache_dir() / "FashionMNIST" / "raw"


def _has_all(d):
    return all((d / f).is_file() or (d / (f + ".gz")).is_file() for f in FILES)


def _explicit(name, folder):
    """The folder holding the files inside a folder the user named; an error if none does."""
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        raise FileNotFoundError(
            f"Fashion-MNIST: {name} is {str(folder)!r}, which is not an existing folder. "
            f"Fix the path, or leave {name} unset to use the cache, Debian's package or a download.")
    for d in (folder, folder / "FashionMNIST" / "raw"):
        if _has_all(d):
            return d
    missing = [f for f in FILES if not ((folder / f).is_file() or (folder / (f + ".gz")).is_file())]
    raise FileNotFoundError(
        f"Fashion-MNIST: {name} is {str(folder)!r}, but that folder (and its FashionMNIST/raw) "
        f"lacks {', '.join(missing)} (each may be .gz). Put the four files there, or leave "
        f"{name} unset to use the cache, Debian's package or a download.")


def _sources(root):
    """(description, folder) of each source to try, in the documented order."""
    if root is not None:
        yield "root=", _explicit("root=", root)
    if os.environ.get(ENV_VAR):
        yield f"${ENV_VAR}", _explicit(f"${ENV_VAR}", os.environ[ENV_VAR])
    yield "the cache", _raw_cache()
    yield "Debian's dataset-fashion-mnist", DEBIAN_DIR


def _read_verified(d, name):
    """The original bytes of file `name` from folder `d` (plain or .gz), or _BadFile."""
    path = d / name if (d / name).is_file() else d / (name + ".gz")
    try:
        if path.suffix == ".gz":
            with gzip.open(path) as fh:
                data = fh.read()
        else:
            data = path.read_bytes()
    except (OSError, EOFError) as e:
        raise _BadFile(f"{path} is unreadable or not valid gzip ({e})") from e
    if hashlib.sha256(data).hexdigest() != FILES[name]:
        raise _BadFile(f"{path} is not the original file (truncated, corrupt or another "
                       "dataset: its SHA-256 does not match)")
    return data


def _write_cache(contents):
    """Write verified file contents into the cache, each file atomically; return the folder."""
    cache = _raw_cache()
    cache.mkdir(parents=True, exist_ok=True)
    for name, data in contents.items():
        tmp = cache / (name + ".part")
        tmp.write_bytes(data)
        tmp.replace(cache / name)
    return cache


def _download():
    """Download with torchvision into a temporary folder; return the folder of the files."""
    import torchvision
    tmp = Path(tempfile.mkdtemp(prefix="dlf-download-"))
    print(f"Downloading Fashion-MNIST into {tmp} ...", flush=True)
    for train in (True, False):
        torchvision.datasets.FashionMNIST(root=str(tmp), train=train, download=True)
    return tmp


def _missing_message(tried):
    searched = "\n".join(f"  - {t}" for t in tried)
    return (
        "Fashion-MNIST was not found and could not be downloaded. Tried:\n"
        f"{searched}\n"
        "Fix it in one of these ways:\n"
        "  - on Debian/Ubuntu: sudo apt-get install dataset-fashion-mnist\n"
        "  - put the four files (train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz,\n"
        "    t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz) in a folder and set\n"
        f"    {ENV_VAR} to it, or pass root=that_folder\n"
        "  - connect to the internet, and torchvision will download them.")


def find_fashion_mnist(root=None, download=True):
    """Return a folder holding the four verified, uncompressed Fashion-MNIST files.

    A source with compressed files (Debian ships ``.gz``) is unpacked into the cache,
    after each file has been verified.
    """
    tried = []
    for what, d in _sources(root):
        if not _has_all(d):
            tried.append(f"{what}: {d} (no files)")
            continue
        try:
            contents = {name: _read_verified(d, name) for name in FILES}
        except _BadFile as e:
            warnings.warn(f"Fashion-MNIST: skipping {what} because {e}. Trying the next "
                          "source; replace that file to use it again.", stacklevel=2)
            tried.append(f"{what}: {d} (skipped: {e})")
            continue
        if all((d / name).is_file() for name in FILES):
            return d  # already plain and verified: read in place
        return _write_cache(contents)
    if not download:
        raise FileNotFoundError(_missing_message(tried))
    tmp = None
    try:
        tmp = _download()
        raw = tmp / "FashionMNIST" / "raw"
        return _write_cache({name: _read_verified(raw, name) for name in FILES})
    except Exception as e:  # no network, DNS failure, HTTP error, a bad download ...
        raise FileNotFoundError(_missing_message(tried) + f"\n(download failed: {e})") from e
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


def _matches_original(tensors):
    """Whether parsed tensors are byte for byte the four original files' contents."""
    for (name, digest), t in zip(FILES.items(), tensors):
        t = t.to(torch.uint8).contiguous()
        header = (0x800 + t.ndim).to_bytes(4, "big") + b"".join(
            n.to_bytes(4, "big") for n in t.shape)
        if hashlib.sha256(header + t.numpy().tobytes()).hexdigest() != digest:
            return False
    return True


def _parsed_cache():
    return cache_dir() / "FashionMNIST" / "fashion-mnist-parsed.pt"


def _read_parsed_cache():
    """The four tensors from the parsed cache, or None if it is missing or not the original."""
    path = _parsed_cache()
    if not path.is_file():
        return None
    try:
        tensors = torch.load(path, weights_only=True)
    except Exception:  # unreadable: parse the files again
        return None
    if len(tensors) != len(FILES) or not _matches_original(tensors):
        return None
    return tuple(tensors)


_LOADED = []  # the four tensors, once per process


def load_fashion_mnist(root=None, download=True):
    """(train images, train labels, val images, val labels) as uint8/int64 tensors.

    Parsed once per machine (a verified ``.pt`` in the cache) and once per process. A
    ``root=`` or ``$FASHION_MNIST_DIR`` is always checked first, as documented.
    """
    if root is not None or os.environ.get(ENV_VAR):
        d = find_fashion_mnist(root, download)  # raises or warns about the user's folder
        if _LOADED:
            return _LOADED[0]
    elif _LOADED:
        return _LOADED[0]
    else:
        d = None
    tensors = _read_parsed_cache()
    if tensors is None:
        # torchvision's parser; importing torchvision takes seconds, hence the parsed cache.
        from torchvision.datasets.mnist import read_image_file, read_label_file
        d = d or find_fashion_mnist(root, download)
        names = list(FILES)
        tensors = (read_image_file(str(d / names[0])),   # (60000, 28, 28) uint8
                   read_label_file(str(d / names[1])),   # (60000,) int64
                   read_image_file(str(d / names[2])),   # (10000, 28, 28) uint8
                   read_label_file(str(d / names[3])))   # (10000,) int64
        path = _parsed_cache()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            torch.save(tensors, path.with_suffix(".part"))
            path.with_suffix(".part").replace(path)
        except OSError:  # a read-only cache only costs time
            pass
    _LOADED[:] = [tuple(tensors)]
    return _LOADED[0]
