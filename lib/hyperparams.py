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
    """Register the decorated function as a method of `Class` (linear regression chapter).

    Unlike d2l's version, the decorator returns the function, so the decorated
    name stays usable instead of becoming ``None``.
    """
    if not isinstance(Class, type):  # @add_to_class alone would silently register nothing
        raise TypeError("add_to_class needs the class to add to: write @add_to_class(Trainer) "
                        f"above the function, not @add_to_class alone; got {Class!r}.")

    def wrapper(fn):
        setattr(Class, fn.__name__, fn)
        return fn
    return wrapper


class HyperParameters:
    """Base class that saves an ``__init__``'s arguments as attributes (linear regression chapter)."""

    def save_hyperparameters(self, ignore=()):
        """Store every argument of the calling ``__init__`` on ``self`` and in ``self.hparams``.

        Arguments named in `ignore`, ``self`` and names starting with ``_`` are skipped.
        """
        frame = inspect.currentframe().f_back
        try:
            if frame.f_code.co_name != "__init__" or frame.f_locals.get("self") is not self:
                raise RuntimeError(
                    f"save_hyperparameters() was called from {frame.f_code.co_name}(), "
                    "but it reads the arguments of the calling __init__: call "
                    "self.save_hyperparameters() inside your class's __init__ method.")
            if isinstance(ignore, str):
                ignore = (ignore,)
            # Only the __init__'s own arguments, not locals it created before the call.
            code = frame.f_code
            n_args = code.co_argcount + code.co_kwonlyargcount
            n_args += bool(code.co_flags & inspect.CO_VARARGS) + bool(code.co_flags & inspect.CO_VARKEYWORDS)
            names = code.co_varnames[:n_args]
            skip = set(ignore) | {"self"}
            self.hparams = {k: frame.f_locals[k] for k in names
                            if k not in skip and not k.startswith("_") and k in frame.f_locals}
        finally:
            del frame  # break the reference cycle frame -> locals -> frame
        for k, v in self.hparams.items():
            setattr(self, k, v)
