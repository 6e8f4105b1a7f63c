"""Hyperparameters and class patching (introduced in the linear regression chapter)."""
import inspect
import numbers

__all__ = ["HyperParameters", "add_to_class"]


def positive_int(name, value, example, minimum=1):
    """`value` as an int if it is a whole number >= minimum (NumPy integers too), else a ValueError."""
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < minimum:
        kind = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
        raise ValueError(f"{name} must be {kind}; got {value!r}. For example {name}={example}.")
    return int(value)


def add_to_class(Class):
    """Register the decorated function as a method of `Class`; return it."""
    def wrapper(fn):
        setattr(Class, fn.__name__, fn)
        return fn
    return _decorator_of(Class, wrapper)


def _decorator_of(Class, wrapper):
    """`wrapper`, the decorator for `Class`, once `Class` is a class (not a function)."""
    if not isinstance(Class, type):  # @add_to_class alone would silently register nothing
        raise TypeError("add_to_class needs the class to add to: write @add_to_class(Trainer) "
                        f"above the function, not @add_to_class alone; got {Class!r}.")
    return wrapper


class HyperParameters:
    """Base class that saves an ``__init__``'s arguments as attributes."""

    def save_hyperparameters(self, ignore=()):
        """Store each argument of the calling ``__init__`` on ``self`` and in
        ``self.hparams``, but ``self``, the names in `ignore` and names with a
        leading ``_``."""
        frame = inspect.currentframe().f_back  # the calling __init__
        skip = {"self", *([ignore] if isinstance(ignore, str) else ignore)}
        self.hparams = {k: v for k, v in _init_arguments(frame, self).items()
                        if k not in skip and not k.startswith("_")}
        for k, v in self.hparams.items():
            setattr(self, k, v)


def _init_arguments(frame, obj):
    """The arguments (not other locals) of `frame`, which must be `obj`'s ``__init__``."""
    if frame.f_code.co_name != "__init__" or frame.f_locals.get("self") is not obj:
        raise RuntimeError(
            f"save_hyperparameters() was called from {frame.f_code.co_name}(), "
            "but it reads the arguments of the calling __init__: call "
            "self.save_hyperparameters() inside your class's __init__ method.")
    code = frame.f_code
    n_args = code.co_argcount + code.co_kwonlyargcount
    n_args += bool(code.co_flags & inspect.CO_VARARGS) + bool(code.co_flags & inspect.CO_VARKEYWORDS)
    return {k: frame.f_locals[k] for k in code.co_varnames[:n_args] if k in frame.f_locals}
