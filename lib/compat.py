"""Framework aliases, so that the d2l textbook's code runs with ``import lib as d2l``.

Why they exist: the textbook prints one text for several frameworks, so its code calls
framework functions through d2l (``d2l.tensor``, ``d2l.reshape(x, shape)``,
``d2l.reduce_sum``, ``d2l.nn_Module``) and each framework's d2l maps those names to its
own. These are the PyTorch mappings of d2l 1.0.3, nothing more. Our own chapters call
torch directly; these names are here only for code copied from the textbook. They are
attributes of `lib` but not part of ``lib.__all__`` (they are torch's, not ours).
"""
import torch
from torch import nn

nn_Module = nn.Module

# Plain renames of torch functions and dtypes.
ones_like = torch.ones_like
ones = torch.ones
zeros_like = torch.zeros_like
zeros = torch.zeros
tensor = torch.tensor
arange = torch.arange
meshgrid = torch.meshgrid
sin = torch.sin
sinh = torch.sinh
cos = torch.cos
cosh = torch.cosh
tanh = torch.tanh
linspace = torch.linspace
exp = torch.exp
log = torch.log
normal = torch.normal
rand = torch.rand
randn = torch.randn
matmul = torch.matmul
int32 = torch.int32
int64 = torch.int64
float32 = torch.float32
concat = torch.cat
stack = torch.stack
abs = torch.abs
eye = torch.eye
sigmoid = torch.sigmoid
batch_matmul = torch.bmm


# Tensor methods written as functions of the tensor, as in the textbook's shared text.
def numpy(x, *args, **kwargs):
    """`x` as a NumPy array, detached from autograd."""
    return x.detach().numpy(*args, **kwargs)


def size(x, *args, **kwargs):
    """The number of elements of `x`."""
    return x.numel(*args, **kwargs)


def reshape(x, *args, **kwargs):
    """`x.reshape(...)`."""
    return x.reshape(*args, **kwargs)


def to(x, *args, **kwargs):
    """`x.to(...)`: another device or dtype."""
    return x.to(*args, **kwargs)


def reduce_sum(x, *args, **kwargs):
    """`x.sum(...)`."""
    return x.sum(*args, **kwargs)


def argmax(x, *args, **kwargs):
    """`x.argmax(...)`."""
    return x.argmax(*args, **kwargs)


def astype(x, *args, **kwargs):
    """`x.type(dtype)`: `x` converted to another dtype."""
    return x.type(*args, **kwargs)


def transpose(x, *args, **kwargs):
    """`x.t()`: the transpose of a matrix."""
    return x.t(*args, **kwargs)


def reduce_mean(x, *args, **kwargs):
    """`x.mean(...)`."""
    return x.mean(*args, **kwargs)


def expand_dims(x, *args, **kwargs):
    """`x.unsqueeze(dim)`: a new axis of length 1."""
    return x.unsqueeze(*args, **kwargs)


def swapaxes(x, *args, **kwargs):
    """`x.swapaxes(a, b)`."""
    return x.swapaxes(*args, **kwargs)


def repeat(x, *args, **kwargs):
    """`x.repeat(...)`: `x` tiled along its axes."""
    return x.repeat(*args, **kwargs)


# Every name above (not the modules it imports) is re-exported by lib/__init__.py.
__all__ = [name for name in list(globals()) if not name.startswith("_") and name not in ("torch", "nn")]
