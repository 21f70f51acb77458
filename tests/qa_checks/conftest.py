"""Make `qa_checks` resolve to the package, not to this tests/qa_checks folder.

pytest's default import mode puts tests/ on sys.path (tests/ has a conftest.py and no __init__.py), and
the editable install's finder runs after the path finder, so `import qa_checks` would find this folder as
a namespace package. Putting the repository root first fixes that without touching shared config; the
lasting fix is `pythonpath = ["."]` under [tool.pytest.ini_options].
"""
import sys
from pathlib import Path

_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)
for _name in [m for m in sys.modules if m == "qa_checks" or m.startswith("qa_checks.")]:
    if getattr(sys.modules[_name], "__file__", None) is None:  # a namespace package picked up from tests/
        del sys.modules[_name]
