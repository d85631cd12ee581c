"""README's examples work as written, twice in a row, against the local stack.

Every ```bash block of README.md is one step of a newcomer's session with `make run` going:
the blocks run in order as one script, in a shell that has only what the README tells the
reader to set (it sources the file `make run` writes). The whole script runs twice against the
same stack, as a reader who tries the examples again would; every call must succeed (curl fails
on any 4xx or 5xx answer). Blocks fenced as ```sh (make, deploy) are not run.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.e2e.conftest import ROOT, start_stack, stop_stack

pytestmark = pytest.mark.e2e

_BLOCK = re.compile(r"^```bash\n(.*?)^```", re.MULTILINE | re.DOTALL)
# curl as the reader types it, but a 4xx/5xx answer stops the script (with its body shown).
PRELUDE = """set -euo pipefail
curl() { command curl --fail-with-body --show-error "$@"; }
"""


def readme_script() -> str:
    """The README's runnable blocks, in order, as one bash script."""
    blocks = _BLOCK.findall((ROOT / "README.md").read_text(encoding="utf-8"))
    assert blocks, "README.md has no ```bash example"
    return PRELUDE + "\n".join(blocks)


def test_readme_examples_run_twice(tmp_path: Path) -> None:
    # The reader's working copy: `make run` writes .local/stack.env there.
    env_file = tmp_path / ".local" / "stack.env"
    stack = start_stack({"STACK_ENV_FILE": str(env_file)})
    try:
        script = tmp_path / "readme.sh"
        script.write_text(readme_script(), encoding="utf-8")
        env = {
            "PATH": os.environ["PATH"],
            "HOME": str(tmp_path),
            "LANG": "C.UTF-8",
        }
        for attempt in (1, 2):
            run = subprocess.run(
                ["bash", str(script)],
                cwd=tmp_path,
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
            stack_said = "".join(list(stack.output or ())[-40:])
            output = f"{run.stdout[-6000:]}\n{run.stderr[-4000:]}\n--- the stack ---\n{stack_said}"
            assert run.returncode == 0, f"README examples failed on run {attempt}:\n{output}"
    finally:
        stop_stack(stack)
