"""Device helpers of the textbook's GPU section, which `Trainer(num_gpus=...)` builds on.

On a machine without a GPU, `try_gpu()` gives the CPU and `try_all_gpus()` an empty list,
so textbook code that asks for a GPU still runs.
"""
import torch

__all__ = ["cpu", "gpu", "num_gpus", "try_gpu", "try_all_gpus"]


def cpu():
    """The CPU device."""
    return torch.device("cpu")


def gpu(i=0):
    """The GPU device number `i` (it need not exist; see `try_gpu`)."""
    return torch.device(f"cuda:{i}")


def num_gpus():
    """How many GPUs torch can use."""
    return torch.cuda.device_count()


def try_gpu(i=0):
    """GPU number `i` if there is one, else the CPU."""
    return gpu(i) if num_gpus() >= i + 1 else cpu()


def try_all_gpus():
    """Every available GPU (an empty list when there is none)."""
    return [gpu(i) for i in range(num_gpus())]
