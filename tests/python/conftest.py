# -*- coding: utf-8 -*-
"""Checks at session start that exactly the package of the target under test is installed
(target.py), names the target and the library it loaded in the report header, and prints the
timings test_consumer.py collected (push consumer start, delivery, redelivery, shutdown, exit) in
the terminal summary, outside pytest's output capture."""
import sys

import pytest

import target


def pytest_sessionstart(session):
    try:
        target.check_environment()
    except RuntimeError as e:
        raise pytest.UsageError(str(e))


def pytest_report_header(config):
    lines = []
    try:
        dist, version = target.check_environment()
        lines.append('rocketmq target: %s (%s %s)' % (target.TARGET, dist, version))
    except RuntimeError as e:
        lines.append('rocketmq target: %s (%s)' % (target.TARGET, e))
    try:
        import rocketmq.ffi
        lines.append('rocketmq library: %s' % rocketmq.ffi._DYLIB_PATH)
    except Exception as e:  # the tests fail on it loudly
        lines.append('rocketmq library: cannot load (%s: %s)' % (type(e).__name__, e))
    return lines


def pytest_terminal_summary(terminalreporter):
    mod = sys.modules.get('test_consumer')
    timings = getattr(mod, 'TIMINGS', None)
    if not timings:
        return
    terminalreporter.section('push consumer timings')
    for test, what, secs in timings:
        terminalreporter.write_line('%-55s %-62s %6.2f s' % (test.replace('test_consumer.py::', ''), what, secs))
