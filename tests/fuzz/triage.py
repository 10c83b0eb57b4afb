#!/usr/bin/env python3
"""Sorts the crash inputs a fuzz run left in ARTIFACTS: each is replayed with TARGET and its
sanitizer report classified by the first stack frame that is not the sanitizer's or
libFuzzer's own. A crash, leak, timeout or out-of-memory whose frame is inside libhdf5 is a
defect of the HDF5 library (Debian 12's 1.10.8 trusts sizes in damaged files, loops on some
and leaks cache entries on some error paths; docs/FUZZING.md lists them): reported, tolerated.
Anything else - rnnsent's code, an exception escaping to std::terminate, a leak allocated
outside HDF5 - is a finding: printed with its report, and the exit status is 1.
Usage: triage.py TARGET ARTIFACTS"""
import os
import re
import subprocess
import sys

SKIP = re.compile(r"__interceptor_|__asan_|__sanitizer_|__lsan_|__ubsan_|fuzzer::|"
                  r"__asan::|__sanitizer::|__lsan::|__mem(cpy|move|set|cmp)_|"
                  r"\bmalloc\b|\bcalloc\b|\brealloc\b|operator new|__libc_start|_start\b|"
                  r"libc\.so\.6\+0x3c04f|"  # the signal trampoline a timeout's stack starts in
                  # ASan's interceptors of the C string and memory functions, symbolized as the
                  # plain name inside the fuzz binary with no source line ("in strdup
                  # (.../fuzz_checkpoint_file+0xecb35)"): the caller is the culprit.
                  r"^in (str|mem|wcs)\w* \(\S*/fuzz_\w+\+0x")
FRAME = re.compile(r"^\s*#\d+ 0x[0-9a-f]+ (.*)$")


def culprit(report):
    """The first frame of the first stack in the report that is not sanitizer machinery (for
    a timeout, of the stack libFuzzer prints when its alarm fires)."""
    if "ALARM:" in report:
        report = report[report.index("ALARM:"):]
    for line in report.splitlines():
        m = FRAME.match(line)
        if m and not SKIP.search(m.group(1)):
            return m.group(1)
    return ""


def replay(target, path, alarm):
    return subprocess.run([target, "-runs=1", f"-timeout={alarm}", "-rss_limit_mb=2048",
                           "-malloc_limit_mb=1024", path], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, errors="replace", timeout=180)


def main():
    target, artifacts = sys.argv[1], sys.argv[2]
    findings = 0
    for name in sorted(os.listdir(artifacts)):
        if not name.startswith(("crash-", "leak-", "oom-", "timeout-", "slow-unit-")):
            continue
        path = os.path.join(artifacts, name)
        try:
            run = replay(target, path, 5)
            # An alarm that fires inside the allocator can print an empty stack. A loop that
            # allocates as it goes (HDF5's local-heap free list, tests/fuzz/hdf5_defects/
            # checkpoint-local-heap-free-list-loop) then reaches the memory limit if given the
            # time, and the out-of-memory report names the allocating frame.
            if "ALARM:" in run.stdout and not culprit(run.stdout):
                run = replay(target, path, 120)
        except subprocess.TimeoutExpired:
            findings += 1
            print(f"triage: FINDING (replay hangs even past libFuzzer's alarm): {path}")
            continue
        frame = culprit(run.stdout)
        # A bad access inside HDF5 to memory rnnsent allocated (a buffer rnnsent sized) is
        # rnnsent's defect: judge it by where the memory came from.
        owner = ""
        for marker in ("allocated by thread", "freed by thread"):
            if marker in run.stdout:
                owner = culprit(run.stdout[run.stdout.index(marker):])
                break
        if "libhdf5" in frame and (not owner or "libhdf5" in owner):
            print(f"triage: HDF5 library defect (tolerated): {path}\n        at {frame}")
        elif run.returncode == 0:
            print(f"triage: does not reproduce: {path}")
        else:
            findings += 1
            print(f"triage: FINDING in rnnsent: {path}\n        at {frame}\n"
                  f"        memory from {owner or '-'}\n{run.stdout}")
    sys.exit(1 if findings else 0)


if __name__ == "__main__":
    main()
