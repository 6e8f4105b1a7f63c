"""Data modules: synthetic regression data and the real Fashion-MNIST, held in memory.

Introduced in the linear regression chapter (`DataModule`, `SyntheticRegressionData`)
and the softmax regression chapter (`FashionMNIST`).
"""
import gzip
import hashlib
import os
from pathlib import Path

import torch
import torch.nn.functional as F

from .hyperparams import HyperParameters

__all__ = ["TensorLoader", "DataModule", "SyntheticRegressionData", "FashionMNIST",
           "find_fashion_mnist", "DEBIAN_DIR", "ENV_VAR"]

ENV_VAR = "FASHION_MNIST_DIR"
DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")
# SHA-256 of the four original (uncompressed) files.
FILES = {
    "train-images-idx3-ubyte": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    "train-labels-idx1-ubyte": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    "t10k-images-idx3-ubyte": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    "t10k-labels-idx1-ubyte": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
}
TEXT_LABELS = ("t-shirt", "trouser", "pullover", "dress", "coat",
               "sandal", "shirt", "sneaker", "bag", "ankle boot")


class TensorLoader:
    """Minibatches sliced from in-memory tensors: a fast stand-in for a DataLoader.

    It yields the same batches, in the same order, as
    ``DataLoader(TensorDataset(*tensors), batch_size, shuffle=shuffle)`` and draws the
    same numbers from torch's global RNG, so seeded runs match d2l's exactly.
    `transform`, if given, is applied to the first tensor of each batch.
    """

    def __init__(self, tensors, batch_size, shuffle=False, transform=None):
        n = len(tensors[0])
        if any(len(t) != n for t in tensors):
            raise ValueError(f"TensorLoader: all tensors need the same first dimension, got "
                             f"{[tuple(t.shape) for t in tensors]}")
        if int(batch_size) < 1:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
        self.tensors, self.batch_size = tuple(tensors), int(batch_size)
        self.shuffle, self.transform = shuffle, transform

    def __len__(self):
        return -(-len(self.tensors[0]) // self.batch_size)

    def to(self, device):
        """Move the stored tensors to `device` once, instead of every batch."""
        self.tensors = tuple(t.to(device) for t in self.tensors)
        return self

    def __iter__(self):
        n, bs = len(self.tensors[0]), self.batch_size
        # Mirror DataLoader's use of the global RNG: one draw for its base seed,
        # then one to seed the RandomSampler's permutation.
        torch.empty((), dtype=torch.int64).random_()
        if self.shuffle:
            seed = int(torch.empty((), dtype=torch.int64).random_().item())
            order = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
            order = order.to(self.tensors[0].device)
        for start in range(0, n, bs):
            if self.shuffle:
                idx = order[start:start + bs]
                batch = [t.index_select(0, idx) for t in self.tensors]
            else:
                batch = [t[start:start + bs] for t in self.tensors]
            if self.transform is not None:
                batch[0] = self.transform(batch[0])
            yield tuple(batch)


class DataModule(HyperParameters):
    """Base class of data: subclasses implement ``get_dataloader(train)`` (linear regression chapter)."""

    def __init__(self, root="../data", num_workers=4):
        self.save_hyperparameters()

    def get_dataloader(self, train):
        raise NotImplementedError(
            f"{type(self).__name__} does not implement get_dataloader(train): define it to "
            "return the training loader when train is True and the validation loader otherwise "
            "(self.get_tensorloader((X, y), train, indices) does this for tensors).")

    def train_dataloader(self):
        return self.get_dataloader(train=True)

    def val_dataloader(self):
        return self.get_dataloader(train=False)

    def get_tensorloader(self, tensors, train, indices=slice(0, None)):
        """Minibatches of `tensors[indices]`, shuffled when `train` is true."""
        tensors = tuple(a[indices] for a in tensors)
        return TensorLoader(tensors, self.batch_size, shuffle=train)


class SyntheticRegressionData(DataModule):
    """Data from a known linear model, y = Xw + b + noise (linear regression chapter)."""

    def __init__(self, w, b, noise=0.01, num_train=1000, num_val=1000, batch_size=32):
        super().__init__()
        w = torch.as_tensor(w, dtype=torch.float32)
        if w.ndim == 2 and w.shape[1] == 1:
            w = w.reshape(-1)
        if w.ndim != 1 or len(w) == 0:
            raise ValueError(
                f"SyntheticRegressionData: w must be a vector of weights, one per feature "
                f"(shape (d,) or (d, 1)); got shape {tuple(w.shape)}. "
                "For two features write w=torch.tensor([2, -3.4]).")
        if torch.as_tensor(b).numel() != 1:
            raise ValueError(f"SyntheticRegressionData: b must be a scalar bias; got shape "
                             f"{tuple(torch.as_tensor(b).shape)}.")
        self.save_hyperparameters(ignore=("w",))
        self.w = w
        n = num_train + num_val
        self.X = torch.randn(n, len(w))                          # (n, d)
        noise = torch.randn(n, 1) * noise                        # (n, 1)
        self.y = torch.matmul(self.X, w.reshape((-1, 1))) + b + noise  # (n, 1)

    def get_dataloader(self, train):
        i = slice(0, self.num_train) if train else slice(self.num_train, None)
        return self.get_tensorloader((self.X, self.y), train, i)


def _cache_dir():
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "dlf" / "FashionMNIST" / "raw"


def _candidates(root):
    """Directories to search, in order: explicit root, environment variable, cache, Debian."""
    dirs = []
    if root is not None:
        dirs += [Path(root), Path(root) / "FashionMNIST" / "raw"]
    if os.environ.get(ENV_VAR):
        dirs.append(Path(os.environ[ENV_VAR]))
    dirs += [_cache_dir(), DEBIAN_DIR]
    return dirs


def _has_all(d):
    return all((d / f).is_file() or (d / (f + ".gz")).is_file() for f in FILES)


def _missing_message(root):
    searched = "\n".join(f"  - {d}" for d in _candidates(root))
    return (
        "Fashion-MNIST was not found and could not be downloaded. Searched:\n"
        f"{searched}\n"
        "Fix it in one of these ways:\n"
        "  - on Debian/Ubuntu: sudo apt-get install dataset-fashion-mnist\n"
        f"  - put the four files (train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz,\n"
        f"    t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz) in a directory and set\n"
        f"    {ENV_VAR} to it, or pass root=that_directory\n"
        "  - connect to the internet, and torchvision will download them.")


def _download(dest):
    """Download with torchvision (it shows a progress bar) into the torchvision layout."""
    import torchvision
    print(f"Downloading Fashion-MNIST into {dest} ...", flush=True)
    torchvision.datasets.FashionMNIST(root=str(dest), train=True, download=True)
    torchvision.datasets.FashionMNIST(root=str(dest), train=False, download=True)
    return Path(dest) / "FashionMNIST" / "raw"


def find_fashion_mnist(root=None, download=True):
    """Return a directory holding the four verified, uncompressed Fashion-MNIST files.

    Compressed files (Debian's package ships ``.gz``) are unpacked once into the cache.
    """
    found = next((d for d in _candidates(root) if _has_all(d)), None)
    if found is None:
        if not download:
            raise FileNotFoundError(_missing_message(root))
        try:
            found = _download(Path(root) if root is not None else _cache_dir().parent.parent)
        except Exception as e:  # no network, DNS failure, HTTP error, ...
            raise FileNotFoundError(_missing_message(root) + f"\n(download failed: {e})") from None
    if not all((found / f).is_file() for f in FILES):
        cache = _cache_dir()
        cache.mkdir(parents=True, exist_ok=True)
        for f in FILES:
            if (found / f).is_file():
                data = (found / f).read_bytes()
            else:
                try:
                    with gzip.open(found / (f + ".gz")) as fh:
                        data = fh.read()
                except (OSError, EOFError) as e:
                    raise ValueError(f"Fashion-MNIST file {found / (f + '.gz')} is corrupt ({e}). "
                                     "Reinstall it (sudo apt-get install --reinstall "
                                     "dataset-fashion-mnist) or replace the file.") from None
            tmp = cache / (f + ".part")
            tmp.write_bytes(data)
            tmp.replace(cache / f)
        found = cache
    for f, digest in FILES.items():
        path = found / f
        if hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            raise ValueError(
                f"Fashion-MNIST file {path} is truncated or corrupt (its SHA-256 does not match "
                f"the original). Delete it and run again: it will be restored from "
                f"{DEBIAN_DIR} or downloaded.")
    return found


_PARSED = {}  # "fashion-mnist" -> (train images, train labels, val images, val labels)
_FLOATS = {}  # (id of a uint8 image tensor, (H, W)) -> its float32 images, converted once
_PARTS = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
          "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")


