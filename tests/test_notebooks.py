"""Every notebook in notebooks/ runs top to bottom (nbclient, fresh kernel, float64), and each
ends without an error cell. Their physics is asserted in the library tests; here they must
execute as a user would run them."""

from pathlib import Path

import nbclient
import nbformat
import pytest


NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))


def test_there_is_a_notebook_per_paper_and_topic():
    names = {p.stem.split("_")[0] for p in NOTEBOOKS}
    assert {"000", "001", "002", "003", "004", "optimization", "batched"} <= names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path, tmp_path):
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]  # fmt: skip
    assert not errors
