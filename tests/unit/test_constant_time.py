"""Secrets, hashes, MACs and signatures are compared in constant time, everywhere.

A static check over every module of ``chalicelib``: an ``==``/``!=`` whose operands name a
signature, MAC, digest, secret hash or token hash is a timing side channel (the comparison stops
at the first differing byte). Use ``hmac.compare_digest``. Comparisons that involve no secret
(a canonical-spelling check of client input against its own re-encoding) are listed below with
the reason.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "chalicelib"
SENSITIVE = re.compile(r"(signature|digest|(^|_)mac($|_)|secret_hash|token_hash|password|hmac)")
# (file, line text) pairs that compare client input with its own canonical spelling.
ALLOWED = {
    ("domain/sealed.py", "if _b64(body) != body_text or _b64(mac) != mac_text:"),
}


def _names(node: ast.AST) -> set[str]:
    found = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            found.add(sub.id)
        elif isinstance(sub, ast.Attribute):
            found.add(sub.attr)
    return found


def _findings() -> list[str]:
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        source = path.read_text()
        lines = source.splitlines()
        for node in ast.walk(ast.parse(source)):
            if not isinstance(node, ast.Compare):
                continue
            if not any(isinstance(op, ast.Eq | ast.NotEq) for op in node.ops):
                continue
            names = _names(node.left) | {n for c in node.comparators for n in _names(c)}
            if not any(SENSITIVE.search(n.lower()) for n in names):
                continue
            rel = str(path.relative_to(ROOT))
            text = lines[node.lineno - 1].strip()
            if (rel, text) not in ALLOWED:
                found.append(f"{rel}:{node.lineno}: {text}")
    return found


def test_no_secret_is_compared_with_equality() -> None:
    findings = _findings()
    assert not findings, "use hmac.compare_digest:\n" + "\n".join(findings)


def test_the_check_finds_a_plain_comparison(tmp_path: Path) -> None:
    tree = ast.parse("ok = provided_signature == expected")
    compare = next(n for n in ast.walk(tree) if isinstance(n, ast.Compare))
    assert any(SENSITIVE.search(n) for n in _names(compare.left))
