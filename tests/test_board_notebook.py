"""The training board in a real kernel, as the book build and a live notebook run it."""
import re

import nbformat
import pytest
from nbclient import NotebookClient

pytestmark = pytest.mark.slow

CELLS = [
    "import time, numpy as np, torch, lib\nfrom torch import nn\nlib.use_svg_display()",
    # The textbook's board demo, slowed down (10 s) so that the board redraws while it runs.
    "board = lib.ProgressBoard('x')\n"
    "for x in np.arange(0, 10, 0.1):\n"
    "    board.draw(x, np.sin(x), 'sin', every_n=2)\n"
    "    board.draw(x, np.cos(x), 'cos', every_n=10)\n"
    "    time.sleep(0.1)",
    "class LinReg(lib.Module):\n"
    "    def __init__(self, lr):\n"
    "        super().__init__(); self.save_hyperparameters(); self.net = nn.Linear(2, 1)\n"
    "    def loss(self, y_hat, y): return ((y_hat - y) ** 2 / 2).mean()\n"
    "torch.manual_seed(0)\n"
    "data = lib.SyntheticRegressionData(w=torch.tensor([2, -3.4]), b=4.2, num_train=20000)\n"
    "model = LinReg(lr=0.03)\n"
    "history = lib.Trainer(max_epochs=3).fit(model, data)",
    "lib.plot([1, 2, 3], [[1, 4, 9]], 'x', 'y')",
]


class CountingClient(NotebookClient):
    updates = 0

    def process_message(self, msg, cell, cell_index):
        if msg["msg_type"] == "update_display_data":
            CountingClient.updates += 1
        return super().process_message(msg, cell, cell_index)


def execute():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS])
    CountingClient(nb, timeout=300, kernel_name="python3").execute()
    # kept with the notebook: under xdist another worker may have executed it
    nb.metadata["display_updates"] = CountingClient.updates
    return nb


@pytest.fixture(scope="module")
def executed(once_per_run):
    """The notebook, executed once per test run (shared by the xdist workers)."""
    return once_per_run("board-notebook", execute)


def figures(cell):
    return [o for o in cell.outputs if o.output_type == "display_data" and "image/svg+xml" in o.data]


def test_headless_run_keeps_exactly_one_final_figure_per_board(executed):
    for i in (1, 2, 3):
        assert len(figures(executed.cells[i])) == 1, executed.cells[i].outputs
        assert all(o.output_type != "error" for o in executed.cells[i].outputs)


def test_live_board_updated_in_place_while_running(executed):
    # A reader of a live notebook sees progress: the display appeared while the demo ran
    # and was then updated in place (to the final state).
    assert executed.metadata["display_updates"] >= 1


def test_the_figure_shows_the_final_state(executed):
    svg = figures(executed.cells[1])[0].data["image/svg+xml"]
    # Each curve is one SVG path: "M x y" then one "L x y" per further point. The final
    # frame has all 50 averaged sin points and 10 cos points, not an early frame's few.
    segments = [len(re.findall(r"\bL ", d)) for d in re.findall(r'<path d="([^"]*)"', svg)]
    assert 49 in segments and 9 in segments, segments
