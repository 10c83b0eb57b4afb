#!/usr/bin/env python3
"""Fails when a function in the given folders is longer than the limit (issue 16: no function
in launch/ over 80 lines). A function is a definition whose header line ends in ') {' (or
') const {', ') override {'), measured from that line to its closing brace; braces in
comments, strings and character literals are ignored.

usage: function_length.py LIMIT DIR [DIR ...]
"""
import pathlib
import re
import sys

HEADER = re.compile(r"\)\s*(const)?\s*(override)?\s*(noexcept)?\s*\{\s*$")
STATEMENT = re.compile(r"\s*(\}\s*)?(if|for|while|switch|else|namespace|struct|class|catch|try|do)\b")


def code_of(line):
    line = re.sub(r'"([^"\\]|\\.)*"', '""', line)
    line = re.sub(r"'(\\.|[^'\\])'", "''", line)
    return re.sub(r"//.*", "", line)


def long_functions(path, limit):
    depth, start, outer = 0, None, 0
    for number, line in enumerate(path.read_text().split("\n"), 1):
        code = code_of(line)
        if start is None and depth <= 2 and HEADER.search(code) and not STATEMENT.match(code):
            start, outer = number, depth
        depth += code.count("{") - code.count("}")
        if start is not None and number > start and depth <= outer:
            if number - start + 1 > limit:
                yield start, number - start + 1
            start = None


def main():
    limit = int(sys.argv[1])
    found = 0
    for folder in sys.argv[2:]:
        for path in sorted(pathlib.Path(folder).rglob("*.[ch]pp")):
            for line, length in long_functions(path, limit):
                print(f"{path}:{line}: a function of {length} lines (limit {limit})")
                found += 1
    checked = sum(1 for f in sys.argv[2:] for _ in pathlib.Path(f).rglob("*.[ch]pp"))
    if checked == 0:
        print("no source files found in", sys.argv[2:])
        return 1
    print(f"{checked} files checked, {found} function(s) over {limit} lines")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
