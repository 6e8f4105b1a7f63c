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
def _tensor_method(name, method, doc):
    """The function `name(x, ...)`, which calls the tensor method `x.method(...)`."""
    def alias(x, *args, **kwargs):
        return getattr(x, method)(*args, **kwargs)
    alias.__name__ = alias.__qualname__ = name
    alias.__doc__ = doc
    return alias


def numpy(x, *args, **kwargs):
    """`x` as a NumPy array, detached from autograd."""
    return x.detach().numpy(*args, **kwargs)


size = _tensor_method("size", "numel", "The number of elements of `x`.")
reshape = _tensor_method("reshape", "reshape", "`x.reshape(...)`.")
to = _tensor_method("to", "to", "`x.to(...)`: another device or dtype.")
reduce_sum = _tensor_method("reduce_sum", "sum", "`x.sum(...)`.")
argmax = _tensor_method("argmax", "argmax", "`x.argmax(...)`.")
astype = _tensor_method("astype", "type", "`x.type(dtype)`: `x` converted to another dtype.")
transpose = _tensor_method("transpose", "t", "`x.t()`: the transpose of a matrix.")
reduce_mean = _tensor_method("reduce_mean", "mean", "`x.mean(...)`.")
expand_dims = _tensor_method("expand_dims", "unsqueeze", "`x.unsqueeze(dim)`: a new axis of length 1.")
swapaxes = _tensor_method("swapaxes", "swapaxes", "`x.swapaxes(a, b)`.")
repeat = _tensor_method("repeat", "repeat", "`x.repeat(...)`: `x` tiled along its axes.")


# Every name above (not the modules it imports) is re-exported by lib/__init__.py.
__all__ = [name for name in list(globals()) if not name.startswith("_") and name not in ("torch", "nn")]
