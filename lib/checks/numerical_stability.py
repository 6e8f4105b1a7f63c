"""Self-checks for the exercises of the numerical stability and initialization chapter."""
import math

import torch
from torch import nn

from .core import CheckError, exercise, expect, expect_close, expect_shape  # noqa: F401

__all__ = ["check_xavier_mlp", "check_init_constant"]

_XAVIER = "Numerical Stability and Initialization, 'Xavier initialization'"
_SYMMETRY = "Numerical Stability and Initialization, 'Breaking the symmetry'"


def _describe_weight(W, n_in, n_out):
    """Name the initialization that most likely produced W, for failure messages."""
    var = W.var().item()
    xavier = 2 / (n_in + n_out)
    if abs(W.std().item() - 1) < 0.1:
        return "weights with standard deviation about 1, as from nn.init.normal_ (N(0, 1))"
    if abs(var / (1 / (3 * n_in)) - 1) < 0.15:
        return ("weights with variance 1/(3 n_in), PyTorch's default for nn.Linear: this layer "
                "was not re-initialized")
    if abs(var / xavier - 1) < 0.15:
        return "weights with Xavier's variance but outside the uniform bound"
    return f"weights with variance {var:.3g}"


def _check_layer(model, index, n_in, n_out, tried):
    layer = model.net[index]
    W = layer.weight.detach()
    expect(tuple(W.shape) == (n_out, n_in),
           f"{tried}: self.net[{index}].weight has shape {tuple(W.shape)}, expected "
           f"({n_out}, {n_in}) = (outputs, inputs) for this layer.")
    a = math.sqrt(6 / (n_in + n_out))
    target = a * a / 3                        # variance of U(-a, a) = 2 / (n_in + n_out)
    largest, var = W.abs().max().item(), W.var().item()
    if largest > a * (1 + 1e-5):
        kind = _describe_weight(W, n_in, n_out)
        hint = (" That is what nn.init.xavier_normal_ gives; the exercise asks for the uniform "
                "form, nn.init.xavier_uniform_." if "Xavier's variance" in kind else "")
        raise CheckError(
            f"{tried}: self.net[{index}].weight has an entry of size {largest:.4f}, beyond the "
            f"Xavier-uniform bound a = sqrt(6 / ({n_in} + {n_out})) = {a:.4f}; it looks like "
            f"{kind}.{hint} Initialize it with nn.init.xavier_uniform_(self.net[{index}].weight).")
    if not 0.85 < var / target < 1.15:
        kind = _describe_weight(W, n_in, n_out)
        raise CheckError(
            f"{tried}: self.net[{index}].weight has variance {var:.3g}, but Xavier-uniform "
            f"weights have variance 2 / ({n_in} + {n_out}) = {target:.3g}; it looks like {kind}. "
            f"Call nn.init.xavier_uniform_(self.net[{index}].weight) after building self.net, "
            "and make sure both linear layers get it.")


@exercise("XavierMLP", section=_XAVIER)
def check_xavier_mlp(XavierMLP):
    for sizes in ((784, 10, 256), (784, 10, 64)):
        n_in, n_out, n_hid = sizes
        tried = (f"XavierMLP(num_inputs={n_in}, num_outputs={n_out}, num_hiddens={n_hid})")
        model = XavierMLP(num_inputs=n_in, num_outputs=n_out, num_hiddens=n_hid)
        net = getattr(model, "net", None)
        expect(isinstance(net, nn.Sequential),
               f"{tried} has no self.net of type nn.Sequential (got {type(net).__name__}).")
        expect(len(net) >= 4 and isinstance(net[1], nn.Linear) and isinstance(net[3], nn.Linear),
               f"{tried}: self.net is {[type(m).__name__ for m in net]}, but self.net[1] and "
               "self.net[3] must be the two nn.Linear layers: build nn.Sequential(nn.Flatten(), "
               "nn.Linear(...), nn.ReLU(), nn.Linear(...)).")
        with torch.no_grad():
            out = model(torch.rand(2, 1, 28, 28))
        expect_shape(out, (2, n_out), f"{tried} applied to two 28x28 images")
        _check_layer(model, 1, n_in, n_hid, tried)
        _check_layer(model, 3, n_hid, n_out, tried)
    return "both linear layers Xavier-uniform, for two widths"


@exercise("init_constant", section=_SYMMETRY)
def check_init_constant(init_constant):
    inner = nn.Sequential(nn.Linear(5, 4), nn.Tanh())
    net = nn.Sequential(nn.Flatten(), nn.Linear(6, 5), nn.ReLU(), inner, nn.Linear(4, 3))
    tried = ("init_constant(nn.Sequential(Flatten, Linear(6, 5), ReLU, "
             "Sequential(Linear(5, 4), Tanh), Linear(4, 3)), 0.3)")
    got = init_constant(net, 0.3)
    expect(got is net,
           f"{tried} returned {type(got).__name__}, expected the network it was given: end "
           "the function with `return net`.")
    layers = [("net[1]", net[1]), ("net[3][0] (a linear layer nested in a Sequential)", inner[0]),
              ("net[4]", net[4])]
    for name, layer in layers:
        W, b = layer.weight.detach(), layer.bias.detach()
        if not torch.all(W == 0.3):
            raise CheckError(
                f"{tried} left {name}.weight with values such as {W.flatten()[:3].tolist()}, "
                "expected every entry to be 0.3. Loop over net.modules(), which reaches nested "
                "layers too, and set the weight of every nn.Linear.")
        if not torch.all(b == 0.3):
            raise CheckError(
                f"{tried} set {name}.weight but left {name}.bias at {b[:3].tolist()}, expected "
                "0.3: the exercise asks for every weight *and* every bias (nn.init.constant_ "
                "works on biases too).")
    net2 = init_constant(nn.Sequential(nn.Linear(3, 2)), -1.5)
    expect(torch.all(net2[0].weight == -1.5) and torch.all(net2[0].bias == -1.5),
           "init_constant(nn.Sequential(nn.Linear(3, 2)), -1.5) did not set the parameters to "
           "-1.5: use the `value` argument rather than a fixed number.")
    return "all linear layers, nested ones too"