def _matches_original(tensors):
    """Whether the parsed tensors are byte for byte the four original files' contents."""
    for name, t in zip(_PARTS, tensors):
        t = t.to(torch.uint8).contiguous()
        header = (0x800 + t.ndim).to_bytes(4, "big") + b"".join(
            n.to_bytes(4, "big") for n in t.shape)
        if hashlib.sha256(header + t.numpy().tobytes()).hexdigest() != FILES[name]:
            return False
    return True


def _load(root, download):
    """The four tensors, parsed once per machine (then cached) and once per process."""
    if "fashion-mnist" in _PARSED:
        return _PARSED["fashion-mnist"]
    cached = _cache_dir().parent / "fashion-mnist-parsed.pt"
    tensors = None
    if cached.is_file():
        try:
            tensors = torch.load(cached, weights_only=True)
        except Exception:  # unreadable: parse again below
            tensors = None
        if tensors is not None and not _matches_original(tensors):
            tensors = None
    if tensors is None:
        # torchvision's parser; importing torchvision takes seconds, hence the cache.
        from torchvision.datasets.mnist import read_image_file, read_label_file
        d = find_fashion_mnist(root, download)
        tensors = (read_image_file(str(d / _PARTS[0])),  # (60000, 28, 28) uint8
                   read_label_file(str(d / _PARTS[1])),  # (60000,) int64
                   read_image_file(str(d / _PARTS[2])),  # (10000, 28, 28) uint8
                   read_label_file(str(d / _PARTS[3])))  # (10000,) int64
        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            torch.save(tensors, cached.with_suffix(".part"))
            cached.with_suffix(".part").replace(cached)
        except OSError:  # a read-only cache only costs time
            pass
    _PARSED["fashion-mnist"] = tuple(tensors)
    return _PARSED["fashion-mnist"]


