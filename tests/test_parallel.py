"""Worker pools: results for every item, whatever the number of workers, and no hang when workers are replaced."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT

REPLACED_WORKERS = """
from toolkit.parallel import completed_map, ordered_map
if __name__ == "__main__":
    done = sorted(future.result() for _, future in completed_map(abs, list(range(-30, 0)), 2, tasks_per_worker=3))
    assert done == list(range(1, 31)), done
    ordered = [future.result() for _, future in ordered_map(abs, list(range(-100, 0)), 2)]
    assert ordered == list(range(100, 0, -1)), ordered
    print("finished")
"""


def test_workers_replaced_after_their_tasks_do_not_leave_the_queue_waiting(tmp_path):
    """Python 3.11's pool could wait forever once a worker left after its last task (CPython gh-115634)."""
    script = tmp_path / "replaced.py"
    script.write_text(REPLACED_WORKERS, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(script)], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "finished"


def test_the_costliest_items_go_first_and_equal_ones_keep_their_order():
    from toolkit.parallel import costliest_first

    assert costliest_first([1, 5, 2, 5, 4], float) == [1, 3, 4, 2, 0]


def test_a_bilingual_profile_costs_twice_a_monolingual_one(tmp_path):
    from tests.conftest import PROFILES
    from toolkit.render import RenderOptions
    from toolkit.render.build import _cost, _Task

    def cost(name: str) -> float:
        return _cost(_Task(PROFILES / f"{name}.yaml", ["html", "pdf"], tmp_path, PROFILES, RenderOptions(), False))

    assert cost("dyffryn-tawel-council") == 2 * cost("riverside-borough-council") == 4
