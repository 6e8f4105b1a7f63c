"""Self-checks for the exercises of the numerical stability and initialization chapter."""
import math

import torch
from torch import nn

from .core import CheckError, call, describe, exercise, expect, expect_shape

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


def _build(XavierMLP, tried, **kwargs):
    model = call(XavierMLP, tried, **kwargs,
                 hint={AttributeError: "build self.net first, then initialize "
                       "self.net[1].weight and self.net[3].weight (they do not exist before).",
                       ValueError: "an nn.LazyLinear has no weights until its first call, so "
                       "nn.init.xavier_uniform_ cannot fill them: build the layers with "
                       "nn.Linear(num_inputs, num_hiddens) and nn.Linear(num_hiddens, "
                       "num_outputs)."})
    net = getattr(model, "net", None)
    expect(isinstance(net, nn.Sequential),
           f"{tried} has no self.net of type nn.Sequential (got {describe(net)}).")
    kinds = [type(m).__name__ for m in net]
    expect(kinds == ["Flatten", "Linear", "ReLU", "Linear"],
           f"{tried}: self.net is {kinds}, expected ['Flatten', 'Linear', 'ReLU', 'Linear']: "
           "build nn.Sequential(nn.Flatten(), nn.Linear(...), nn.ReLU(), nn.Linear(...)), "
           "in that order.")
    return model


@exercise("XavierMLP", section=_XAVIER)
def check_xavier_mlp(XavierMLP):
    import lib
    model = _build(XavierMLP, "XavierMLP()")
    expect(isinstance(model, lib.Classifier),
           f"XavierMLP() is {describe(model)}, expected a lib.Classifier (which brings the "
           "loss, the accuracy and the optimizer): class XavierMLP(lib.Classifier).")
    shapes = [tuple(model.net[i].weight.shape) for i in (1, 3)]
    expect(shapes == [(256, 784), (10, 256)],
           f"XavierMLP() has weights of shapes {shapes}, expected [(256, 784), (10, 256)]: "
           "the defaults are num_inputs=784, num_outputs=10, num_hiddens=256.")
    for sizes in ((784, 10, 256), (784, 10, 64)):
        n_in, n_out, n_hid = sizes
        tried = (f"XavierMLP(num_inputs={n_in}, num_outputs={n_out}, num_hiddens={n_hid}, "
                 "lr=0.05)")
        model = _build(XavierMLP, tried, num_inputs=n_in, num_outputs=n_out,
                       num_hiddens=n_hid, lr=0.05)
        expect(getattr(model, "lr", None) == 0.05,
               f"{tried} has lr = {describe(getattr(model, 'lr', None))}, expected 0.05: call "
               "self.save_hyperparameters() in __init__, so that the optimizer finds self.lr.")
        with torch.no_grad():
            out = call(model, f"{tried} applied to two 28x28 images", torch.rand(2, 1, 28, 28))
        expect_shape(out, (2, n_out), f"{tried} applied to two 28x28 images")
        _check_layer(model, 1, n_in, n_hid, tried)
        _check_layer(model, 3, n_hid, n_out, tried)
    return "both linear layers Xavier-uniform, for two widths"


@exercise("init_constant", section=_SYMMETRY)
def check_init_constant(init_constant):
    inner = nn.Sequential(nn.Linear(5, 4), nn.Tanh())
    norm = nn.LayerNorm(5)
    net = nn.Sequential(nn.Flatten(), nn.Linear(6, 5), norm, nn.ReLU(), inner, nn.Linear(4, 3))
    norm_before = [p.detach().clone() for p in norm.parameters()]
    tried = ("init_constant(nn.Sequential(Flatten, Linear(6, 5), LayerNorm(5), ReLU, "
             "Sequential(Linear(5, 4), Tanh), Linear(4, 3)), 0.3)")
    got = call(init_constant, tried, net, 0.3)
    expect(got is net,
           f"{tried} returned {describe(got)}, expected the network it was given: end "
           "the function with `return net`.")
    layers = [("net[1]", net[1]), ("net[4][0] (a linear layer nested in a Sequential)", inner[0]),
              ("net[5]", net[5])]
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
        expect(isinstance(layer.weight, nn.Parameter) and layer.weight.requires_grad
               and layer.bias.requires_grad,
               f"{tried}: {name}'s parameters no longer require a gradient, so training could "
               "not change them: fill them in place (nn.init.constant_), without "
               "requires_grad_(False) or new tensors.")
    expect(all(torch.equal(p.detach(), p0) for p, p0 in zip(norm.parameters(), norm_before)),
           f"{tried} changed the LayerNorm's parameters too: the exercise sets the linear "
           "layers only, so test isinstance(module, nn.Linear) before setting anything.")
    net2 = call(init_constant, "init_constant(nn.Sequential(nn.Linear(3, 2)), -1.5)",
                nn.Sequential(nn.Linear(3, 2)), -1.5)
    expect(isinstance(net2, nn.Sequential) and torch.all(net2[0].weight == -1.5)
           and torch.all(net2[0].bias == -1.5),
           "init_constant(nn.Sequential(nn.Linear(3, 2)), -1.5) did not set the parameters to "
           "-1.5: use the `value` argument rather than a fixed number.")
    return "all linear layers, nested ones too, nothing else"
