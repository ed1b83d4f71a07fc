#!/usr/bin/env python3
"""Checks the relative links of docs/*.md and README.md: the file each one names exists and, for a Markdown file, so
does the #anchor, made from its headings as GitHub makes them (lowercase, spaces to '-', punctuation other than '-'
and '_' dropped, '-1', '-2' after repeated headings). Run from the repository's root; exits 1 on a broken link.
scripts/test.sh runs it, so a section moved or renamed (docs/performance.md and its history) cannot leave a link behind."""
import collections
import pathlib
import re
import sys

ROOT = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else '.')
LINK = re.compile(r'\]\(([^)\s]*)\)')
HEADING = re.compile(r'^(#{1,6})\s+(.*?)\s*#*\s*$')


def slug(title):
    return re.sub(r'[^\w\- ]', '', title.strip().lower()).replace(' ', '-')


def anchors(path):
    seen = collections.Counter()
    found = set()
    fenced = False
    for line in path.read_text(encoding='utf-8').splitlines():
        if line.startswith('```'):
            fenced = not fenced
            continue
        heading = None if fenced else HEADING.match(line)
        if heading:
            base = slug(heading.group(2))
            found.add(base if seen[base] == 0 else f'{base}-{seen[base]}')
            seen[base] += 1
    return found


def main():
    known = {}
    broken = checked = 0
    for source in sorted((ROOT / 'docs').glob('*.md')) + [ROOT / 'README.md']:
        for number, line in enumerate(source.read_text(encoding='utf-8').splitlines(), 1):
            for target in LINK.findall(line):
                if re.match(r'[a-z]+:', target):
                    continue
                path, _, anchor = target.partition('#')
                destination = (source.parent / path).resolve() if path else source.resolve()
                checked += 1
                if not destination.exists():
                    print(f'{source.relative_to(ROOT)}:{number}: no file {target}')
                    broken += 1
                elif anchor and destination.suffix == '.md':
                    if destination not in known:
                        known[destination] = anchors(destination)
                    if anchor not in known[destination]:
                        print(f'{source.relative_to(ROOT)}:{number}: no anchor {target}')
                        broken += 1
    print(f'{checked} links checked, {broken} broken')
    return 1 if broken else 0


if __name__ == '__main__':
    sys.exit(main())
