"""Stand-in for the pip bootstrap script that ansible-test downloads: ensurepip, then pip install.

Used where the bootstrap script's host cannot be reached; PyPI itself must be reachable.
"""

import subprocess
import sys

args = [arg for arg in sys.argv[1:] if arg not in ("--no-setuptools", "--no-wheel")]
subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade", "--default-pip"])
subprocess.check_call([sys.executable, "-m", "pip", "install"] + args)
