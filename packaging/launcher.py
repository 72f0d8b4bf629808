"""The packaged app's entry point: ``acting-mirror`` with every command the installed one
has, plus ``APP -m acting_mirror.x ...`` so the app can relaunch its own modules
(``bench --live`` measures start-up that way; see ``acting_mirror/relaunch.py``)."""

import sys

from acting_mirror.relaunch import run_module_argv

if __name__ == "__main__":
    if not run_module_argv(sys.argv):
        from acting_mirror.cli import console_main

        console_main()
