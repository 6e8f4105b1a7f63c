import subprocess
import sys

import lib

DESIGN_API = {"HyperParameters", "add_to_class", "plot", "set_figsize", "use_svg_display",
              "show_images", "ProgressBoard", "DataModule", "SyntheticRegressionData",
              "FashionMNIST", "Module", "Classifier", "SGD", "Trainer", "checks"}


def test_public_api_is_explicit_and_complete():
    assert DESIGN_API <= set(lib.__all__)
    assert len(lib.__all__) == len(set(lib.__all__))
    for name in lib.__all__:
        obj = getattr(lib, name)
        assert getattr(obj, "__module__", getattr(obj, "__name__", "")).startswith("lib"), name


def test_each_public_class_and_function_is_documented():
    for name in lib.__all__:
        assert getattr(lib, name).__doc__, f"lib.{name} has no docstring"


def test_import_has_no_side_effects():
    """Importing lib seeds nothing, filters no warnings, touches no network, plots nothing."""
    code = """
import socket, warnings, torch, matplotlib
def raw_rc():  # reading rcParams["backend"] the usual way would import pyplot itself
    return {k: dict.__getitem__(matplotlib.rcParams, k) for k in dict.keys(matplotlib.rcParams)}
def no_network(*a, **k):
    raise AssertionError("import lib opened a network connection")
socket.socket.connect = no_network
state, filters = torch.get_rng_state(), list(warnings.filters)
rc = raw_rc()
import lib
assert torch.equal(state, torch.get_rng_state()), "import lib changed torch's RNG"
assert filters == warnings.filters, "import lib changed the warning filters"
assert rc == raw_rc(), "import lib changed matplotlib settings"
import sys
assert "matplotlib.pyplot" not in sys.modules, "import lib imported pyplot"
print("clean")
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "clean", out.stderr
