"""Data modules: synthetic regression data and the real Fashion-MNIST, held in memory.

Introduced in the linear regression chapter (`DataModule`, `SyntheticRegressionData`)
and the softmax regression chapter (`FashionMNIST`).
"""
import numbers

import torch
import torch.nn.functional as F

from .datasets import load_fashion_mnist
from .hyperparams import HyperParameters, positive_int

__all__ = ["TensorLoader", "DataModule", "SyntheticRegressionData", "FashionMNIST"]

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
        _check_tensors(tensors)
        n = len(tensors[0])
        if any(len(t) != n for t in tensors):
            raise ValueError(f"TensorLoader: all tensors need the same first dimension, got "
                             f"{[tuple(t.shape) for t in tensors]}")
        self.tensors = tuple(tensors)
        self.batch_size = positive_int("batch_size", batch_size, 32)
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


def _check_tensors(tensors):
    """A TypeError naming the first of `tensors` that is not a torch tensor (a NumPy array?)."""
    for i, t in enumerate(tensors):
        if not isinstance(t, torch.Tensor):
            raise TypeError(
                f"TensorLoader: data {i} is a {type(t).__module__}.{type(t).__name__}, not a torch "
                "tensor. Convert it first, with torch.as_tensor(X, dtype=torch.float32) for "
                "features and torch.as_tensor(y, dtype=torch.long) for class labels.")


class DataModule(HyperParameters):
    """Base class of data: subclasses implement ``get_dataloader(train)``."""

    def __init__(self, root="../data", num_workers=4):
        self.save_hyperparameters()

    def get_dataloader(self, train):
        raise NotImplementedError(
            f"{type(self).__name__} does not implement get_dataloader(train): "
            "define it to return the training loader when train is True and "
            "the validation loader otherwise (self.get_tensorloader((X, y), "
            "train, indices) does this for tensors).")

    def train_dataloader(self):
        return self.get_dataloader(train=True)

    def val_dataloader(self):
        return self.get_dataloader(train=False)

    def get_tensorloader(self, tensors, train, indices=slice(0, None)):
        """Minibatches of `tensors[indices]`, shuffled when `train` is true."""
        tensors = tuple(a[indices] for a in tensors)
        return TensorLoader(tensors, self.batch_size, shuffle=train)


class SyntheticRegressionData(DataModule):
    """Data from y = Xw + b + noise; X is drawn first, as in the textbook."""

    def __init__(self, w, b, noise=0.01, num_train=1000, num_val=1000,
                 batch_size=32):
        super().__init__()
        w = _regression_args(w, b, noise, num_train, num_val, batch_size)
        self.save_hyperparameters()             # self.w: the checked vector w
        self.X = torch.randn(num_train + num_val, len(w))  # (n, d): N(0, I)
        eps = noise * torch.randn(len(self.X), 1)          # (n, 1)
        self.y = self.X @ w[:, None] + b + eps             # (n, 1)

    def get_dataloader(self, train):
        """The first num_train examples (shuffled) train; the rest validate."""
        n = self.num_train
        rows = slice(0, n) if train else slice(n, None)
        return self.get_tensorloader((self.X, self.y), train, rows)


def _regression_args(w, b, noise, num_train, num_val, batch_size):
    """Check SyntheticRegressionData's arguments (ValueErrors that say what to pass);
    return `w` as a float vector."""
    positive_int("num_train", num_train, 1000)
    positive_int("num_val", num_val, 1000, minimum=0)
    positive_int("batch_size", batch_size, 32)
    if not isinstance(noise, (numbers.Real, torch.Tensor)) or torch.as_tensor(noise).numel() != 1 \
            or float(noise) < 0:
        raise ValueError(f"SyntheticRegressionData: noise is the standard deviation of the "
                         f"noise, a number >= 0; got {noise!r}. For example noise=0.01.")
    w = torch.as_tensor(w, dtype=torch.float32)
    if w.ndim == 2 and w.shape[1] == 1:
        w = w.reshape(-1)
    if w.ndim != 1 or len(w) == 0:
        raise ValueError(
            f"SyntheticRegressionData: w must be a vector of weights, one per feature "
            f"(shape (d,) or (d, 1)); got shape {tuple(w.shape)}. "
            "For two features write, e.g., w=torch.tensor([1.7, -2.6]).")
    if torch.as_tensor(b).numel() != 1:
        raise ValueError(f"SyntheticRegressionData: b must be a scalar bias; got shape "
                         f"{tuple(torch.as_tensor(b).shape)}.")
    return w


_FLOATS = {}  # (id of a uint8 image tensor, (H, W)) -> its float32 images, converted once


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

    The files are found offline first, verified and cached by `lib.datasets`, and kept
    in memory; minibatches are sliced from tensors.
    """

    MAX_FLOAT_BYTES = 2**30  # above this, images are converted batch by batch instead

    def __init__(self, batch_size=64, resize=(28, 28), root=None, num_workers=0, download=True):
        if (not isinstance(resize, (tuple, list)) or len(resize) != 2
                or not all(isinstance(r, numbers.Integral) and not isinstance(r, bool) and r > 0
                           for r in resize)):
            raise ValueError(f"FashionMNIST: resize must be two positive integers (height, width), "
                             f"for example resize=(28, 28) or (64, 64); got {resize!r}.")
        positive_int("batch_size", batch_size, 64)
        super().__init__(root=root, num_workers=num_workers)
        self.save_hyperparameters(ignore=("root", "num_workers"))
        self.resize = tuple(int(r) for r in resize)
        train_x, train_y, val_x, val_y = load_fashion_mnist(root, download)
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
