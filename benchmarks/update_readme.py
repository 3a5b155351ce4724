"""Copy the latest benchmark results (benchmarks/results/*.md) into README.md between markers.

Run after the benchmarks: python3 benchmarks/update_readme.py
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = (
    "core",
    "grants",
    "import",
    "irs990_import",
    "discover",
    "dashboard",
    "cache",
    "export",
    "matching",
)


def main() -> None:
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    for name in SECTIONS:
        result = ROOT / "benchmarks" / "results" / f"{name}.md"
        if not result.exists():
            continue
        body = result.read_text(encoding="utf-8").strip()
        # Demote the result file's headings under the README's "### <section>" heading.
        body = re.sub(r"^(#+) ", lambda m: "#" * (len(m.group(1)) + 3) + " ", body, flags=re.MULTILINE)
        pattern = re.compile(rf"(<!-- bench:{name} -->).*?(<!-- /bench:{name} -->)", re.DOTALL)
        text, count = pattern.subn(lambda m, body=body: m.group(1) + "\n" + body + "\n" + m.group(2), text)
        if not count:
            print(f"README has no markers for {name}")
    readme.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