class _Images(torch.utils.data.Dataset):
    """Images kept as uint8; indexing gives (float image in [0, 1] of shape (1, H, W), label)."""

    def __init__(self, data, targets, transform):
        self.data, self.targets, self.transform = data, targets, transform

    def __len__(self):
        return len(self.data)

    def __getitem__(self, i):
        return self.transform(self.data[i:i + 1])[0], int(self.targets[i])


class FashionMNIST(DataModule):
    """The Fashion-MNIST clothing images (softmax regression chapter).

    The files are found offline first (see `find_fashion_mnist`), verified, parsed once
    per process, and kept in memory; minibatches are sliced from tensors.
    """

    MAX_FLOAT_BYTES = 2**30  # above this, images are converted batch by batch instead

    def __init__(self, batch_size=64, resize=(28, 28), root=None, num_workers=0, download=True):
        if (not isinstance(resize, (tuple, list)) or len(resize) != 2
                or not all(isinstance(r, int) and not isinstance(r, bool) and r > 0 for r in resize)):
            raise ValueError(f"FashionMNIST: resize must be two positive integers (height, width), "
                             f"for example resize=(28, 28) or (64, 64); got {resize!r}.")
        super().__init__(root=root, num_workers=num_workers)
        self.save_hyperparameters(ignore=("root", "num_workers"))
        self.resize = tuple(resize)
        train_x, train_y, val_x, val_y = _load(root, download)
        self.train = _Images(train_x, train_y, self._to_float)
        self.val = _Images(val_x, val_y, self._to_float)

    def _to_float(self, images):
        """uint8 (n, 28, 28) -> float32 (n, 1, H, W) in [0, 1], resized if asked."""
        x = images.unsqueeze(1).float().div_(255)
        if x.shape[-2:] != self.resize:
            x = F.interpolate(x, size=self.resize, mode="bilinear", antialias=True,
                              align_corners=False)
        return x

    def text_labels(self, indices):
        """The names of the classes with these label indices."""
        return [TEXT_LABELS[int(i)] for i in indices]

    def get_dataloader(self, train):
        data = self.train if train else self.val
        n, (h, w) = len(data), self.resize
        if train and self.resize == tuple(data.data.shape[-2:]):
            # Shuffled batches are gathered row by row: gathering the uint8 images (a quarter
            # of the bytes) and converting each batch is faster than gathering floats, and
            # gives the same numbers. Resized images are still converted once, below.
            return TensorLoader((data.data, data.targets), self.batch_size, shuffle=True,
                                transform=self._to_float)
        if n * h * w * 4 <= self.MAX_FLOAT_BYTES:
            # Convert all images once (188 MB for the 28x28 training set): batches are then
            # plain slices, with no per-batch conversion.
            key = (id(data.data), self.resize)
            if key not in _FLOATS:
                _FLOATS[key] = self._to_float(data.data)
            return TensorLoader((_FLOATS[key], data.targets), self.batch_size, shuffle=train)
        return TensorLoader((data.data, data.targets), self.batch_size, shuffle=train,
                            transform=self._to_float)

    def visualize(self, batch, nrows=1, ncols=8, labels=()):
        """Show the first nrows * ncols images of a batch with their labels."""
        from .plotting import show_images
        X, y = batch
        if not labels:
            labels = self.text_labels(y)
        return show_images(X.squeeze(1), nrows, ncols, titles=labels)
