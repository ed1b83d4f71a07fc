#!/usr/bin/env python3
"""Every .NET test that docs/compatibility.md names must exist in tests/.

A row cites tests in backticks, in these forms:
  `Class.Method`         the method, in the class or a class it derives from
  `Class.Prefix_*`, `Class.*`   at least one method of the class matches the pattern
  `…Method`, `…_Suffix`  a method of the class cited last in the same row (a leading `_` matches a name's end)
  `Method_Name`, `Prefix_*`     the same, written without the ellipsis
  `ClassTests`           the class exists
Anything else in backticks (headers, element names, paths) is not a test name and is skipped. Prints each name that
names nothing and exits 1 if there is one.

    scripts/check-compat-tests.py [docs/compatibility.md]
"""
import fnmatch
import pathlib
import re
import sys

root = pathlib.Path(__file__).resolve().parent.parent
document = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else root / "docs" / "compatibility.md"

CLASS = re.compile(r"\b(?:class|record)\s+([A-Z]\w*)(?:<[^>]*>)?(?:\([^)]*\))?\s*(?::\s*([\w.]+))?")
METHOD = re.compile(r"\bpublic\s+(?:async\s+)?(?:Task|void|ValueTask)\s+(\w+)\s*\(")

methods: dict[str, set[str]] = {}
bases: dict[str, str] = {}
for source in (root / "tests").rglob("*.cs"):
    if "/bin/" in source.as_posix() or "/obj/" in source.as_posix():
        continue
    # Comments are left out: their words ("a storage class that...") are not declarations.
    text = re.sub(r"^\s*//.*$", "", source.read_text(encoding="utf-8"), flags=re.M)
    # Each test method belongs to the nearest class declared above it.
    declarations = [(m.start(), m.group(1), m.group(2)) for m in CLASS.finditer(text)]
    for _, name, base in declarations:
        methods.setdefault(name, set())
        if base:
            bases.setdefault(name, base.split(".")[-1])
    for m in METHOD.finditer(text):
        owner = [name for start, name, _ in declarations if start < m.start()]
        if owner:
            methods[owner[-1]].add(m.group(1))


def methods_of(cls: str) -> set[str]:
    found: set[str] = set()
    seen = set()
    while cls in methods and cls not in seen:
        seen.add(cls)
        found |= methods[cls]
        cls = bases.get(cls, "")
    return found


def matches(cls: str, pattern: str) -> bool:
    names = methods_of(cls)
    if pattern.startswith("_") and "*" not in pattern:
        return any(n.endswith(pattern) for n in names)
    return any(fnmatch.fnmatchcase(n, pattern) for n in names)


QUALIFIED = re.compile(r"([A-Z]\w*Tests)\.([\w*]+)")
RELATIVE = re.compile(r"…([\w*]+)")
BARE_METHOD = re.compile(r"(?=[\w*]*[a-z])[A-Z][\w*]*_[\w*]+|[A-Z]\w*_\*")
BARE_CLASS = re.compile(r"[A-Z]\w*Tests")

missing = []
checked = 0
for number, line in enumerate(document.read_text(encoding="utf-8").splitlines(), 1):
    if not line.startswith("|"):
        continue
    current = None
    for token in re.findall(r"`([^`\n]+)`", line):
        where = f"{document.name}:{number}: `{token}`"
        if m := QUALIFIED.fullmatch(token):
            current, pattern = m.groups()
            checked += 1
            if current not in methods:
                missing.append(f"{where}: no test class {current}")
            elif not matches(current, pattern):
                missing.append(f"{where}: {current} has no test {pattern}")
        elif (m := RELATIVE.fullmatch(token)) or BARE_METHOD.fullmatch(token):
            pattern = m.group(1) if m else token
            checked += 1
            if current is None:
                missing.append(f"{where}: no class cited before it in the row")
            elif not matches(current, pattern):
                missing.append(f"{where}: {current} has no test {pattern}")
        elif BARE_CLASS.fullmatch(token) and not token.startswith("Coffer"):
            checked += 1
            current = token
            if token not in methods:
                missing.append(f"{where}: no test class {token}")

for entry in missing:
    print(entry)
print(f"check-compat-tests: {checked} test names in {document.name}, {len(missing)} name nothing")
sys.exit(1 if missing else 0)
