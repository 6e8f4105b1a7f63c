"""The initialization chapter's self-checks: solutions pass, stubs and known wrong answers fail."""
import pytest
import torch
from torch import nn

import lib
from helpers import fails, solutions_pass, stubs_fail
from lib.checks import numerical_stability as checks


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)


# --- XavierMLP ------------------------------------------------------------------------

def make_mlp(init_hidden=None, init_output=None, layout="standard"):
    """A XavierMLP-like class whose two linear layers get the given initializers."""
    class MLP(lib.Classifier):
        def __init__(self, num_inputs=784, num_outputs=10, num_hiddens=256, lr=0.1):
            super().__init__()
            self.save_hyperparameters()
            if layout == "standard":
                self.net = nn.Sequential(nn.Flatten(), nn.Linear(num_inputs, num_hiddens),
                                         nn.ReLU(), nn.Linear(num_hiddens, num_outputs))
                hidden, output = self.net[1], self.net[3]
            else:  # the activation in the wrong place: Linear, ReLU at 1, 2 ...
                self.net = nn.Sequential(nn.Flatten(), nn.ReLU(), nn.Linear(num_inputs, num_hiddens),
                                         nn.Linear(num_hiddens, num_outputs))
                hidden, output = self.net[2], self.net[3]
            if init_hidden is not None:
                init_hidden(hidden.weight)
            if init_output is not None:
                init_output(output.weight)
    return MLP


XavierMLP = make_mlp(nn.init.xavier_uniform_, nn.init.xavier_uniform_)


class StubMLP(lib.Classifier):
    def __init__(self, num_inputs=784, num_outputs=10, num_hiddens=256, lr=0.1):
        raise NotImplementedError


class NoSave(XavierMLP):
    def save_hyperparameters(self, ignore=()):
        pass                                   # as if the call had been left out


class TooEarly(lib.Classifier):
    def __init__(self, num_inputs=784, num_outputs=10, num_hiddens=256, lr=0.1):
        super().__init__()
        self.save_hyperparameters()
        nn.init.xavier_uniform_(self.net[1].weight)


def test_xavier_initializing_before_building_fails_with_its_traceback():
    fails(checks.check_xavier_mlp, TooEarly, r"XavierMLP\(\) raised AttributeError.*build self.net first",
          cause=AttributeError)


class Lazy(lib.Classifier):
    """Copies the multilayer perceptrons chapter's nn.LazyLinear layers."""
    def __init__(self, num_inputs=784, num_outputs=10, num_hiddens=256, lr=0.1):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(nn.Flatten(), nn.LazyLinear(num_hiddens), nn.ReLU(),
                                 nn.LazyLinear(num_outputs))
        nn.init.xavier_uniform_(self.net[1].weight)
        nn.init.xavier_uniform_(self.net[3].weight)


def test_xavier_lazy_layers_fail_with_a_hint_to_use_linear():
    fails(checks.check_xavier_mlp, Lazy,
          r"XavierMLP\(\) raised ValueError.*nn\.LazyLinear has no weights until its first "
          r"call.*nn\.Linear\(num_inputs, num_hiddens\)", cause=ValueError)


class Fixed(lib.Classifier):
    def __init__(self, num_inputs=784, num_outputs=10, num_hiddens=256, lr=0.1):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(num_inputs, 256), nn.ReLU(),
                                 nn.Linear(256, num_outputs))
        nn.init.xavier_uniform_(self.net[1].weight)
        nn.init.xavier_uniform_(self.net[3].weight)


class Plain(nn.Module):
    def __init__(self, num_inputs=784, num_outputs=10, num_hiddens=256, lr=0.1):
        super().__init__()
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(num_inputs, num_hiddens), nn.ReLU(),
                                 nn.Linear(num_hiddens, num_outputs))


