# -*- coding: utf-8 -*-
"""Prints the timings test_consumer.py collected (push consumer start, delivery, redelivery,
shutdown, exit) in the terminal summary, outside pytest's output capture."""
import sys


def pytest_terminal_summary(terminalreporter):
    mod = sys.modules.get('test_consumer')
    timings = getattr(mod, 'TIMINGS', None)
    if not timings:
        return
    terminalreporter.section('push consumer timings')
    for test, what, secs in timings:
        terminalreporter.write_line('%-55s %-62s %6.2f s' % (test.replace('test_consumer.py::', ''), what, secs))
