"""The initialization chapter's self-checks: solutions pass, stubs and known wrong answers fail."""
import pytest
import torch
from torch import nn

import lib
from lib.checks import numerical_stability as checks

NI = lib.checks.NOT_IMPLEMENTED


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


def test_xavier_solution_passes(capsys):
    checks.check_xavier_mlp(make_mlp(nn.init.xavier_uniform_, nn.init.xavier_uniform_))
    assert "check passed" in capsys.readouterr().out


def test_xavier_stub_fails():
    class Stub(lib.Classifier):
        def __init__(self, num_inputs=784, num_outputs=10, num_hiddens=256, lr=0.1):
            raise NotImplementedError

    with pytest.raises(lib.checks.CheckError, match=NI):
        checks.check_xavier_mlp(Stub)


def test_xavier_only_on_first_layer():
    # net[3] initialized twice by mistake: net[1] done twice, net[3] left at the default.
    with pytest.raises(lib.checks.CheckError,
                       match=r"self\.net\[3\]\.weight has variance .*PyTorch's default for "
                             r"nn\.Linear: this layer was not re-initialized"):
        checks.check_xavier_mlp(make_mlp(nn.init.xavier_uniform_, None))


def test_xavier_on_neither_layer():
    with pytest.raises(lib.checks.CheckError,
                       match=r"self\.net\[1\]\.weight has variance .*not re-initialized"):
        checks.check_xavier_mlp(make_mlp(None, None))


def test_standard_normal_init_is_caught():
    with pytest.raises(lib.checks.CheckError,
                       match=r"beyond the Xavier-uniform bound .*standard deviation about 1, "
                             r"as from nn\.init\.normal_"):
        checks.check_xavier_mlp(make_mlp(nn.init.normal_, nn.init.normal_))


def test_xavier_normal_is_pointed_to_uniform():
    with pytest.raises(lib.checks.CheckError,
                       match=r"nn\.init\.xavier_normal_ gives; the exercise asks for the uniform"):
        checks.check_xavier_mlp(make_mlp(nn.init.xavier_normal_, nn.init.xavier_normal_))


def test_wrong_layer_layout():
    with pytest.raises(lib.checks.CheckError,
                       match=r"self\.net is \['Flatten', 'ReLU', 'Linear', 'Linear'\].*in that order"):
        checks.check_xavier_mlp(make_mlp(nn.init.xavier_uniform_, nn.init.xavier_uniform_,
                                         layout="shifted"))


# --- init_constant --------------------------------------------------------------------

def init_constant(net, value):
    for module in net.modules():
        if isinstance(module, nn.Linear):
            nn.init.constant_(module.weight, value)
            nn.init.constant_(module.bias, value)
    return net


def test_init_constant_solution_passes(capsys):
    checks.check_init_constant(init_constant)
    assert "check passed" in capsys.readouterr().out


def test_init_constant_stub_fails():
    def stub(net, value):
        raise NotImplementedError

    with pytest.raises(lib.checks.CheckError, match=NI):
        checks.check_init_constant(stub)


def test_init_constant_weights_only():
    def weights_only(net, value):
        for module in net.modules():
            if isinstance(module, nn.Linear):
                nn.init.constant_(module.weight, value)
        return net

    with pytest.raises(lib.checks.CheckError, match=r"left net\[1\]\.bias .*every weight \*and\* every bias"):
        checks.check_init_constant(weights_only)


def test_init_constant_top_level_only():
    def top_level(net, value):  # iterating over net misses the nested Sequential
        for module in net:
            if isinstance(module, nn.Linear):
                nn.init.constant_(module.weight, value)
                nn.init.constant_(module.bias, value)
        return net

    with pytest.raises(lib.checks.CheckError, match=r"net\[4\]\[0\] .*Loop over net\.modules\(\)"):
        checks.check_init_constant(top_level)


def test_init_constant_forgets_return():
    def no_return(net, value):
        init_constant(net, value)

    with pytest.raises(lib.checks.CheckError, match=r"returned None, expected the network.*return net"):
        checks.check_init_constant(no_return)


def test_init_constant_ignores_value():
    def fixed(net, value):
        return init_constant(net, 0.3)

    with pytest.raises(lib.checks.CheckError, match=r"use the `value` argument"):
        checks.check_init_constant(fixed)