@pytest.mark.parametrize("wrong, message", [
    # net[3] initialized twice by mistake: net[1] done twice, net[3] left at the default.
    pytest.param(make_mlp(nn.init.xavier_uniform_, None),
                 r"self\.net\[3\]\.weight has variance .*PyTorch's default for "
                 r"nn\.Linear: this layer was not re-initialized", id="only_on_first_layer"),
    pytest.param(make_mlp(None, None), r"self\.net\[1\]\.weight has variance .*not re-initialized",
                 id="on_neither_layer"),
    pytest.param(make_mlp(nn.init.normal_, nn.init.normal_),
                 r"beyond the Xavier-uniform bound .*standard deviation about 1, "
                 r"as from nn\.init\.normal_", id="standard_normal_init"),
    pytest.param(make_mlp(nn.init.xavier_normal_, nn.init.xavier_normal_),
                 r"nn\.init\.xavier_normal_ gives; the exercise asks for the uniform",
                 id="xavier_normal_is_pointed_to_uniform"),
    pytest.param(make_mlp(nn.init.xavier_uniform_, nn.init.xavier_uniform_, layout="shifted"),
                 r"self\.net is \['Flatten', 'ReLU', 'Linear', 'Linear'\].*in that order",
                 id="wrong_layer_layout"),
    pytest.param(NoSave, r"has lr = .*expected 0.05: call self.save_hyperparameters",
                 id="without_save_hyperparameters"),
    pytest.param(Fixed, r"num_hiddens=64.*shape \(256, 784\), expected \(64, 784\)",
                 id="hard_coded_hidden_width"),
    pytest.param(make_mlp(nn.init.kaiming_uniform_, nn.init.kaiming_uniform_),
                 "beyond the Xavier-uniform bound", id="kaiming"),
    pytest.param(Plain, "expected a lib.Classifier", id="plain_module"),
])
def test_xavier_wrong_answers(wrong, message):
    fails(checks.check_xavier_mlp, wrong, message)


# --- init_constant --------------------------------------------------------------------

def init_constant(net, value):
    for module in net.modules():
        if isinstance(module, nn.Linear):
            nn.init.constant_(module.weight, value)
            nn.init.constant_(module.bias, value)
    return net


def weights_only(net, value):
    for module in net.modules():
        if isinstance(module, nn.Linear):
            nn.init.constant_(module.weight, value)
    return net


def top_level(net, value):  # iterating over net misses the nested Sequential
    for module in net:
        if isinstance(module, nn.Linear):
            nn.init.constant_(module.weight, value)
            nn.init.constant_(module.bias, value)
    return net


def no_return(net, value):
    init_constant(net, value)


def every_parameter(net, value):
    for p in net.parameters():
        nn.init.constant_(p, value)
    return net


def frozen(net, value):
    for m in net.modules():
        if isinstance(m, nn.Linear):
            m.weight.requires_grad_(False).fill_(value)
            m.bias.requires_grad_(False).fill_(value)
    return net


def assigning(net, value):
    for m in net.modules():
        if isinstance(m, nn.Linear):
            m.weight = torch.full_like(m.weight, value)
    return net


def test_init_constant_assigning_a_tensor_crash_is_reported():
    fails(checks.check_init_constant, assigning, r"init_constant\(nn.Sequential.*raised TypeError",
          cause=TypeError)


@pytest.mark.parametrize("wrong, message", [
    pytest.param(weights_only, r"left net\[1\]\.bias .*every weight \*and\* every bias", id="weights_only"),
    pytest.param(top_level, r"net\[4\]\[0\] .*Loop over net\.modules\(\)", id="top_level_only"),
    pytest.param(no_return, r"returned None, expected the network.*return net", id="forgets_return"),
    pytest.param(lambda net, value: init_constant(net, 0.3), r"use the `value` argument",
                 id="ignores_value"),
    pytest.param(every_parameter, "changed the LayerNorm's parameters too", id="every_parameter"),
    pytest.param(frozen, "no longer require a gradient", id="new_tensors_without_grad"),
])
def test_init_constant_wrong_answers(wrong, message):
    fails(checks.check_init_constant, wrong, message)


# --- every check: its solution passes, a stub is not implemented yet -------------------

class XavierLoop(lib.Classifier):
    """Another right answer: the layers listed first, every Linear initialized in a loop,
    the biases zeroed too (the exercise leaves them free)."""

    def __init__(self, num_inputs=784, num_outputs=10, num_hiddens=256, lr=0.1):
        super().__init__()
        self.save_hyperparameters()
        layers = [nn.Flatten(), nn.Linear(num_inputs, num_hiddens), nn.ReLU(),
                  nn.Linear(num_hiddens, num_outputs)]
        for layer in layers:
            if isinstance(layer, nn.Linear):
                nn.init.xavier_uniform_(layer.weight)
                nn.init.zeros_(layer.bias)
        self.net = nn.Sequential(*layers)


def init_constant_no_grad(net, value):
    """Another right answer: fill the parameters in place under no_grad."""
    with torch.no_grad():
        for module in net.modules():
            if isinstance(module, nn.Linear):
                module.weight.fill_(value)
                if module.bias is not None:
                    module.bias.fill_(value)
    return net


test_solutions_pass = solutions_pass((checks.check_xavier_mlp, XavierMLP),
                                     (checks.check_xavier_mlp, XavierLoop),
                                     (checks.check_init_constant, init_constant),
                                     (checks.check_init_constant, init_constant_no_grad))
test_stubs_fail = stubs_fail((checks.check_xavier_mlp, StubMLP), checks.check_init_constant)
