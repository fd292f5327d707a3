"""The README's "Layout" section names every package folder and top-level module of
lakehouse_assets/, and nothing that is not there."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "lakehouse_assets"
# In the section's code block, an entry of the package is indented by two spaces under
# `lakehouse_assets/`: `  name/   what it holds` or `  name.py   what it holds`. Deeper-indented
# lines continue the description of the entry above.
ENTRY = re.compile(r"^  (?P<name>[A-Za-z_][\w.]*/?)(?:\s|$)")


def layout_section(readme: str) -> str:
    match = re.search(r"^## Layout\n(.*?)(?=^## |\Z)", readme, re.M | re.S)
    assert match, "README.md has no '## Layout' section"
    return match.group(1)


def listed_entries(section: str) -> list[str]:
    block = re.search(r"^```\n(.*?)^```", section, re.M | re.S)
    assert block, "the Layout section has no code block"
    lines = block.group(1).splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("lakehouse_assets/")), None)
    assert start is not None, "the Layout block has no 'lakehouse_assets/' line"
    entries = []
    for line in lines[start + 1 :]:
        if line and not line.startswith(" "):
            break  # the next top-level folder of the repository
        match = ENTRY.match(line)
        if match:
            entries.append(match.group("name"))
    return entries


def package_entries(package: Path) -> set[str]:
    """Package folders (`name/`) and top-level modules (`name.py`) of the package."""
    folders = {
        f"{p.name}/" for p in package.iterdir() if p.is_dir() and (p / "__init__.py").is_file()
    }
    modules = {p.name for p in package.glob("*.py")}
    return folders | modules


def test_readme_layout_matches_the_package_tree():
    listed = listed_entries(layout_section((REPO / "README.md").read_text(encoding="utf-8")))
    actual = package_entries(PACKAGE)
    twice = sorted({name for name in listed if listed.count(name) > 1})
    missing = sorted(actual - set(listed))
    absent = sorted(set(listed) - actual)
    assert not (twice or missing or absent), (
        f"README.md Layout: listed twice {twice}; not listed {missing}; listed but not in "
        f"lakehouse_assets/ {absent}"
    )


def test_the_parser_sees_entries_and_skips_descriptions():
    section = """Intro.
```
contracts/          the demo
lakehouse_assets/
  io/               writes and
                    merges/ more text
  cli.py            the command
tests/              pytest
  notes/            not the package's
```
"""
    assert listed_entries(section) == ["io/", "cli.py"]
