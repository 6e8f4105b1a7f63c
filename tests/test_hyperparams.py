import pytest

import lib


class Model(lib.HyperParameters):
    def __init__(self, a, b=2, *, c=3, _private=4):
        made_before = "not an argument"  # noqa: F841
        self.save_hyperparameters(ignore=("c",))


def test_saves_init_arguments_as_attributes():
    m = Model(1, c=5)
    assert (m.a, m.b) == (1, 2)
    assert m.hparams == {"a": 1, "b": 2}
    assert not hasattr(m, "c") and not hasattr(m, "_private") and not hasattr(m, "made_before")


def test_ignore_accepts_a_single_name():
    class One(lib.HyperParameters):
        def __init__(self, x, y):
            self.save_hyperparameters(ignore="y")
    assert One(1, 2).hparams == {"x": 1}


def test_subclass_init_chain():
    class Base(lib.HyperParameters):
        def __init__(self, lr):
            self.save_hyperparameters()

    class Child(Base):
        def __init__(self, lr, width):
            super().__init__(lr)
            self.save_hyperparameters()
    c = Child(0.1, 64)
    assert (c.lr, c.width) == (0.1, 64)


def test_outside_init_is_a_clear_error():
    class Bad(lib.HyperParameters):
        def configure(self, lr):
            self.save_hyperparameters()
    with pytest.raises(RuntimeError, match=r"called from configure\(\).*inside your class's __init__"):
        Bad().configure(0.1)


def test_add_to_class_patches_and_returns_the_function():
    # Its misuses (no class, an instance) are rows of tests/test_bad_input.py.
    class A:
        pass

    @lib.add_to_class(A)
    def double(self, x):
        return 2 * x
    assert A().double(3) == 6
    assert double is A.double  # d2l's version would have turned `double` into None
