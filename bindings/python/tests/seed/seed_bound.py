# -*- coding: utf-8 -*-
"""Not a seed program: the bound that replaces the seed programs' endless
``while True: time.sleep(3600)``.

until_stopped() returns once the test creates the file named by SEED_STOP_FILE (its "you may
stop now" event); if that does not happen within SEED_DEADLINE seconds (default 120) the program
ends with exit status 1 and says so, so a test never waits on a program that waits forever.
"""
import os
import sys
import time


def until_stopped():
    stop_file = os.environ['SEED_STOP_FILE']
    limit = float(os.environ.get('SEED_DEADLINE', '120'))
    deadline = time.monotonic() + limit
    while not os.path.exists(stop_file):
        if time.monotonic() >= deadline:
            sys.exit('seed: no stop signal (%s) within %.0f s' % (stop_file, limit))
        time.sleep(0.1)
