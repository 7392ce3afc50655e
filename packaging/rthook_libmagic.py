"""PyInstaller runtime hook (Windows and macOS builds): python-magic looks
for libmagic on PATH (Windows) or through dyld's search path (macOS), not in
the app's own folder, and libmagic looks for its database at a path fixed
when it was built. Point both at the copies the spec put in the bundle,
before anything imports magic. (Linux uses the system's libmagic1.)"""

import os
import sys
from pathlib import Path

bundle = getattr(sys, "_MEIPASS", "")
if bundle:
    database = Path(bundle) / "magic" / "magic.mgc"
    if database.is_file():
        os.environ.setdefault("MAGIC", str(database))
    variable = "PATH" if sys.platform == "win32" else "DYLD_FALLBACK_LIBRARY_PATH"
    os.environ[variable] = os.pathsep.join(filter(None, [bundle, os.environ.get(variable, "")]))
