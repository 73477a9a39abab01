"""Every process a test starts is gone when the run ends: stopped by its fixture (group, bounded wait, kill),
or else reported by the plugin's guard, which fails the run and kills it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import psutil
from qianzhao.common import processes

STUBBORN = [sys.executable, "-c", "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
            "print('up', flush=True); time.sleep(600)"]


def test_stop_kills_a_child_that_ignores_sigterm_and_its_grandchildren():
    wrapper = [sys.executable, "-c", "import subprocess, sys, time; "
               f"subprocess.Popen({STUBBORN!r}); time.sleep(600)"]
    proc = processes.spawn(wrapper)
    deadline = time.monotonic() + 10
    while not psutil.Process(proc.pid).children() and time.monotonic() < deadline:
        time.sleep(0.05)
    grandchild = psutil.Process(proc.pid).children()[0]
    processes.stop(proc, timeout=0.5)
    grandchild.wait(5)  # raises TimeoutExpired if it were still alive
    assert proc.poll() is not None and not grandchild.is_running()


def _run_pytest(tmp_path, body: str) -> subprocess.CompletedProcess:
    (tmp_path / "test_inner.py").write_text(textwrap.dedent(body))
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    env = {k: v for k, v in os.environ.items() if k != "QZ_TEST_RUN"}
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "qianzhao.common.testing", "-p",
                           "no:cacheprovider", str(tmp_path / "test_inner.py")], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)


def test_the_guard_fails_a_run_that_leaves_a_process_behind_and_kills_it(tmp_path):
    result = _run_pytest(tmp_path, f"""
        import subprocess
        import pytest
        from qianzhao.common import processes

        @pytest.fixture
        def stubborn():
            proc = processes.spawn({STUBBORN!r}, stdout=subprocess.PIPE)
            proc.stdout.readline()
            yield proc
            processes.stop(proc, timeout=0.5)  # the fixture stops what it started

        def test_cleaned_up(stubborn):
            assert stubborn.poll() is None

        def test_leaks():
            open("leaked.pid", "w").write(str(subprocess.Popen({STUBBORN!r}).pid))
    """)
    assert result.returncode != 0, result.stdout
    assert "2 passed" in result.stdout
    assert "still alive at its end" in result.stdout and "SIG_IGN" in result.stdout
    leaked = int((tmp_path / "leaked.pid").read_text())
    assert not psutil.pid_exists(leaked) or psutil.Process(leaked).status() == psutil.STATUS_ZOMBIE
    assert "still alive" not in _run_pytest(tmp_path, """
        def test_nothing():
            pass
    """).stdout


def test_sigterm_is_the_polite_first_step():
    proc = processes.spawn([sys.executable, "-c", "import time; time.sleep(600)"])
    assert processes.stop(proc, timeout=5) == -signal.SIGTERM