# --- more wrong answers ------------------------------------------------------------------

def test_xavier_without_save_hyperparameters_fails():
    base = make_mlp(nn.init.xavier_uniform_, nn.init.xavier_uniform_)

    class NoSave(base):
        def save_hyperparameters(self, ignore=()):
            pass                                   # as if the call had been left out
    with pytest.raises(lib.checks.CheckError, match=r"has lr = .*expected 0.05: call self.save_hyperparameters"):
        checks.check_xavier_mlp(NoSave)


def test_xavier_initializing_before_building_fails_with_its_traceback():
    class TooEarly(lib.Classifier):
        def __init__(self, num_inputs=784, num_outputs=10, num_hiddens=256, lr=0.1):
            super().__init__()
            self.save_hyperparameters()
            nn.init.xavier_uniform_(self.net[1].weight)
    with pytest.raises(lib.checks.CheckError, match=r"XavierMLP\(\) raised AttributeError.*build self.net first") as info:
        checks.check_xavier_mlp(TooEarly)
    assert isinstance(info.value.__cause__, AttributeError)


def test_xavier_hard_coded_hidden_width_fails():
    class Fixed(lib.Classifier):
        def __init__(self, num_inputs=784, num_outputs=10, num_hiddens=256, lr=0.1):
            super().__init__()
            self.save_hyperparameters()
            self.net = nn.Sequential(nn.Flatten(), nn.Linear(num_inputs, 256), nn.ReLU(),
                                     nn.Linear(256, num_outputs))
            nn.init.xavier_uniform_(self.net[1].weight)
            nn.init.xavier_uniform_(self.net[3].weight)
    with pytest.raises(lib.checks.CheckError, match=r"num_hiddens=64.*shape \(256, 784\), expected \(64, 784\)"):
        checks.check_xavier_mlp(Fixed)


def test_xavier_kaiming_fails():
    with pytest.raises(lib.checks.CheckError, match="beyond the Xavier-uniform bound"):
        checks.check_xavier_mlp(make_mlp(nn.init.kaiming_uniform_, nn.init.kaiming_uniform_))


def test_xavier_plain_module_fails():
    class Plain(nn.Module):
        def __init__(self, num_inputs=784, num_outputs=10, num_hiddens=256, lr=0.1):
            super().__init__()
            self.net = nn.Sequential(nn.Flatten(), nn.Linear(num_inputs, num_hiddens), nn.ReLU(),
                                     nn.Linear(num_hiddens, num_outputs))
    with pytest.raises(lib.checks.CheckError, match="expected a lib.Classifier"):
        checks.check_xavier_mlp(Plain)


def init_constant(net, value):
    for m in net.modules():
        if isinstance(m, nn.Linear):
            nn.init.constant_(m.weight, value)
            nn.init.constant_(m.bias, value)
    return net


def test_init_constant_every_parameter_fails():
    def every_parameter(net, value):
        for p in net.parameters():
            nn.init.constant_(p, value)
        return net
    with pytest.raises(lib.checks.CheckError, match="changed the LayerNorm's parameters too"):
        checks.check_init_constant(every_parameter)


def test_init_constant_new_tensors_without_grad_fail():
    def frozen(net, value):
        for m in net.modules():
            if isinstance(m, nn.Linear):
                m.weight.requires_grad_(False).fill_(value)
                m.bias.requires_grad_(False).fill_(value)
        return net
    with pytest.raises(lib.checks.CheckError, match="no longer require a gradient"):
        checks.check_init_constant(frozen)


def test_init_constant_assigning_a_tensor_crash_is_reported():
    def assigning(net, value):
        for m in net.modules():
            if isinstance(m, nn.Linear):
                m.weight = torch.full_like(m.weight, value)
        return net
    with pytest.raises(lib.checks.CheckError, match=r"init_constant\(nn.Sequential.*raised TypeError") as info:
        checks.check_init_constant(assigning)
    assert isinstance(info.value.__cause__, TypeError)


def test_init_constant_book_solution_passes(capsys):
    checks.check_init_constant(init_constant)
    assert "check passed" in capsys.readouterr().out
